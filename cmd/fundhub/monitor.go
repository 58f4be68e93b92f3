package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"fundhub/monitor"
	"fundhub/postgres"
)

// monitorSchedule is when serve runs the monitor, China Standard Time:
// every hour, so deadlines turn late on the day they do.
const monitorSchedule = "5 * * * *"

// runMonitor handles "fundhub monitor run": the monitor once, now.
func runMonitor(ctx context.Context, logger *slog.Logger, args []string) error {
	if len(args) != 1 || args[0] != "run" {
		return errors.New("usage: fundhub monitor run")
	}

	return withDB(ctx, logger, func(db *postgres.DB) error {
		mon, err := newMonitor(db, logger)
		if err != nil {
			return err
		}
		res, err := mon.Run(ctx)
		if err != nil {
			return err
		}
		if !res.Ran {
			fmt.Println("another monitor run is in progress; nothing done")
			return nil
		}
		fmt.Printf("monitor: %d deadlines, %d findings; %d problems raised, %d reopened, "+
			"%d closed\n", res.Deadlines, res.Findings, res.Raised, res.Reopened, res.Closed)

		return nil
	})
}

// newMonitor returns the monitor over db, with the thresholds of the YAML
// file FUNDHUB_MONITOR_CONFIG names, or the defaults.
func newMonitor(db *postgres.DB, logger *slog.Logger) (*monitor.Engine, error) {
	e := &monitor.Engine{Store: db, Logger: logger}
	if path := os.Getenv("FUNDHUB_MONITOR_CONFIG"); path != "" {
		cfg, err := monitor.LoadConfig(path)
		if err != nil {
			return nil, err
		}
		e.Config = &cfg
	}

	return e, nil
}
