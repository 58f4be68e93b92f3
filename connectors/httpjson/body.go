package httpjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"fundhub/connectors"
)

// answer is a page as the source sent it.
type answer struct {
	records []any
	// next is the next link or token, "" on the last page.
	next   string
	body   []byte
	status int
}

// decodeAnswer reads a response body: the records at the dotted path
// records ("" for the body itself) and the next link or token at nextPath
// ("" when the paging mode has none). Numbers are kept as json.Number, so
// their text stays exact.
func decodeAnswer(body []byte, records, nextPath string) (*answer, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("the body is not valid JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("the body has more after its JSON value")
	}

	list, err := recordList(doc, records)
	if err != nil {
		return nil, err
	}
	next, err := nextValue(doc, nextPath)
	if err != nil {
		return nil, err
	}

	return &answer{records: list, next: next, body: body}, nil
}

func recordList(doc any, path string) ([]any, error) {
	v, ok := lookup(doc, path)
	if !ok {
		return nil, fmt.Errorf("the body has no %q", path)
	}

	list, ok := v.([]any)
	switch {
	case ok:
		return list, nil
	case path == "":
		return nil, fmt.Errorf("the body is %s, not an array of records", kindOf(v))
	}

	return nil, fmt.Errorf("%q in the body is %s, not an array of records", path, kindOf(v))
}

// nextValue returns the link or token at path, "" when it is missing or
// null.
func nextValue(doc any, path string) (string, error) {
	if path == "" {
		return "", nil
	}

	v, _ := lookup(doc, path)
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	}

	return "", fmt.Errorf("%q in the body is %s, not a link or token", path, kindOf(v))
}

// lookup follows a dotted path of object keys from v.
func lookup(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}

	for _, name := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[name]; !ok {
			return nil, false
		}
	}

	return v, true
}

// makeRows turns the records of page n into rows, leaving out those inc
// says were loaded already. A row's Ref is path#n:i, i counting from 1.
func makeRows(path string, n int, records []any, inc *tracker) []connectors.Row {
	rows := make([]connectors.Row, 0, len(records))
	for i, rec := range records {
		row := makeRow(fmt.Sprintf("%s#%d:%d", path, n, i+1), rec)
		if inc.admit(&row) {
			rows = append(rows, row)
		}
	}

	return rows
}

// makeRow flattens a record into a row, or sets Err when it cannot.
func makeRow(ref string, rec any) connectors.Row {
	obj, ok := rec.(map[string]any)
	if !ok {
		return connectors.Row{Ref: ref, Values: map[string]string{},
			Err: fmt.Errorf("the record is %s, not a JSON object", kindOf(rec))}
	}

	values := make(map[string]string, len(obj))
	err := flatten(values, "", obj)

	return connectors.Row{Ref: ref, Values: values, Err: err}
}

// flatten adds the fields of obj to values, keyed by their dotted path
// folded by connectors.NormalizeText, as mappings look them up. Two fields
// folding to one key (a "voucher.amount" field beside a voucher object with
// an amount) are an error rather than one silently hiding the other.
func flatten(values map[string]string, prefix string, obj map[string]any) error {
	for name, v := range obj {
		key := prefix + name
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			if err := flatten(values, key+".", sub); err != nil {
				return err
			}
			continue
		}

		norm := connectors.NormalizeText(key)
		if _, dup := values[norm]; dup {
			return fmt.Errorf("the record has two fields named %q", norm)
		}
		values[norm] = text(v)
	}

	return nil
}

// text is the cell text of a JSON value: strings as they are, numbers as
// written, "true" or "false", "" for null, and arrays and empty objects as
// compact JSON.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "true"
		}
		return "false"
	}

	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	// A decoded value always encodes: its numbers are valid JSON numbers.
	_ = enc.Encode(v)

	return strings.TrimSuffix(b.String(), "\n")
}

// kindOf names the JSON type of a decoded value, for messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	}

	return "an object"
}
