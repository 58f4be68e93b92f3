package financesim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"fundhub/tools/simdata"
)

// parseSince reads an updated_since value.
func parseSince(v string) (time.Time, error) {
	t, err := simdata.ParseTime(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("updated_since: %w", err)
	}

	return t, nil
}

// malformed turns the rows into page items, spoiling them as MalformNext
// asked: the first becomes a JSON string, the second's amount an object.
// The caller holds s.mu.
func (s *Sim) malformed(rows []row, fields []string) []any {
	items := make([]any, len(rows))
	for i, r := range rows {
		if r.raw != nil {
			items[i] = r.raw
		} else {
			items[i] = r.rec
		}
	}
	if !s.faults.malform || len(rows) == 0 {
		return items
	}

	s.faults.malform = false
	if b, err := appendRecord(nil, fields, rows[0].rec); err == nil {
		items[0] = string(b)
	}
	if len(rows) > 1 {
		rows[1].rec["amount"] = map[string]any{"value": rows[1].rec["amount"], "unit": "元"}
	}

	return items
}

// encodePage writes {"code":0,"data":{"items":[...],<extra>}}.
func encodePage(fields []string, items []any, extra string) ([]byte, error) {
	buf := make([]byte, 0, 64+len(items)*400)
	buf = append(buf, `{"code":0,"data":{"items":[`...)

	var err error
	for i, it := range items {
		if i > 0 {
			buf = append(buf, ',')
		}
		switch v := it.(type) {
		case map[string]any:
			buf, err = appendRecord(buf, fields, v)
		case []byte:
			buf = append(buf, v...)
		default:
			buf, err = appendJSON(buf, v)
		}
		if err != nil {
			return nil, fmt.Errorf("encoding item %d: %w", i, err)
		}
	}

	buf = append(buf, "],"...)
	buf = append(buf, extra...)

	return append(buf, "}}"...), nil
}

// appendRecord writes a record's fields in the order given, then any
// others a test added, sorted.
func appendRecord(buf []byte, fields []string, rec map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(rec))
	for _, f := range fields {
		if _, ok := rec[f]; ok {
			keys = append(keys, f)
		}
	}
	var extra []string
	for k := range rec {
		if !slices.Contains(fields, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)

	buf = append(buf, '{')
	for i, k := range append(keys, extra...) {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendQuote(buf, k)
		buf = append(buf, ':')
		var err error
		if buf, err = appendJSON(buf, rec[k]); err != nil {
			return nil, fmt.Errorf("field %s: %w", k, err)
		}
	}

	return append(buf, '}'), nil
}

func appendJSON(buf []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}

	return append(buf, b...), nil
}

// encodeCursor makes the opaque next_cursor of the last record served.
func encodeCursor(k key) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(k.ts, 10) + "|" + k.id))
}

func decodeCursor(c string) (key, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		ts, id, ok := strings.Cut(string(b), "|")
		n, perr := strconv.ParseInt(ts, 10, 64)
		if ok && perr == nil && id != "" {
			return key{ts: n, id: id}, nil
		}
	}

	return key{}, fmt.Errorf("cursor %q is not one this server gave out", c)
}

// appendString writes s as a JSON string. It escapes what JSON requires
// and passes other text, such as Chinese, through as UTF-8.
func appendString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			buf = append(buf, '\\', c)
		case c < 0x20:
			buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			buf = append(buf, c)
		}
	}

	return append(buf, '"')
}

// writeError answers {"code":status,"message":...}.
func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"code": status, "message": msg})
	w.Write(b)
}

// dropMidBody sends a 200 whose header promises the whole body, sends half
// of it and closes the connection. Without a connection to hijack (an
// httptest.ResponseRecorder), it writes the header and half the body.
func dropMidBody(w http.ResponseWriter, body []byte) {
	head := "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		return
	}

	conn, rw, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	rw.WriteString(head)
	rw.Write(body[:len(body)/2])
	rw.Flush()
}
