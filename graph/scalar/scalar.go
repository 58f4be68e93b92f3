// Package scalar holds the custom GraphQL scalars of fundhub: Decimal for
// money (a string, never a float), Date for calendar days, and ID for the
// int64 keys of the database. gqlgen.yml binds the schema's scalars to the
// Marshal and Unmarshal functions here.
package scalar

import (
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/shopspring/decimal"

	"fundhub"
)

// MarshalDecimal writes d as a JSON string, so clients never parse money
// into a binary float.
func MarshalDecimal(d decimal.Decimal) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(d.String()))
	})
}

// UnmarshalDecimal reads a Decimal from a string such as "1234.50". An
// integer literal is accepted too; a float literal is refused, since its
// digits may already be lost.
func UnmarshalDecimal(v any) (decimal.Decimal, error) {
	switch x := v.(type) {
	case string:
		d, err := decimal.NewFromString(x)
		if err != nil {
			return decimal.Zero, fundhub.Invalid("", "Decimal %q is not a decimal number", x)
		}
		return d, nil
	case int:
		return decimal.NewFromInt(int64(x)), nil
	case int64:
		return decimal.NewFromInt(x), nil
	case json.Number:
		return UnmarshalDecimal(string(x))
	}

	return decimal.Zero, fundhub.Invalid("", "Decimal must be a string such as "+
		"\"1234.50\", got %T", v)
}

// MarshalDate writes t as YYYY-MM-DD.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

// UnmarshalDate reads a YYYY-MM-DD string.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fundhub.Invalid("", "Date must be a string YYYY-MM-DD, got %T", v)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fundhub.Invalid("", "Date %q is not YYYY-MM-DD", s)
	}

	return t, nil
}

// MarshalID writes an int64 key as a GraphQL ID string.
func MarshalID(id int64) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(strconv.FormatInt(id, 10)))
	})
}

// UnmarshalID reads an ID given as a string or an integer.
func UnmarshalID(v any) (int64, error) {
	switch x := v.(type) {
	case string:
		id, err := strconv.ParseInt(x, 10, 64)
		if err != nil || id <= 0 {
			return 0, fundhub.Invalid("", "ID %q is not a positive integer", x)
		}
		return id, nil
	case int:
		return UnmarshalID(strconv.Itoa(x))
	case int64:
		return UnmarshalID(strconv.FormatInt(x, 10))
	case json.Number:
		return UnmarshalID(string(x))
	}

	return 0, fundhub.Invalid("", "ID must be a string, got %T", v)
}
