package main

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// reportOf runs lost-errors and reports it, returning the report directory.
func reportOf(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	run := filepath.Join(dir, "lost")
	if r := runCLI(t, append([]string{"run", "lost-errors", "--quiet", "--out", run}, roomyLimits...)...); r.code != 0 {
		t.Fatalf("run lost-errors = %d, stderr %q, failures %s", r.code, r.stderr, failures(run))
	}
	out := filepath.Join(dir, "report")
	if r := runCLI(t, "report", run, "--out", out); r.code != 0 || !strings.HasPrefix(r.stdout, "report: ") {
		t.Fatalf("report = %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	return out
}

func TestReport(t *testing.T) {
	out := reportOf(t)
	for _, f := range []string{"report.md", "report.html", "plots/inflation.png", "plots/inflation.svg", "plots/faults.png", "plots/timeline.svg"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("report wrote no %s: %v", f, err)
		}
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	if !strings.Contains(string(md), "pool-fireforget lost 3 of 3 faults") {
		t.Errorf("report.md lacks the diagnosis of lost faults:\n%s", md)
	}
}

func TestReportBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, dir, "empty.json", "")
	truncated := writeFile(t, dir, "truncated.json", `{"schema":"judgebench/run/v1","samples":[{"case":`)
	for _, args := range [][]string{
		{"report"},
		{"report", filepath.Join(dir, "missing")},
		{"report", dir},
		{"report", empty},
		{"report", truncated},
	} {
		r := runCLI(t, args...)
		if r.code != 2 {
			t.Errorf("judgebench %q = %d, stderr %q; want 2", args, r.code, r.stderr)
		}
		checkOneLineError(t, args, r)
	}
}

// chromium finds a Chromium to render with, or skips.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium: .ci/run installs Debian's chromium package; install it to render report.html")
	return ""
}

// render runs headless Chromium on page with the flags this machine needs
// (no network, no first-run work) and returns what it printed.
func render(t *testing.T, browser, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, browser, append(append(base, args...), "file://"+page)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %q: %v", browser, args, err)
	}
	return out
}

// TestReportInChromium opens report.html in a real headless Chromium: every
// figure must be in the rendered page as an SVG, and the screenshot must show
// the plots' colours. The screenshot stays in the temp directory, for a look.
func TestReportInChromium(t *testing.T) {
	browser := chromium(t)
	out := reportOf(t)
	page := filepath.Join(out, "report.html")
	dom := string(render(t, browser, page, "--dump-dom"))
	figures, _ := filepath.Glob(filepath.Join(out, "plots", "*.svg"))
	if n := strings.Count(dom, "<svg"); n < len(figures) {
		t.Errorf("Chromium's DOM of report.html has %d <svg> elements; want one per figure (%d)", n, len(figures))
	}
	// Laid out in a 1400 px window, nothing is wider than the page: the
	// group table needs no scrolling. A copy of the page measures itself.
	probe := filepath.Join(out, "probe.html")
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	measure := `<script>var t = document.querySelector("table");
document.title = "page " + document.documentElement.scrollWidth + " of " + document.documentElement.clientWidth +
  ", table " + t.scrollWidth + " of " + t.clientWidth;</script>`
	os.WriteFile(probe, append(html, measure...), 0o644)
	title := regexp.MustCompile(`<title>page (\d+) of (\d+), table (\d+) of (\d+)</title>`).FindStringSubmatch(
		string(render(t, browser, probe, "--window-size=1400,900", "--dump-dom")))
	if len(title) != 5 || title[1] != title[2] || title[3] != title[4] {
		t.Errorf("report.html in a 1400 px window: %q; want the page and its group table no wider than they are shown", title)
	}
	shot := filepath.Join(out, "screenshot.png")
	render(t, browser, page, "--screenshot="+shot, "--window-size=1280,9000", "--hide-scrollbars")
	t.Logf("screenshot of report.html: %s", shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if colours := paletteColours(img); colours < 3 {
		t.Errorf("screenshot shows %d of the plots' palette colours; want the figures drawn (at least 3)", colours)
	}
}

// paletteColours counts the Okabe-Ito colours the image shows in quantity.
func paletteColours(img image.Image) int {
	palette := [][3]uint8{{0xE6, 0x9F, 0x00}, {0x56, 0xB4, 0xE9}, {0x00, 0x9E, 0x73}, {0x00, 0x72, 0xB2}, {0xD5, 0x5E, 0x00}, {0xCC, 0x79, 0xA7}}
	counts := make([]int, len(palette))
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			for i, p := range palette {
				if near8(r, p[0]) && near8(g, p[1]) && near8(bl, p[2]) {
					counts[i]++
				}
			}
		}
	}
	n := 0
	for _, c := range counts {
		if c > 200 {
			n++
		}
	}
	return n
}

func near8(v uint32, want uint8) bool {
	d := int(v>>8) - int(want)
	return d > -12 && d < 12
}
