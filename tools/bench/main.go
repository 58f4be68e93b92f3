// Command bench measures how fast each kind of connector loads 200,000
// payment vouchers into the hub, beside PostgreSQL's own COPY of the same
// rows into a table shaped like the hub's payments (same columns, indexes
// and region key). It is a tool of the repository, not part of the product:
// make bench runs it against a fresh database of the private cluster.
//
//	bench [-rows 200000] [-keep]
//
// DATABASE_URL names a server where it may create and drop the database
// fundhub_bench. It exits 1 when the file or sql connector loads at less
// than a quarter of COPY's rate.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"
)

func main() {
	rows := flag.Int("rows", 200_000, "payment vouchers to load")
	keep := flag.Bool("keep", false, "keep the fundhub_bench database")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the connector runs here")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}

	if err := run(context.Background(), *rows, *keep); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, rows int, keep bool) error {
	env, err := setup(ctx, rows)
	if err != nil {
		return err
	}
	defer env.close(keep)

	copyRate, err := env.copyRate(ctx)
	if err != nil {
		return err
	}
	results := []result{{kind: "COPY", rows: len(env.vouchers), took: copyRate}}
	for _, kind := range []string{"file", "sql", "http"} {
		r, err := env.syncKind(ctx, kind)
		if err != nil {
			return fmt.Errorf("%s connector: %w", kind, err)
		}
		results = append(results, r)
	}

	return report(os.Stdout, results)
}

// result is one measured load.
type result struct {
	kind string
	rows int
	took time.Duration
}

func (r result) rate() float64 { return float64(r.rows) / r.took.Seconds() }

// report prints the rates and fails when the file or sql connector is
// below a quarter of COPY's.
func report(w io.Writer, rs []result) error {
	copyRate := rs[0].rate()
	fmt.Fprintf(w, "%-6s %9s %9s %12s %9s\n", "kind", "rows", "seconds", "rows/s", "of COPY")
	var slow []string
	for _, r := range rs {
		share := r.rate() / copyRate
		fmt.Fprintf(w, "%-6s %9d %9.2f %12.0f %8.0f%%\n", r.kind, r.rows, r.took.Seconds(),
			r.rate(), 100*share)
		if (r.kind == "file" || r.kind == "sql") && share < 0.25 {
			slow = append(slow, r.kind)
		}
	}
	fmt.Fprintf(w, "peak memory of this process: %d MiB\n", peakRSS()/1024)
	if len(slow) > 0 {
		return fmt.Errorf("%v below a quarter of COPY's rate", slow)
	}

	return nil
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
