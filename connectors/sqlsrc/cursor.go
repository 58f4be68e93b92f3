package sqlsrc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// position is where a batch ends: the time and key text of its last row,
// which the next batch starts strictly after.
type position struct {
	Time string `json:"time"`
	Key  string `json:"key"`
}

// String describes the position for error messages.
func (p *position) String() string {
	if p == nil {
		return "the start"
	}

	return fmt.Sprintf("time %s, key %q", p.Time, p.Key)
}

// encode returns the position as a page's cursor.
func (p *position) encode() string {
	// Marshalling a struct of two strings cannot fail.
	b, _ := json.Marshal(p)

	return string(b)
}

// parseCursor reads a cursor that encode wrote; "" gives nil, the start.
func parseCursor(cursor string) (*position, error) {
	if cursor == "" {
		return nil, nil
	}

	var raw struct {
		Time *string `json:"time"`
		Key  *string `json:"key"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(cursor)))
	dec.DisallowUnknownFields()
	err := dec.Decode(&raw)
	if err == nil && (raw.Time == nil || *raw.Time == "" || raw.Key == nil) {
		err = errors.New("want a time and a key")
	}
	if err == nil && dec.More() {
		err = errors.New("text follows the object")
	}
	if err != nil {
		return nil, fmt.Errorf("reading sql cursor %q: %w", cursor, err)
	}

	return &position{Time: *raw.Time, Key: *raw.Key}, nil
}
