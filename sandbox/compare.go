package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// checkBufSize is the size of each fixed buffer [Checker.Compare] reads through.
const checkBufSize = 16 << 10

// What a comparison keeps of the unit (line or token) where the two sides differ.
const (
	maxNumberLen = 1024 // bytes of a token KindFloat reads as a number; a longer one is text
	showBefore   = 20   // bytes of the unit's common start shown before the difference
	showMax      = 60   // bytes of the unit shown in all, each side
)

// checkBuffers are the fixed buffers of one comparison.
type checkBuffers struct {
	in   [2][checkBufSize]byte // each side's normalizer input
	data [2][checkBufSize]byte // each side's compared bytes
	tail [maxNumberLen]byte    // the end of the current unit's common start
	unit [2][maxNumberLen]byte // each side's unit at a difference
}

// checkBufferPool keeps a judge that compares many small outputs from allocating
// fresh buffers each time.
var checkBufferPool = sync.Pool{New: func() any { return new(checkBuffers) }}

// errCompareProgram is Compare's error for a checker program, which only Sandbox.Run
// can run.
var errCompareProgram = errors.New("checker: a checker program runs in Sandbox.Run, not in Compare")

// Compare reads want (the expected output) and got and reports whether they match
// under c. When they do not, diff says where they first differ, as a judge shows it:
// "line 3: expected "1 2", got "1 3"" (lines, exact), "token 5: expected "4", got "5""
// (tokens, float), "output ends early at line N: expected ...", "extra output at line N:
// got ...". Each side's line or token is cut to 60 bytes, with an ellipsis
// outside the quotes where something was left out.
//
// It always reads got to EOF, even after a mismatch is known or want failed, because got
// is usually a pipe from a running program, which must never block on a full pipe. It
// stops reading want soon after the first difference. Memory use is bounded by a few
// fixed buffers plus, for [CheckLines], the longest run of whitespace that might turn out
// to end a line. A read error from either side is returned, wrapped, with false. A
// checker program ([KindProgram]) cannot be run here: Compare returns an error.
func (c Checker) Compare(want, got io.Reader) (match bool, diff string, err error) {
	if !c.valid() || c.Kind == KindProgram {
		_, _ = io.Copy(io.Discard, got)
		if c.valid() {
			return false, "", errCompareProgram
		}
		return false, "", fmt.Errorf("checker: unknown checker %v", c)
	}
	bufs := checkBufferPool.Get().(*checkBuffers)
	defer checkBufferPool.Put(bufs)
	m := newComparison(c, want, got, bufs)
	match, diff = m.run()
	if m.g.err == nil && !m.g.eof {
		// The normalizer may hold input it has read; the rest is still in got.
		if _, err := io.Copy(io.Discard, got); err != nil {
			m.g.err = err
		}
	}
	switch {
	case m.w.err != nil:
		return false, "", fmt.Errorf("checker: read expected output: %w", m.w.err)
	case m.g.err != nil:
		return false, "", fmt.Errorf("checker: read output: %w", m.g.err)
	}
	return match, diff, nil
}

// normalize returns a reader of r's bytes as c compares them, which reads r through buf.
func (c Checker) normalize(r io.Reader, buf []byte) io.Reader {
	switch c.Kind {
	case KindLines:
		return &lineNormalizer{src: &byteSource{r: r, buf: buf}}
	case KindTokens, KindFloat:
		return &tokenNormalizer{src: &byteSource{r: r, buf: buf}}
	}
	return r
}

// comparison is one Compare: both sides, normalized, and how far they agree.
type comparison struct {
	c    Checker
	w, g checkStream
	pos  position
	bufs *checkBuffers
}

func newComparison(c Checker, want, got io.Reader, b *checkBuffers) *comparison {
	m := &comparison{c: c, bufs: b}
	m.w = checkStream{r: c.normalize(want, b.in[0][:]), buf: b.data[0][:]}
	m.g = checkStream{r: c.normalize(got, b.in[1][:]), buf: b.data[1][:]}
	m.pos = position{sep: [1]byte{'\n'}, unit: 1, tail: b.tail[:0:showBefore]}
	if c.Kind == KindTokens || c.Kind == KindFloat {
		m.pos.sep[0] = ' ' // the token normalizer's one separator
	}
	if c.Kind == KindFloat {
		m.pos.tail = b.tail[:0] // a whole number's start, to parse it
	}
	return m
}

// run compares until the sides differ in a way c does not forgive, or both end. It
// reports false, with no diff, after a read error.
func (m *comparison) run() (bool, string) {
	for {
		if !m.skipEqual() {
			return false, ""
		}
		if m.w.ended() && m.g.ended() {
			return true, ""
		}
		d := m.differ()
		if m.c.Kind == KindFloat && m.numbersMatch(&d) {
			// Both sides are at the end of their token now.
			m.pos.col, m.pos.tail = int64(len(d.want.unit)), m.pos.tail[:0]
			continue
		}
		return false, m.describe(d)
	}
}

// skipEqual consumes the bytes both sides have in common until they differ or one
// ends. It reports false after a read error.
func (m *comparison) skipEqual() bool {
	w, g := &m.w, &m.g
	for {
		if !w.fill() || !g.fill() {
			return false
		}
		n := min(len(w.data), len(g.data))
		if n == 0 {
			return true
		}
		k := commonPrefix(w.data[:n], g.data[:n])
		m.pos.advance(w.data[:k])
		w.data, g.data = w.data[k:], g.data[k:]
		if k < n {
			return true
		}
	}
}

// commonPrefix returns the length of the common start of a and b, which have one length.
func commonPrefix(a, b []byte) int {
	if bytes.Equal(a, b) {
		return len(a)
	}
	i := 0
	for a[i] == b[i] {
		i++
	}
	return i
}

// position is how far a comparison has found the sides equal: the number of the
// unit (line or token) it is in, and that unit's common start.
type position struct {
	sep  [1]byte // the unit separator: '\n' for lines, ' ' for tokens
	unit int64   // the current unit's number, from 1
	col  int64   // bytes of the current unit found equal
	tail []byte  // the last of those bytes, as many as its capacity holds
}

// advance moves p past b, bytes found equal.
func (p *position) advance(b []byte) {
	if i := bytes.LastIndexByte(b, p.sep[0]); i >= 0 {
		p.unit += int64(bytes.Count(b[:i+1], p.sep[:]))
		p.col, p.tail = 0, p.tail[:0]
		b = b[i+1:]
	}
	p.col += int64(len(b))
	p.tail = keepLast(p.tail, b)
}

// whole reports whether p.tail holds all of the current unit's common start.
func (p *position) whole() bool { return p.col == int64(len(p.tail)) }

// keepLast appends b to tail, dropping tail's first bytes to stay within its capacity.
func keepLast(tail, b []byte) []byte {
	c := cap(tail)
	if len(b) >= c {
		return append(tail[:0], b[len(b)-c:]...)
	}
	if drop := len(tail) + len(b) - c; drop > 0 {
		tail = tail[:copy(tail, tail[drop:])]
	}
	return append(tail, b...)
}

// checkStream is one side of a comparison: a reader and the unread part of its buffer.
type checkStream struct {
	r    io.Reader
	buf  []byte
	data []byte // read but not yet compared, within buf
	eof  bool
	err  error // first error other than io.EOF
}

// fill reads more data if none is left and the stream has not ended. It reports false
// after a read error, which it records in s.err.
func (s *checkStream) fill() bool {
	if len(s.data) > 0 || s.eof {
		return true
	}
	if s.err != nil {
		return false
	}
	n, err := readSome(s.r, s.buf)
	s.data = s.buf[:n]
	switch {
	case err == io.EOF:
		s.eof = true
	case err != nil:
		s.err = err
		return false
	}
	return true
}

// ended reports whether s has nothing left.
func (s *checkStream) ended() bool { return s.eof && len(s.data) == 0 }

// readUnit reads s up to the next sep or its end, into buf while it has room, and
// leaves the sep unread. It reports whether the unit goes on past what fit in buf,
// and then stops there.
func (s *checkStream) readUnit(sep byte, buf []byte) ([]byte, bool) {
	n := 0
	for s.fill() && len(s.data) > 0 {
		end := bytes.IndexByte(s.data, sep)
		found := end >= 0
		if !found {
			end = len(s.data)
		}
		k := copy(buf[n:], s.data[:end])
		n += k
		s.data = s.data[k:]
		switch {
		case k < end:
			return buf[:n], true
		case found:
			return buf[:n], false
		}
	}
	return buf[:n], false
}

// maxEmptyReads is how many times in a row a reader may return neither bytes nor an error
// before it is taken to be stuck, as in bufio.
const maxEmptyReads = 100

// readSome reads into buf until it gets at least one byte or an error. A reader that
// keeps returning neither gives io.ErrNoProgress.
func readSome(r io.Reader, buf []byte) (int, error) {
	for range maxEmptyReads {
		n, err := r.Read(buf)
		if n > 0 || err != nil {
			return n, err
		}
	}
	return 0, io.ErrNoProgress
}
