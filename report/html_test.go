package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestHTML checks that report.html embeds every figure and loads nothing:
// no http:// or https:// reference but in an SVG namespace declaration.
func TestHTML(t *testing.T) {
	t.Parallel()
	in := []Input{readFixture(t, "gil"), readFixture(t, "lost-errors")}
	figs, err := Plots(in)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := HTML(&b, in, figs, Options{Title: "a <b> & c"}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	n := scanHTML(t, page)
	if n["svg"]+n["img"] != len(figs) || n["table"] != len(in) {
		t.Errorf("report.html has %d <svg>, %d <img>, %d <table>; want %d figures and %d tables",
			n["svg"], n["img"], n["table"], len(figs), len(in))
	}
	if !strings.Contains(page, "<title>a &lt;b&gt; &amp; c</title>") {
		t.Errorf("report.html: the title is not escaped")
	}
}

// scanHTML parses page leniently, reports an error for every script, link,
// frame or object and every reference to another site, and returns the
// number of elements of each name.
func scanHTML(t *testing.T, page string) map[string]int {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	n := make(map[string]int)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("report.html does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n[tok.Name.Local]++
			switch tok.Name.Local {
			case "script", "link", "iframe", "object":
				t.Errorf("report.html has a <%s>; want none", tok.Name.Local)
			}
			for _, a := range tok.Attr {
				if a.Name.Space != "xmlns" && a.Name.Local != "xmlns" && remote(a.Value) {
					t.Errorf("report.html: <%s %s=%q>: an external reference", tok.Name.Local, a.Name.Local, a.Value)
				}
			}
		case xml.CharData:
			if remote(string(tok)) {
				t.Errorf("report.html: text %.80q refers to another site", tok)
			}
		}
	}
}

func remote(s string) bool {
	return strings.Contains(s, "http://") || strings.Contains(s, "https://")
}

// TestHTMLPNGFallback checks that a figure without SVG is embedded as a PNG
// data: URL with its size.
func TestHTMLPNGFallback(t *testing.T) {
	t.Parallel()
	in := []Input{readFixture(t, "gil")}
	figs, err := Plots(in)
	if err != nil {
		t.Fatal(err)
	}
	figs = figs[:1]
	figs[0].SVG = nil
	var b bytes.Buffer
	if err := HTML(&b, in, figs, Options{}); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); !strings.Contains(s, `<img src="data:image/png;base64,`) || !strings.Contains(s, `width="`) {
		t.Errorf("HTML of a figure without SVG has no sized <img> with a data: URL")
	}
}
