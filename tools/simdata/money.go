package simdata

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an exact amount in fen (0.01 yuan). It is never a float.
type Money int64

// Fen per yuan and per 万元 (10,000 yuan), the unit sources publish in.
const (
	FenPerYuan Money = 100
	FenPerWan  Money = 1_000_000
)

// String writes the amount in yuan with exactly two decimals ("-12.50").
func (m Money) String() string { return string(m.Append(nil)) }

// Append appends the amount as String writes it.
func (m Money) Append(buf []byte) []byte {
	v := int64(m)
	if v < 0 {
		buf = append(buf, '-')
		v = -v
	}
	buf = strconv.AppendInt(buf, v/100, 10)
	buf = append(buf, '.')

	return appendDigits(buf, int(v%100), 2)
}

// ParseYuan reads a decimal amount in yuan with at most two decimals.
func ParseYuan(s string) (Money, error) {
	m, err := parseScaled(s, 2)
	if err != nil {
		return 0, fmt.Errorf("parsing yuan amount %q: %w", s, err)
	}

	return Money(m), nil
}

// ParseWan reads a decimal amount in 万元 with at most six decimals, the
// precision that still converts to whole fen.
func ParseWan(s string) (Money, error) {
	m, err := parseScaled(s, 6)
	if err != nil {
		return 0, fmt.Errorf("parsing 万元 amount %q: %w", s, err)
	}

	return Money(m), nil
}

// parseScaled reads a plain decimal and returns it times 10^scale, failing
// when it has more decimals than scale or overflows.
func parseScaled(s string, scale int) (int64, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > scale || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, fmt.Errorf("not a decimal with at most %d places", scale)
	}

	digits := whole + frac + strings.Repeat("0", scale-len(frac))
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("out of range")
	}
	if neg {
		v = -v
	}

	return v, nil
}
