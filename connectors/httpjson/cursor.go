package httpjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fundhub/connectors"
)

// stamp is an update time as the source wrote it, with the instant it
// names. The instant is whole seconds plus the digits of the fraction, so
// times compare exactly at any precision, beyond nanoseconds too.
type stamp struct {
	text string
	sec  int64
	// frac is the fraction's digits without trailing zeros: "5" for .500.
	frac string
}

// parseStamp reads an RFC 3339 time with any number of fraction digits and
// a zone ("Z" or ±hh:mm), taking a space or "t" for the "T".
func parseStamp(s string) (stamp, error) {
	s = strings.TrimSpace(s)
	if len(s) < 20 {
		return stamp{}, fmt.Errorf("%q is not an RFC 3339 time with a zone", s)
	}

	b := []byte(s)
	if b[10] == ' ' || b[10] == 't' {
		b[10] = 'T'
	}
	rest := b[19:]
	frac := ""
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		frac, rest = string(rest[1:n]), rest[n:]
	}
	zone := strings.Replace(string(rest), "z", "Z", 1)

	t, err := time.Parse(time.RFC3339, string(b[:19])+zone)
	if err != nil || (frac == "" && b[19] == '.') {
		return stamp{}, fmt.Errorf("%q is not an RFC 3339 time with a zone", s)
	}

	return stamp{text: s, sec: t.Unix(), frac: strings.TrimRight(frac, "0")}, nil
}

// compare orders two stamps by the instant they name.
func (a stamp) compare(b stamp) int {
	if c := compareInt(a.sec, b.sec); c != 0 {
		return c
	}

	// Without trailing zeros, digit strings order as the fractions do.
	return strings.Compare(a.frac, b.frac)
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}

	return 0
}

// storedCursor is the JSON of a cursor.
type storedCursor struct {
	Time string   `json:"time"`
	Keys []string `json:"keys"`
}

// tracker follows the update times of an incremental Read: the stored
// cursor it started from and the latest time seen since, with the keys
// loaded at it. A nil tracker is a Read without Incremental: it skips
// nothing and keeps no cursor.
type tracker struct {
	timeKey, keyKey string
	stored          *stamp
	storedKeys      map[string]bool
	max             *stamp
	// maxKeys are the keys at max in the order read; atMax holds the same.
	maxKeys []string
	atMax   map[string]bool
	// moves counts the times max moved or gained a key: a page that does
	// not change it made no progress.
	moves int
}

// newTracker starts from cursor, "" for the start.
func newTracker(inc *connectors.Incremental, cursor string) (*tracker, error) {
	if inc == nil {
		return nil, nil
	}

	t := &tracker{timeKey: connectors.NormalizeText(inc.TimeField),
		keyKey: connectors.NormalizeText(inc.KeyField)}
	if cursor == "" {
		return t, nil
	}

	var c storedCursor
	if err := json.Unmarshal([]byte(cursor), &c); err != nil {
		return nil, errors.New("the stored cursor is not one this source writes")
	}
	st, err := parseStamp(c.Time)
	if err != nil {
		return nil, fmt.Errorf("the stored cursor's time: %w", err)
	}
	t.stored, t.storedKeys = &st, map[string]bool{}
	t.max, t.maxKeys, t.atMax = &st, slices.Clone(c.Keys), map[string]bool{}
	for _, k := range c.Keys {
		t.storedKeys[k], t.atMax[k] = true, true
	}

	return t, nil
}

// since is the stored time as the source wrote it, "" at the start.
func (t *tracker) since() string {
	if t == nil || t.stored == nil {
		return ""
	}

	return t.stored.text
}

// admit reports whether row is new: not a record at the stored time whose
// key the stored cursor holds. It moves the latest time on with the row,
// and sets Err on a row whose time or key cannot be read, which then
// leaves the cursor where it is.
func (t *tracker) admit(row *connectors.Row) bool {
	if t == nil || row.Err != nil {
		return true
	}

	st, key, err := t.read(row)
	if err != nil {
		row.Err = err
		return true
	}
	if t.stored != nil && st.compare(*t.stored) == 0 && t.storedKeys[key] {
		return false
	}
	// Asked again from the latest time, the source answers the records at
	// that time once more: those already read are skipped by key.
	if t.max != nil && st.compare(*t.max) == 0 && t.atMax[key] {
		return false
	}

	t.see(st, key)

	return true
}

// read returns a row's update time and key.
func (t *tracker) read(row *connectors.Row) (stamp, string, error) {
	raw, ok := row.Values[t.timeKey]
	if !ok || strings.TrimSpace(raw) == "" {
		return stamp{}, "", fmt.Errorf("the record has no update time %s", t.timeKey)
	}
	st, err := parseStamp(raw)
	if err != nil {
		return stamp{}, "", fmt.Errorf("update time %s: %w", t.timeKey, err)
	}

	key := strings.TrimSpace(row.Values[t.keyKey])
	if key == "" {
		return stamp{}, "", fmt.Errorf("the record has no key %s", t.keyKey)
	}

	return st, key, nil
}

// see moves the latest time on to st, or adds key to those at it.
func (t *tracker) see(st stamp, key string) {
	switch {
	case t.max == nil || st.compare(*t.max) > 0:
		t.max, t.maxKeys, t.atMax = &st, []string{key}, map[string]bool{key: true}
		t.moves++
	case st.compare(*t.max) == 0 && !t.atMax[key]:
		t.maxKeys = append(t.maxKeys, key)
		t.atMax[key] = true
		t.moves++
	}
}

// progress returns the count of moves, to tell whether a page moved on.
func (t *tracker) progress() int {
	if t == nil {
		return 0
	}

	return t.moves
}

// latest is the latest time seen as the source wrote it, "" before any.
func (t *tracker) latest() string {
	if t == nil || t.max == nil {
		return ""
	}

	return t.max.text
}

// cursor is the cursor covering every row admitted so far: the latest time
// and the keys at it. It is "" without Incremental or before any time.
func (t *tracker) cursor() string {
	if t == nil || t.max == nil {
		return ""
	}

	// A struct of strings always encodes.
	b, _ := json.Marshal(storedCursor{Time: t.max.text, Keys: t.maxKeys})

	return string(b)
}
