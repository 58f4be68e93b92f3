package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"fundhub"
	"fundhub/connectors"
	"fundhub/connectors/source"
	"fundhub/postgres"
)

// runSync runs the named connectors, or every enabled one, once.
func runSync(ctx context.Context, logger *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	config := fs.String("config", "", "YAML file of connectors to declare before syncing")
	if err := fs.Parse(args); err != nil {
		return err
	}

	return withDB(ctx, logger, func(db *postgres.DB) error {
		declared, err := declareConnectors(ctx, db, *config)
		if err != nil {
			return err
		}
		// With a config file and no names, run what the file declares.
		names := fs.Args()
		if len(names) == 0 && *config != "" {
			names = declared
		}
		list, err := selectConnectors(ctx, db, names)
		if err != nil {
			return err
		}

		runner := newRunner(db, logger)
		failed := 0
		for _, c := range list {
			run, err := runner.Run(ctx, c, "manual")
			if err != nil {
				return err
			}
			printRun(c, run)
			if run.Status != fundhub.RunSucceeded {
				failed++
			}
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d sync runs did not succeed", failed, len(list))
		}
		return nil
	})
}

// selectConnectors returns the named connectors, or every enabled one when
// no name is given.
func selectConnectors(ctx context.Context, db *postgres.DB,
	names []string) ([]*fundhub.Connector, error) {
	if len(names) == 0 {
		all, err := db.FindConnectors(ctx)
		var enabled []*fundhub.Connector
		for _, c := range all {
			if c.Enabled {
				enabled = append(enabled, c)
			}
		}
		return enabled, err
	}

	var out []*fundhub.Connector
	for _, n := range names {
		c, err := db.FindConnectorByName(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}

	return out, nil
}

// declareConnectors saves every connector of the config file, if any, and
// returns their names.
func declareConnectors(ctx context.Context, db *postgres.DB, path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	cfgs, err := connectors.LoadConfigFile(path)
	if err != nil {
		return nil, err
	}

	var names []string
	for _, cfg := range cfgs {
		c, err := cfg.Connector()
		if err != nil {
			return nil, err
		}
		if err := db.SaveConnector(ctx, c); err != nil {
			return nil, err
		}
		names = append(names, c.Name)
	}

	return names, nil
}

func newRunner(db *postgres.DB, logger *slog.Logger) *connectors.Runner {
	mon, err := newMonitor(db, logger)
	if err != nil {
		logger.Error("the monitor will not run after syncs", "err", err)
	}

	return &connectors.Runner{Store: db, Regions: db.AllRegions, Logger: logger,
		Slots: connectors.DefaultSlots(),
		Open: func(c *connectors.Config) (connectors.Source, error) {
			return source.OpenWith(c, logger)
		},
		// The monitor runs after every sync that changed something, so
		// deadlines follow the data; once across replicas, by its lock.
		AfterRun: func(ctx context.Context, run *fundhub.SyncRun) {
			if mon == nil || run.Status != fundhub.RunSucceeded ||
				run.Inserted+run.Updated == 0 {
				return
			}
			if _, err := mon.Run(ctx); err != nil {
				logger.Error("monitor run after sync failed", "run", run.ID, "err", err)
			}
		}}
}

func printRun(c *fundhub.Connector, r *fundhub.SyncRun) {
	fmt.Printf("%s: run %d %s: read %d, inserted %d, updated %d, unchanged %d, "+
		"rejected %d, skipped %d\n", c.Name, r.ID, r.Status, r.Read, r.Inserted,
		r.Updated, r.Unchanged, r.Rejected, r.Skipped)
	if r.Error != nil {
		fmt.Printf("%s: error: %s\n", c.Name, *r.Error)
	}
}
