package simdata

import (
	"fmt"
	"strings"
	"time"
)

// Zone is China Standard Time (+08:00), the zone every source writes in.
var Zone = time.FixedZone("CST", 8*3600)

// TimeLayout is the updated_at format of the sources: RFC 3339 with exactly
// six fractional digits and the +08:00 zone.
const TimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// Micros returns t as microseconds since the Unix epoch, dropping anything
// finer.
func Micros(t time.Time) int64 { return t.UnixMicro() }

// FormatMicros writes a time given in microseconds since the epoch in
// TimeLayout.
func FormatMicros(us int64) string { return string(AppendMicros(nil, us)) }

// AppendMicros appends a time given in microseconds since the epoch in
// TimeLayout. It is FormatMicros without the allocation, for hot paths.
func AppendMicros(buf []byte, us int64) []byte {
	t := time.UnixMicro(us).In(Zone)
	buf = AppendDate(buf, t)
	h, m, s := t.Clock()
	buf = append(buf, 'T')
	buf = appendDigits(buf, h, 2)
	buf = append(buf, ':')
	buf = appendDigits(buf, m, 2)
	buf = append(buf, ':')
	buf = appendDigits(buf, s, 2)
	buf = append(buf, '.')
	buf = appendDigits(buf, t.Nanosecond()/1000, 6)

	return append(buf, "+08:00"...)
}

// AppendDate appends the day of t in Zone as YYYY-MM-DD.
func AppendDate(buf []byte, t time.Time) []byte {
	y, mo, d := t.In(Zone).Date()
	buf = appendDigits(buf, y, 4)
	buf = append(buf, '-')
	buf = appendDigits(buf, int(mo), 2)
	buf = append(buf, '-')

	return appendDigits(buf, d, 2)
}

// appendDigits appends n, not negative, padded with zeros to width digits.
func appendDigits(buf []byte, n, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for n > 0 || i > len(tmp)-width {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}

	return append(buf, tmp[i:]...)
}

// ParseTime reads an RFC 3339 time of any precision. It forgives a "+" of
// the zone that arrived as a space because a client did not escape it in a
// query string ("...09:00:00.5 08:00").
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t, nil
	}

	if i := strings.LastIndexByte(s, ' '); i > 10 {
		fixed := s[:i] + "+" + s[i+1:]
		if t2, err2 := time.Parse(time.RFC3339Nano, fixed); err2 == nil {
			return t2, nil
		}
	}

	return time.Time{}, fmt.Errorf("parsing time %q: want RFC 3339 such as %s", s,
		"2026-01-05T09:00:00.000000+08:00")
}

// Date returns midnight of the day in Zone.
func Date(year int, month time.Month, day int) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, Zone)
}

// FormatDate writes the day of t in Zone as YYYY-MM-DD.
func FormatDate(t time.Time) string { return string(AppendDate(nil, t)) }
