package sandbox

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"sync"
)

// Checker says how a program's output is compared with the expected output.
//
// The zero value is [CheckLines].
type Checker int

// The checkers. [Checker.String] gives the names used by the --checker flag.
const (
	// CheckLines ignores trailing whitespace (space, \t, \r, \v, \f) at the end of each
	// line, and trailing empty lines at the end of the output; everything else must match
	// exactly. A missing final newline and CRLF line ends therefore do not matter.
	CheckLines Checker = iota
	// CheckExact requires the output to match byte for byte.
	CheckExact
	// CheckTokens requires the whitespace-separated tokens to match: any run of
	// whitespace (space, \t, \n, \v, \f, \r) equals any other, and leading and
	// trailing whitespace is ignored.
	CheckTokens
)

var checkerNames = [...]string{
	CheckLines:  "lines",
	CheckExact:  "exact",
	CheckTokens: "tokens",
}

// valid reports whether c is one of the constants.
func (c Checker) valid() bool { return c >= CheckLines && c <= CheckTokens }

// String returns the name of c ("lines", "exact" or "tokens"), or "Checker(N)" for a
// value that is not a checker.
func (c Checker) String() string {
	if !c.valid() {
		return "Checker(" + strconv.Itoa(int(c)) + ")"
	}
	return checkerNames[c]
}

// ParseChecker returns the checker named s: "lines", "exact" or "tokens".
func ParseChecker(s string) (Checker, error) {
	for c, name := range checkerNames {
		if name == s {
			return Checker(c), nil
		}
	}
	return 0, fmt.Errorf("unknown checker %q (use lines, exact or tokens)", s)
}

// Set parses v with [ParseChecker] into c. With String and Type it makes *Checker a flag
// value (pflag.Value).
func (c *Checker) Set(v string) error {
	p, err := ParseChecker(v)
	if err != nil {
		return err
	}
	*c = p
	return nil
}

// Type returns "checker", the name flag usage messages give to a [Checker] argument.
func (c Checker) Type() string { return "checker" }

// MarshalText encodes c as its name. It fails for a value that is not a checker.
func (c Checker) MarshalText() ([]byte, error) {
	if !c.valid() {
		return nil, fmt.Errorf("marshal checker: invalid value %v", c)
	}
	return []byte(checkerNames[c]), nil
}

// UnmarshalText decodes a name with [ParseChecker].
func (c *Checker) UnmarshalText(text []byte) error { return c.Set(string(text)) }

// checkBufSize is the size of each fixed buffer [Checker.Compare] reads through.
const checkBufSize = 16 << 10

// checkBuffers are the fixed buffers of one comparison: for each side, the normalizer's
// input and the compared bytes.
type checkBuffers [4][checkBufSize]byte

// checkBufferPool keeps a judge that compares many small outputs from allocating
// fresh buffers each time.
var checkBufferPool = sync.Pool{New: func() any { return new(checkBuffers) }}

// Compare reads want and got and reports whether they match under c.
//
// It always reads got to EOF, even after a mismatch is known or want failed, because got
// is usually a pipe from a running program, which must never block on a full pipe. It
// stops reading want at the first difference. Memory use is bounded by a few fixed
// buffers plus, for [CheckLines], the longest run of whitespace that might turn out to
// end a line. A read error from either side is returned, wrapped, with false.
func (c Checker) Compare(want, got io.Reader) (bool, error) {
	if !c.valid() {
		_, _ = io.Copy(io.Discard, got)
		return false, fmt.Errorf("checker: unknown checker %v", c)
	}
	bufs := checkBufferPool.Get().(*checkBuffers)
	defer checkBufferPool.Put(bufs)
	w := &checkStream{r: c.normalize(want, bufs[0][:]), buf: bufs[1][:]}
	g := &checkStream{r: c.normalize(got, bufs[2][:]), buf: bufs[3][:]}
	equal := compareStreams(w, g)
	if g.err == nil && !g.eof {
		// The normalizer may hold input it has read; the rest is still in got.
		if _, err := io.Copy(io.Discard, got); err != nil {
			g.err = err
		}
	}
	switch {
	case w.err != nil:
		return false, fmt.Errorf("checker: read expected output: %w", w.err)
	case g.err != nil:
		return false, fmt.Errorf("checker: read output: %w", g.err)
	}
	return equal, nil
}

// normalize returns a reader of r's bytes as c compares them, which reads r through buf.
func (c Checker) normalize(r io.Reader, buf []byte) io.Reader {
	switch c {
	case CheckLines:
		return &lineNormalizer{src: &byteSource{r: r, buf: buf}}
	case CheckTokens:
		return &tokenNormalizer{src: &byteSource{r: r, buf: buf}}
	}
	return r
}

// compareStreams compares w and g byte by byte until they differ, both end, or one fails.
func compareStreams(w, g *checkStream) bool {
	for {
		if !w.fill() || !g.fill() {
			return false
		}
		n := min(len(w.data), len(g.data))
		if n == 0 {
			// At least one side has ended; they match only if both have.
			return len(w.data) == len(g.data)
		}
		if !bytes.Equal(w.data[:n], g.data[:n]) {
			return false
		}
		w.data, g.data = w.data[n:], g.data[n:]
	}
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

// byteSource is the input of a normalizer: a reader and a fixed buffer.
type byteSource struct {
	r   io.Reader
	buf []byte
	in  []byte // unread part of buf
	err error  // error that ended r, io.EOF at its end
}

// fill reads more input if none is buffered, and reports whether some is. When it
// reports false, the input has ended with src.err, or wait is false: a caller that
// already has bytes to return passes false so as not to block for more.
func (src *byteSource) fill(wait bool) bool {
	if len(src.in) == 0 && src.err == nil && wait {
		n, err := readSome(src.r, src.buf)
		src.in, src.err = src.buf[:n], err
	}
	return len(src.in) > 0
}

// Byte classes for the normalizers.
const (
	plainByte   = iota
	newlineByte // '\n'
	spaceByte   // whitespace other than '\n': space, \t, \r, \v, \f
)

var byteClass = [256]uint8{
	'\n': newlineByte,
	' ':  spaceByte, '\t': spaceByte, '\r': spaceByte, '\v': spaceByte, '\f': spaceByte,
}

// lineNormalizer reads src with the whitespace at the end of each line and the empty
// lines at the end of the stream removed. It holds back newlines and whitespace until the
// next other byte shows that they are not trailing; that byte stays unread in src until
// all of them have been returned.
type lineNormalizer struct {
	src      *byteSource
	newlines int64  // newlines held back
	spaces   []byte // whitespace held back, after the newlines
	sent     int    // bytes of spaces already returned
}

// Read implements io.Reader.
func (l *lineNormalizer) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && l.src.fill(n == 0) {
		in := l.src.in
		i := 0
	scan:
		for ; i < len(in) && n < len(p); i++ {
			switch c := in[i]; byteClass[c] {
			case newlineByte:
				l.newlines++
				l.spaces, l.sent = l.spaces[:0], 0
			case spaceByte:
				l.spaces = append(l.spaces, c)
			default:
				if l.newlines == 0 && len(l.spaces) == 1 && n+1 < len(p) {
					// Fast path: one space between two words.
					p[n] = l.spaces[0]
					n++
					l.spaces = l.spaces[:0]
				} else if l.newlines > 0 || len(l.spaces) > 0 {
					n += l.flush(p[n:])
					if n == len(p) {
						break scan // c stays unread
					}
				}
				p[n] = c
				n++
			}
		}
		l.src.in = in[i:]
	}
	if n == 0 {
		return 0, l.src.err // held-back bytes at the end are trailing: drop them
	}
	return n, nil
}

// flush copies held-back bytes into p, as many as fit, and returns how many it copied.
func (l *lineNormalizer) flush(p []byte) int {
	n := 0
	for ; l.newlines > 0 && n < len(p); n++ {
		p[n] = '\n'
		l.newlines--
	}
	k := copy(p[n:], l.spaces[l.sent:])
	l.sent += k
	if l.newlines == 0 && l.sent == len(l.spaces) {
		l.spaces, l.sent = l.spaces[:0], 0
		if cap(l.spaces) > checkBufSize {
			l.spaces = nil // let the memory of a huge run of whitespace go
		}
	}
	return n + k
}

// tokenNormalizer reads src with every run of whitespace between tokens replaced by one
// space, and the whitespace before the first token and after the last one removed.
type tokenNormalizer struct {
	src     *byteSource
	started bool // a token byte has been returned
	sep     bool // whitespace seen since the last token byte
}

// Read implements io.Reader.
func (t *tokenNormalizer) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && t.src.fill(n == 0) {
		in := t.src.in
		i := 0
	scan:
		for ; i < len(in) && n < len(p); i++ {
			c := in[i]
			if byteClass[c] != plainByte {
				t.sep = t.started
				continue
			}
			if t.sep {
				p[n] = ' '
				n++
				t.sep = false
				if n == len(p) {
					break scan // c stays unread
				}
			}
			p[n] = c
			n++
			t.started = true
		}
		t.src.in = in[i:]
	}
	if n == 0 {
		return 0, t.src.err
	}
	return n, nil
}
