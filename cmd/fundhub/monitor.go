package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

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
		res, err := (&monitor.Engine{Store: db, Logger: logger}).Run(ctx)
		if err != nil {
			return err
		}
		if !res.Ran {
			fmt.Println("another monitor run is in progress; nothing done")
			return nil
		}
		fmt.Printf("monitor: %d deadlines, %d findings; %d problems raised, %d closed\n",
			res.Deadlines, res.Findings, res.Raised, res.Closed)

		return nil
	})
}
