package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// copyRate times PostgreSQL's COPY of the vouchers into a table shaped like
// the hub's payments: its columns, defaults and indexes, and the keys to
// regions and allocations, so COPY does the index and key work the
// connectors do.
func (e *env) copyRate(ctx context.Context) (time.Duration, error) {
	allocs := map[string]int64{}
	rows, err := e.db.SQL().QueryContext(ctx, `SELECT external_id, allocation_id
		FROM allocation_sources WHERE source_system = 'finance-indicators'`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var ref string
		var id int64
		if err := rows.Scan(&ref, &id); err != nil {
			return 0, err
		}
		allocs[ref] = id
	}
	rows.Close()

	_, err = e.db.SQL().ExecContext(ctx, `CREATE TABLE bench_copy
		(LIKE payments INCLUDING ALL);
		ALTER TABLE bench_copy ADD FOREIGN KEY (region_code) REFERENCES regions (code),
			ADD FOREIGN KEY (allocation_id) REFERENCES allocations (id)`)
	if err != nil {
		return 0, fmt.Errorf("creating the COPY table: %w", err)
	}

	path, err := e.writeCopyFile(allocs)
	if err != nil {
		return 0, err
	}

	// The server reads the file itself: COPY at its fastest, with no client
	// in the way.
	start := time.Now()
	_, err = e.db.SQL().ExecContext(ctx, `COPY bench_copy (allocation_id, region_code,
		amount, paid_on, reverses_external_id, project_code, source_system, external_id,
		last_synced_at) FROM `+pq.QuoteLiteral(path)+` WITH (FORMAT csv)`)
	if err != nil {
		return 0, fmt.Errorf("COPY (the bench needs a superuser, as make bench's "+
			"private cluster gives): %w", err)
	}

	return time.Since(start), nil
}

// writeCopyFile writes the vouchers as rows of the payments table to a file
// the database server can read.
func (e *env) writeCopyFile(allocs map[string]int64) (string, error) {
	path := filepath.Join(e.dir, "copy.csv")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	w := csv.NewWriter(f)
	now := time.Now().Format(time.RFC3339Nano)
	for _, r := range e.vouchers {
		alloc := ""
		if id, ok := allocs[r[1]]; ok {
			alloc = fmt.Sprint(id)
		}
		w.Write([]string{alloc, r[2], r[4], r[6], r[5], r[3], "bench-copy", r[0], now})
	}
	w.Flush()
	if err := f.Close(); err != nil {
		return "", err
	}

	// The server runs as another user: let it read the folder and file.
	if err := os.Chmod(e.dir, 0o755); err != nil {
		return "", err
	}

	return path, os.Chmod(path, 0o644)
}

// peakRSS returns the peak resident memory of this process in KiB.
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}

	return ru.Maxrss
}
