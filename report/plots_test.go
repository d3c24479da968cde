package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	"image/png"
	"io"
	"slices"
	"testing"

	"gonum.org/v1/plot/plotter"
)

func TestPlots(t *testing.T) {
	sweep := synthRun(1200, 1, benchGroups...)
	for _, tt := range []struct {
		name string
		in   []Input
		want []string
	}{
		{"gil", []Input{readFixture(t, "gil")},
			[]string{"inflation", "cpu-time", "real-time", "throughput", "timeline"}},
		{"lost-errors", []Input{readFixture(t, "lost-errors")},
			[]string{"inflation", "cpu-time", "real-time", "faults", "throughput", "timeline"}},
		{"several", []Input{readFixture(t, "gil"), readFixture(t, "lost-errors")},
			[]string{"inflation", "cpu-time", "real-time", "faults", "throughput", "timeline-1", "timeline-2"}},
		{"sweep", []Input{{Name: "sweep", Run: sweep}}, figureNames},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			figs, err := Plots(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range figs {
				names = append(names, f.Name)
				checkPNG(t, f)
				checkSVG(t, f)
				if f.Title == "" || f.Caption == "" {
					t.Errorf("figure %s: title %q, caption %q; want both", f.Name, f.Title, f.Caption)
				}
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("Plots(%s) drew %q; want %q", tt.name, names, tt.want)
			}
		})
	}
}

// checkPNG reports an error unless f.PNG decodes to an image at least 600
// pixels wide of more than one colour.
func checkPNG(t *testing.T, f Figure) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(f.PNG))
	if err != nil {
		t.Errorf("figure %s: png.Decode: %v", f.Name, err)
		return
	}
	b := img.Bounds()
	if b.Dx() < 600 || b.Dy() < 300 {
		t.Errorf("figure %s: PNG is %dx%d; want at least 600x300", f.Name, b.Dx(), b.Dy())
	}
	if singleColour(img) {
		t.Errorf("figure %s: PNG is a single colour", f.Name)
	}
}

func singleColour(img image.Image) bool {
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.At(x, y) != first {
				return false
			}
		}
	}
	return true
}

// checkSVG reports an error unless f.SVG is well-formed XML with an <svg>
// root holding a <path> or <line>.
func checkSVG(t *testing.T, f Figure) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(f.SVG))
	var root string
	drawn := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Errorf("figure %s: SVG does not parse: %v", f.Name, err)
			return
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
			}
			drawn = drawn || se.Name.Local == "path" || se.Name.Local == "line"
		}
	}
	if root != "svg" || !drawn {
		t.Errorf("figure %s: SVG root <%s>, a <path> or <line>: %v; want <svg> and true", f.Name, root, drawn)
	}
}

func TestThinOutside(t *testing.T) {
	vals := make(plotter.Values, 10000)
	for i := range vals {
		vals[i] = 10
		if i%10 == 0 { // a tenth far out, beyond the whiskers
			vals[i] = 1000 + float64(i)
		}
	}
	bp, err := plotter.NewBoxPlot(10, 0, vals)
	if err != nil {
		t.Fatal(err)
	}
	thinOutside(bp, maxOutside)
	var got []float64
	for _, i := range bp.Outside {
		got = append(got, bp.Values[i])
	}
	if len(got) != maxOutside || slices.Min(got) != 1000 || slices.Max(got) != 1000+9990 {
		t.Errorf("thinOutside kept %d points from %g to %g; want %d from 1000 to 10990",
			len(got), slices.Min(got), slices.Max(got), maxOutside)
	}
}
