package sqlsrc

import (
	"testing"
)

func TestParseCursor(t *testing.T) {
	tests := []struct {
		cursor string
		want   *position
		ok     bool
	}{
		{``, nil, true},
		{`{"time":"2024-01-01T00:00:00.5+08:00","key":"a b"}`,
			&position{Time: "2024-01-01T00:00:00.5+08:00", Key: "a b"}, true},
		{`{"time":"2024-01-01T00:00:00Z","key":""}`,
			&position{Time: "2024-01-01T00:00:00Z", Key: ""}, true},
		{`{"time":"2024-01-01T00:00:00Z"}`, nil, false},
		{`{"key":"1"}`, nil, false},
		{`{"time":"","key":"1"}`, nil, false},
		{`{"time":"2024-01-01T00:00:00Z","key":"1","page":2}`, nil, false},
		{`{"time":"2024-01-01T00:00:00Z","key":"1"} x`, nil, false},
		{`2024-01-01`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.cursor, func(t *testing.T) {
			got, err := parseCursor(tt.cursor)

			switch {
			case tt.ok && err != nil:
				t.Fatalf("got error %v, want none", err)
			case !tt.ok && err == nil:
				t.Fatalf("got %v, want an error", got)
			case tt.ok && got.String() != tt.want.String():
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPosition_EncodeReadsBack(t *testing.T) {
	p := &position{Time: "2024-01-01T00:00:00.000001Z", Key: `<"key">`}

	got, err := parseCursor(p.encode())

	if err != nil || *got != *p {
		t.Errorf("got %v (error %v), want %v", got, err, p)
	}
}
