package sandbox

import "io"

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
