package sandbox

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Size is an amount of memory or output in bytes.
//
// Its text form, used by flags and JSON, is a whole number followed by a binary unit:
// "256MiB", "64K", "1GiB", "100B" (see [ParseSize]).
type Size int64

// Byte, KiB, MiB and GiB are the units of a [Size]. Only binary multiples exist: there is
// no kilobyte of 1000 bytes.
const (
	Byte Size = 1
	KiB       = 1024 * Byte
	MiB       = 1024 * KiB
	GiB       = 1024 * MiB
)

// sizeUnitHint lists the accepted units; it ends every unit error.
const sizeUnitHint = "use B, K/KiB, M/MiB, G/GiB"

// sizeUnits maps a lower-cased unit to its multiple. The empty unit means bytes.
var sizeUnits = map[string]Size{
	"": Byte, "b": Byte,
	"k": KiB, "kib": KiB,
	"m": MiB, "mib": MiB,
	"g": GiB, "gib": GiB,
}

// ParseSize parses a size such as "256MiB", "256M", "64K", "1.5GiB", "100B" or "4096" (bytes).
//
// Units are binary multiples, case-insensitive: B, K or KiB, M or MiB, G or GiB. Decimal
// units such as "MB" are rejected rather than guessed at. A decimal fraction is allowed
// and the result is rounded down to whole bytes. Negative sizes, sizes past the range of
// int64 and surrounding spaces are errors.
func ParseSize(s string) (Size, error) {
	switch {
	case s == "":
		return 0, sizeError(s, "empty")
	case strings.TrimSpace(s) != s:
		return 0, sizeError(s, "surrounding spaces")
	case s[0] == '-':
		return 0, sizeError(s, "negative")
	}
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(s)
	}
	number, unit := s[:i], s[i:]
	whole, frac, hasPoint := strings.Cut(number, ".")
	if whole == "" {
		return 0, sizeError(s, "missing number")
	}
	mult, ok := sizeUnits[strings.ToLower(unit)]
	if !ok {
		return 0, sizeError(s, "unknown unit %q (%s)", unit, sizeUnitHint)
	}
	switch {
	case hasPoint && frac == "":
		return 0, sizeError(s, "missing digits after the decimal point")
	case strings.Contains(frac, "."):
		return 0, sizeError(s, "more than one decimal point")
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || n > math.MaxInt64/int64(mult) {
		return 0, sizeError(s, "out of range (max %dB)", int64(math.MaxInt64))
	}
	total, extra := n*int64(mult), fractionBytes(frac, mult)
	if total > math.MaxInt64-extra {
		return 0, sizeError(s, "out of range (max %dB)", int64(math.MaxInt64))
	}
	return Size(total + extra), nil
}

// fractionBytes returns ⌊0.frac × mult⌋ for a string of decimal digits frac.
func fractionBytes(frac string, mult Size) int64 {
	if frac == "" || mult == Byte {
		return 0
	}
	// mult is 2^k with k ≤ 30, so every multiple of 1/mult is a decimal of at most
	// 30 digits: cutting frac to 30 digits cannot move the result across one.
	if len(frac) > 30 {
		frac = frac[:30]
	}
	f, _ := new(big.Int).SetString(frac, 10)
	f.Mul(f, big.NewInt(int64(mult)))
	f.Quo(f, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(frac))), nil))
	return f.Int64()
}

func sizeError(s, format string, args ...any) error {
	return fmt.Errorf("invalid size %q: %s", s, fmt.Sprintf(format, args...))
}

// String formats s in the largest unit that divides it exactly: "256MiB", "1GiB",
// "1536KiB", "1000B", "0B". [ParseSize] reads it back unchanged.
func (s Size) String() string {
	switch {
	case s == 0:
		return "0B"
	case s%GiB == 0:
		return strconv.FormatInt(int64(s/GiB), 10) + "GiB"
	case s%MiB == 0:
		return strconv.FormatInt(int64(s/MiB), 10) + "MiB"
	case s%KiB == 0:
		return strconv.FormatInt(int64(s/KiB), 10) + "KiB"
	}
	return strconv.FormatInt(int64(s), 10) + "B"
}

// Set parses v with [ParseSize] into s. With String and Type it makes *Size a flag value
// (pflag.Value).
func (s *Size) Set(v string) error {
	n, err := ParseSize(v)
	if err != nil {
		return err
	}
	*s = n
	return nil
}

// Type returns "size", the name flag usage messages give to a [Size] argument.
func (s Size) Type() string { return "size" }

// MarshalText encodes s as [Size.String] does.
func (s Size) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes text with [ParseSize].
func (s *Size) UnmarshalText(text []byte) error { return s.Set(string(text)) }
