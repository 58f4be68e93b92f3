package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"fundhub/auth"
	"fundhub/authz"
	"fundhub/connectors"
	"fundhub/graph"
	"fundhub/postgres"
	"fundhub/web"
)

// shutdownGrace is how long a stopping server waits for requests and sync
// runs to finish before it cancels the runs.
const shutdownGrace = 30 * time.Second

func runServe(ctx context.Context, logger *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	config := fs.String("config", "", "YAML file of connectors to declare at start")
	addr := fs.String("addr", envOr("FUNDHUB_ADDR", ":8080"), "listen address")
	if err := fs.Parse(args); err != nil {
		return err
	}

	return withDB(ctx, logger, func(db *postgres.DB) error {
		if _, err := declareConnectors(ctx, db, *config); err != nil {
			return err
		}
		sched, err := startSchedule(ctx, db, logger)
		if err != nil {
			return err
		}
		disp := connectors.NewDispatcher(newRunner(db, logger), db.FindConnectorByName)
		policy, err := authz.New(ctx, db.SQL(), logger)
		if err != nil {
			return err
		}
		// Policy changes made on another replica arrive by NOTIFY.
		if err := policy.Listen(ctx, os.Getenv("DATABASE_URL")); err != nil {
			return err
		}
		feed := graph.NewProblemFeed(logger)
		if err := feed.Listen(ctx, os.Getenv("DATABASE_URL")); err != nil {
			return err
		}
		// Time progress on screens is graded by the monitor's thresholds.
		mon, err := newMonitor(db, logger)
		if err != nil {
			return err
		}
		deps := graph.Deps{Store: db, Syncer: disp, Auth: auth.New(db, logger),
			Policy: policy, Logger: logger, Feed: feed, Monitor: mon.Config}

		err = serveHTTP(ctx, logger, *addr, newMux(db, deps))

		// One grace period for all that still runs: scheduled and API runs
		// finish within it or are cancelled and record themselves so.
		stopCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); sched.stop(stopCtx) }()
		go func() { defer wg.Done(); disp.Stop(stopCtx) }()
		wg.Wait()

		return err
	})
}

func newMux(db *postgres.DB, deps graph.Deps) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.Handler(deps))
	mux.Handle(graph.InspectionExportPath, graph.InspectionExport(deps))
	reports := graph.QuarterlyReports(deps)
	for _, p := range graph.QuarterlyReportPaths() {
		mux.Handle(p, reports)
	}
	exports := graph.QueryExport(deps)
	mux.Handle(graph.QueryExportCSVPath, exports)
	mux.Handle(graph.QueryExportXLSXPath, exports)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := db.Ping(r.Context()); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("/", web.Handler("/graphql"))

	return mux
}

// serveHTTP serves until ctx ends, then stops accepting and lets running
// requests finish within the grace period.
func serveHTTP(ctx context.Context, logger *slog.Logger, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: time.Minute, WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	logger.Info("serving", "addr", ln.Addr().String(), "graphiql", "http://"+ln.Addr().String()+"/")

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}

	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}

	return def
}
