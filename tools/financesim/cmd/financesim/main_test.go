package main

import "testing"

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:18090", true},
		{"localhost:18090", true},
		{"[::1]:18090", true},
		{"127.0.0.2:0", true},
		{":18090", false},
		{"0.0.0.0:18090", false},
		{"192.168.1.10:18090", false},
		{"example.com:80", false},
		{"no-port", false},
	}
	for _, tt := range tests {
		if got := checkLoopback(tt.addr) == nil; got != tt.ok {
			t.Errorf("checkLoopback(%q) accepted: got %v, want %v", tt.addr, got, tt.ok)
		}
	}
}
