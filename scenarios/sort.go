package scenarios

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
)

// sortBufSize is the size of the sort workload's input and output buffers.
const sortBufSize = 1 << 20

// sortInts reads an integer n and then n integers from stdin, and prints them
// in ascending order separated by single spaces, with a final newline.
// Anything after the n-th integer is ignored.
func sortInts(ctx context.Context, env Env) error {
	if err := nargs(env.Args, 0, 0); err != nil {
		return err
	}
	r := intReader{r: bufio.NewReaderSize(env.Stdin, sortBufSize)}
	n, err := r.next()
	if err != nil {
		return fmt.Errorf("read count: %w", err)
	}
	if n < 0 {
		return fmt.Errorf("read count: negative count %d", n)
	}
	a := make([]int64, 0, min(n, sortBufSize))
	for i := int64(0); i < n; i++ {
		v, err := r.next()
		if err != nil {
			return fmt.Errorf("read integer %d of %d: %w", i+1, n, err)
		}
		a = append(a, v)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	slices.Sort(a)
	return writeInts(env.Stdout, a)
}

// writeInts writes a as decimal integers separated by single spaces and
// followed by a newline.
func writeInts(w io.Writer, a []int64) error {
	buf := make([]byte, 0, 64<<10)
	for i, v := range a {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = strconv.AppendInt(buf, v, 10)
		if len(buf) > cap(buf)-32 {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err := w.Write(append(buf, '\n'))
	return err
}

// intReader reads whitespace-separated decimal integers.
type intReader struct {
	r *bufio.Reader
}

var (
	errEOF      = errors.New("unexpected end of input")
	errSyntax   = errors.New("not an integer")
	errOverflow = errors.New("integer out of range")
)

// next returns the next integer: an optional sign and decimal digits, ended by
// white space or the end of input.
func (r *intReader) next() (int64, error) {
	c, err := r.r.ReadByte()
	for err == nil && isSpace(c) {
		c, err = r.r.ReadByte()
	}
	if err != nil {
		return 0, eofError(err)
	}
	neg := c == '-'
	if c == '-' || c == '+' {
		if c, err = r.r.ReadByte(); err != nil {
			return 0, eofError(err)
		}
	}
	const limit = uint64(1) << 63 // magnitude of math.MinInt64
	var v uint64
	for {
		if c < '0' || c > '9' {
			return 0, errSyntax
		}
		d := uint64(c - '0')
		if v > (limit-d)/10 {
			return 0, errOverflow
		}
		v = v*10 + d
		c, err = r.r.ReadByte()
		if err == io.EOF || err == nil && isSpace(c) {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	if neg {
		return int64(-v), nil
	}
	if v == limit {
		return 0, errOverflow
	}
	return int64(v), nil
}

// eofError turns io.EOF into errEOF and returns other errors as they are.
func eofError(err error) error {
	if err == io.EOF {
		return errEOF
	}
	return err
}

// isSpace reports whether c is ASCII white space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

// SortCase returns a random case of the sort workload: input holds n and then
// n integers in [-1e9, 1e9], output the same integers sorted, both in the
// workload's formats. The same n and seed give the same case; n < 0 counts
// as 0.
func SortCase(n int, seed int64) (input, output []byte) {
	n = max(n, 0)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	a := make([]int64, n)
	for i := range a {
		a[i] = rng.Int64N(2e9+1) - 1e9
	}
	var in, out bytes.Buffer
	in.WriteString(strconv.Itoa(n) + "\n")
	writeInts(&in, a)
	slices.Sort(a)
	writeInts(&out, a)
	return in.Bytes(), out.Bytes()
}
