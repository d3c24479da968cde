package sandbox

import (
	"fmt"
	"math"
	"strconv"
)

// difference is where the sides of a comparison first differ: each side's unit (line
// or token) there, as much of it as is kept.
type difference struct {
	want, got side
	numbers   bool    // both units are numbers: wantNum and gotNum
	wantNum   float64 // the expected number
	gotNum    float64
}

// side is one side's unit at a difference.
type side struct {
	ended bool   // the side had nothing left where the other went on
	unit  []byte // the unit's common start as the tail holds it, then the side's own rest
	rest  int    // bytes of unit that are the side's own
	more  bool   // the unit goes on past unit
}

// differ reads the rest of each side's unit, at the first byte where they differ.
func (m *comparison) differ() difference {
	limit := showMax
	if m.c.Kind == KindFloat {
		limit = maxNumberLen
	}
	return difference{
		want: m.readSide(&m.w, m.bufs.unit[0][:limit]),
		got:  m.readSide(&m.g, m.bufs.unit[1][:limit]),
	}
}

func (m *comparison) readSide(s *checkStream, buf []byte) side {
	d := side{ended: s.ended()}
	n := copy(buf, m.pos.tail)
	rest, more := s.readUnit(m.pos.sep[0], buf[n:])
	d.unit, d.rest, d.more = buf[:n+len(rest)], len(rest), more
	return d
}

// numbersMatch reports whether the units of d are numbers within the checker's
// tolerance; it records in d whether they are numbers at all. Units that differ only
// in whether a token follows are not numbers that differ.
func (m *comparison) numbersMatch(d *difference) bool {
	if !m.pos.whole() || d.want.more || d.got.more || d.want.rest+d.got.rest == 0 {
		return false
	}
	a, okA := parseNumber(d.want.unit)
	b, okB := parseNumber(d.got.unit)
	if !okA || !okB {
		return false
	}
	d.numbers, d.wantNum, d.gotNum = true, a, b
	return withinTolerance(a, b, m.c.Epsilon)
}

// describe says where the sides differ, as Compare documents.
func (m *comparison) describe(d difference) string {
	what, n := "line", m.pos.unit
	if m.pos.sep[0] == ' ' {
		what = "token"
	}
	switch {
	case d.want.ended && m.pos.col == 0:
		return fmt.Sprintf("extra output at %s %d: got %s", what, n, m.show(d.got))
	case d.got.ended && m.pos.col == 0:
		return fmt.Sprintf("output ends early at %s %d: expected %s", what, n, m.show(d.want))
	case d.want.ended && d.got.rest == 0 && !d.got.more:
		return m.nextUnit(&m.g, what, n+1, "extra output at %s %d: got %s", "%s %d: expected no newline at the end, got one")
	case d.got.ended && d.want.rest == 0 && !d.want.more:
		return m.nextUnit(&m.w, what, n+1, "output ends early at %s %d: expected %s", "%s %d: expected a newline at the end, got none")
	}
	s := fmt.Sprintf("%s %d: expected %s, got %s", what, n, m.show(d.want), m.show(d.got))
	if d.numbers {
		s += fmt.Sprintf(" (difference %.3g)", math.Abs(d.gotNum-d.wantNum))
	}
	return s
}

// nextUnit describes the unit s has after the separator it is at, numbered n: one side
// goes on where the other ended. With nothing after the separator (only exact keeps a
// final newline), it uses lastSep, which names unit n-1.
func (m *comparison) nextUnit(s *checkStream, what string, n int64, format, lastSep string) string {
	if len(s.data) == 0 {
		return "" // a read error, which Compare returns
	}
	s.data = s.data[1:] // the separator
	unit, more := s.readUnit(m.pos.sep[0], m.bufs.unit[0][:showMax])
	if len(unit) == 0 && !more && s.ended() {
		return fmt.Sprintf(lastSep, what, n-1)
	}
	return fmt.Sprintf(format, what, n, quoteCut(unit, false, more))
}

// show quotes s's unit, cut to showBefore bytes before the difference and showMax in all.
func (m *comparison) show(s side) string {
	u, cut := s.unit, !m.pos.whole()
	if pre := len(m.pos.tail); pre > showBefore {
		u, cut = u[pre-showBefore:], true
	}
	more := s.more
	if len(u) > showMax {
		u, more = u[:showMax], true
	}
	return quoteCut(u, cut, more)
}

// quoteCut quotes b, with an ellipsis before it when its start was cut off and after
// it when its end was.
func quoteCut(b []byte, cutStart, cutEnd bool) string {
	s := strconv.Quote(string(b))
	if cutStart {
		s = "…" + s
	}
	if cutEnd {
		s += "…"
	}
	return s
}
