package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"
	_ "time/tzdata" // China Standard Time on machines without zoneinfo

	"github.com/robfig/cron/v3"

	"fundhub"
	"fundhub/postgres"
)

// schedule runs the enabled connectors on their cron schedules. Runs use
// their own context, not the server's, so a shutdown first lets them finish
// and only cancels them when the grace period is over.
type schedule struct {
	cron   *cron.Cron
	cancel context.CancelFunc
	logger *slog.Logger
}

func startSchedule(ctx context.Context, db *postgres.DB, logger *slog.Logger) (*schedule, error) {
	list, err := db.FindConnectors(ctx)
	if err != nil {
		return nil, err
	}
	// Schedules are read in China Standard Time, whatever the server's zone;
	// a panicking job is logged and the scheduler goes on.
	zone, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return nil, fmt.Errorf("loading time zone: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c := cron.New(cron.WithLocation(zone),
		cron.WithChain(cron.Recover(cron.PrintfLogger(slog.NewLogLogger(
			logger.Handler(), slog.LevelError)))))
	s := &schedule{cron: c, cancel: cancel, logger: logger}
	runner := newRunner(db, logger)

	for _, con := range list {
		if !con.Enabled || con.Schedule == "" {
			continue
		}
		job := s.job(runCtx, db, runner.Run, con.Name)
		if _, err := s.cron.AddFunc(con.Schedule, job); err != nil {
			cancel()
			return nil, fmt.Errorf("scheduling connector %s: %w", con.Name, err)
		}
		logger.Info("connector scheduled", "connector", con.Name, "schedule", con.Schedule)
	}
	mon, err := newMonitor(db, logger)
	if err != nil {
		cancel()
		return nil, err
	}
	if _, err := s.cron.AddFunc(monitorSchedule, func() {
		if _, err := mon.Run(runCtx); err != nil {
			logger.Error("scheduled monitor run failed", "error", err)
		}
	}); err != nil {
		cancel()
		return nil, fmt.Errorf("scheduling the monitor: %w", err)
	}
	s.cron.Start()

	return s, nil
}

type runFunc func(context.Context, *fundhub.Connector, string) (*fundhub.SyncRun, error)

// job runs the connector as it is stored when the job fires, so a mapping
// changed since the server started is the one used, and a connector since
// disabled does not run. A changed schedule needs a restart.
func (s *schedule) job(ctx context.Context, db *postgres.DB, run runFunc, name string) func() {
	return func() {
		c, err := db.FindConnectorByName(ctx, name)
		if err != nil {
			s.logger.Error("loading scheduled connector", "connector", name, "error", err)
			return
		}
		if !c.Enabled {
			s.logger.Info("scheduled connector is disabled; not run", "connector", name)
			return
		}
		if _, err := run(ctx, c, "schedule"); err != nil {
			s.logger.Error("scheduled sync failed", "connector", name, "error", err)
		}
	}
}

// stop stops scheduling, waits until ctx ends for running syncs, then
// cancels them; a cancelled run records itself as CANCELLED before stop
// returns.
func (s *schedule) stop(ctx context.Context) {
	done := s.cron.Stop()
	select {
	case <-done.Done():
	case <-ctx.Done():
		s.logger.Warn("sync still running after the grace period; cancelling it")
		s.cancel()
		<-done.Done()
	}
	s.cancel()
}
