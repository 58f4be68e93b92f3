package main

import "testing"

func TestCheckLocal(t *testing.T) {
	t.Setenv("PGHOST", "")
	tests := []struct {
		dsn  string
		want bool
	}{
		{"postgres:///reserve?host=/work/main/.pg/run&sslmode=disable", true},
		{"postgres://user@localhost:5432/reserve", true},
		{"postgres://127.0.0.1/reserve", true},
		{"postgres://[::1]:5432/reserve", true},
		{"postgresql://db.example.com/reserve", false},
		{"postgres://10.0.0.5/reserve", false},
		{"postgres:///reserve?host=db.example.com", false},
		{"host=/tmp dbname=reserve", true},
		{"host=localhost,127.0.0.1 dbname=reserve", true},
		{"host=192.168.1.2 dbname=reserve", false},
		{"dbname=reserve", true},
	}
	for _, tt := range tests {
		if got := checkLocal(tt.dsn) == nil; got != tt.want {
			t.Errorf("checkLocal(%q) accepted: got %v, want %v", tt.dsn, got, tt.want)
		}
	}

	t.Setenv("PGHOST", "db.example.com")
	if checkLocal("dbname=reserve") == nil {
		t.Errorf("checkLocal with remote PGHOST: got accepted, want refused")
	}
}
