package financesim

import (
	"runtime"
	"testing"
	"time"
)

// TestTwoHundredThousandVouchers builds a sim of 200,000 vouchers and reads
// them all over HTTP, in a few seconds and without holding them in memory.
func TestTwoHundredThousandVouchers(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 200,000 vouchers")
	}
	const n = 200_000
	start := time.Now()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	s := New(Options{Seed: 1, Vouchers: n})
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 8<<20 {
		t.Errorf("heap after New: grew %d bytes, want under 8 MiB", grown)
	}

	count, last := 0, ""
	walkVouchers(t, s, func(rec voucherKey) {
		count++
		key := rec.UpdatedAt + rec.VoucherNo
		if key <= last {
			t.Fatalf("voucher %d: got key %s after %s, want increasing", count, key, last)
		}
		last = key
	})

	if count != n {
		t.Errorf("vouchers: got %d, want %d", count, n)
	}
	if took, limit := time.Since(start), 5*time.Second*slowdown; took > limit {
		t.Errorf("building and reading: took %v, want under %v", took, limit)
	}
}

// voucherKey is the part of a voucher the scale test decodes.
type voucherKey struct {
	VoucherNo string `json:"voucher_no"`
	UpdatedAt string `json:"updated_at"`
}

// walkVouchers reads every voucher a page at a time, keeping none.
func walkVouchers(t *testing.T, s *Sim, fn func(voucherKey)) {
	t.Helper()
	cursor := ""
	for {
		q := map[string][]string{"limit": {itoa(MaxPageSize)}}
		if cursor != "" {
			q["cursor"] = []string{cursor}
		}
		type page struct {
			Data struct {
				Items      []voucherKey `json:"items"`
				NextCursor string       `json:"next_cursor"`
			} `json:"data"`
		}
		resp := decode[page](t, get(t, s, VouchersPath, q))
		for _, rec := range resp.Data.Items {
			fn(rec)
		}
		if resp.Data.NextCursor == "" {
			return
		}
		cursor = resp.Data.NextCursor
	}
}
