package scalar

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"
)

func TestDecimal_RoundTrip(t *testing.T) {
	tests := []struct {
		in      any
		want    string
		wantErr bool
	}{
		{in: "198000000.00", want: "198000000"},
		{in: "0.1", want: "0.1"},
		{in: "12345678901234567890.12", want: "12345678901234567890.12"},
		{in: "-35.5", want: "-35.5"},
		{in: 42, want: "42"},
		{in: json.Number("7"), want: "7"},
		{in: 0.1, wantErr: true},
		{in: "1,234", wantErr: true},
		{in: "abc", wantErr: true},
		{in: true, wantErr: true},
	}
	for _, tt := range tests {
		d, err := UnmarshalDecimal(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("UnmarshalDecimal(%v): got error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}

		var b bytes.Buffer
		MarshalDecimal(d).MarshalGQL(&b)
		if b.String() != `"`+tt.want+`"` {
			t.Errorf("MarshalDecimal(%v): got %s, want %q", tt.in, b.String(), tt.want)
		}
	}
}

func TestDecimal_MarshalsAsString(t *testing.T) {
	var b bytes.Buffer
	MarshalDecimal(decimal.RequireFromString("0.30")).MarshalGQL(&b)

	var s string
	if err := json.Unmarshal(b.Bytes(), &s); err != nil {
		t.Fatalf("got %s, want a JSON string: %v", b.String(), err)
	}
}

func TestDate_And_ID(t *testing.T) {
	if _, err := UnmarshalDate("2024-05-12"); err != nil {
		t.Errorf("UnmarshalDate(2024-05-12): got %v, want no error", err)
	}
	for _, bad := range []any{"2024/5/12", "2024-13-01", 20240512} {
		if _, err := UnmarshalDate(bad); err == nil {
			t.Errorf("UnmarshalDate(%v): got no error, want one", bad)
		}
	}

	if id, err := UnmarshalID("42"); err != nil || id != 42 {
		t.Errorf("UnmarshalID(42): got %d %v, want 42", id, err)
	}
	for _, bad := range []any{"0", "-1", "x", "1.5", 2.5} {
		if _, err := UnmarshalID(bad); err == nil {
			t.Errorf("UnmarshalID(%v): got no error, want one", bad)
		}
	}
}
