package sqlsrc

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// timeLayouts are the layouts of the time types that are not timestamps,
// keyed by database type name; timestamps are written in time.RFC3339Nano.
var timeLayouts = map[string]string{
	"DATE":   time.DateOnly,
	"TIME":   "15:04:05.999999",
	"TIMETZ": "15:04:05.999999Z07:00",
}

// text returns the text of a value the driver scanned from a column of the
// database type typ. NULL is "". lib/pq hands numeric and most other types
// over as the server's text, which is kept as it is, so a NUMERIC never
// passes through a float; it decodes integers, booleans, floats, bytea and
// the time types, which are written back as text here.
func text(v any, typ string) string {
	switch v := v.(type) {
	case nil:
		return ""
	case []byte:
		if typ == "BYTEA" {
			return `\x` + hex.EncodeToString(v)
		}
		return string(v)
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return formatFloat(v, typ)
	case time.Time:
		return formatTime(v, typ)
	}

	return fmt.Sprint(v)
}

// formatTime writes a timestamp in RFC 3339 with its fractional seconds and
// zone; a timestamp without time zone comes from lib/pq at offset zero and
// is written with "Z". Dates and times of day get their own layouts.
func formatTime(t time.Time, typ string) string {
	if layout, ok := timeLayouts[typ]; ok {
		return t.Format(layout)
	}

	return t.Format(time.RFC3339Nano)
}

// formatFloat writes a float as PostgreSQL does: the shortest digits that
// read back as the same value, in exponent form when the exponent is below
// -4 or at least 15 (6 for a real).
func formatFloat(f float64, typ string) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}

	bits, digits := 64, 15
	if typ == "FLOAT4" {
		bits, digits = 32, 6
	}
	s := strconv.FormatFloat(f, 'e', -1, bits)
	exp, err := strconv.Atoi(s[strings.LastIndexByte(s, 'e')+1:])
	if err != nil || exp < -4 || exp >= digits {
		return s
	}

	return strconv.FormatFloat(f, 'f', -1, bits)
}
