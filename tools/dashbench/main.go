// Command dashbench measures the hub's dashboard queries at national scale.
// It generates a deterministic data set in a fresh database (every county of
// the region list, five fund years, 130,000 projects, over 5 million
// payments and 2 million report lines), serves the hub's GraphQL handler
// in-process, and times each dashboard query through GraphQL over HTTP
// beside the SQL the store runs for it. It is a tool of the repository, not
// part of the product: make bench runs it after the connector bench.
//
//	dashbench [-projects 130000] [-runs 15] [-warmup 3] [-budget 1m] [-reuse] [-keep]
//		[-explain]
//
// DATABASE_URL names a server where it may create and drop the database
// fundhub_dash. It exits 1 when a query's GraphQL median is over 1.5 times
// its SQL median, or when the slowest GraphQL median reaches 300 ms.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// options are the command's flags.
type options struct {
	projects int
	runs     int
	warmup   int
	budget   time.Duration
	reuse    bool
	keep     bool
	explain  bool
}

func main() {
	var o options
	flag.IntVar(&o.projects, "projects", 130_000, "projects to generate (payments, "+
		"targets and report lines grow with them)")
	flag.IntVar(&o.runs, "runs", 15, "timed runs of each query, GraphQL and SQL each")
	flag.IntVar(&o.warmup, "warmup", 3, "untimed runs of each query first")
	flag.DurationVar(&o.budget, "budget", time.Minute, "time one query's timed runs "+
		"may take, GraphQL and SQL together; a slower query gets fewer runs, one at least")
	flag.BoolVar(&o.reuse, "reuse", false, "keep an already generated fundhub_dash whose "+
		"row counts match, and keep it after the run")
	flag.BoolVar(&o.keep, "keep", false, "keep the fundhub_dash database after the run")
	flag.BoolVar(&o.explain, "explain", false, "print EXPLAIN ANALYZE of the SQL of every "+
		"query that misses a target")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "dashbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.projects <= 0 || o.runs <= 0 || o.warmup < 0 || o.budget <= 0 {
		return fmt.Errorf("-projects, -runs and -budget must be positive, " +
			"-warmup not negative")
	}
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		return fmt.Errorf("DATABASE_URL is not set (make bench sets it)")
	}

	ds, err := openDataset(ctx, base, o)
	if err != nil {
		return err
	}
	defer ds.close(o.keep || o.reuse)
	if err := ds.report(ctx, os.Stdout); err != nil {
		return err
	}

	h, err := newHarness(ctx, ds.db, warnLogger())
	if err != nil {
		return err
	}
	defer h.close()
	results, err := h.measure(ctx, append(dashQueries(), analysisQueries()...), o)
	if err != nil {
		return err
	}

	return h.verdict(ctx, os.Stdout, results, o.explain)
}

// warnLogger logs what goes wrong in the hub (refused requests, internal
// errors) without the info lines of every migration and request.
func warnLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
