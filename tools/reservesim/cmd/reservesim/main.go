// Command reservesim seeds a PostgreSQL database with the stand-in project
// reserve of package reservesim, for fundhub's demo and manual tests.
//
//	RESERVESIM_DSN="$(scripts/pg.sh reserve)" reservesim -projects 6000 -seed 1
//
// It drops and recreates the schema reserve of that database. It refuses a
// database on another machine: only unix sockets and loopback hosts.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	_ "github.com/lib/pq"

	"fundhub/tools/reservesim"
	"fundhub/tools/simdata"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "reservesim:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("reservesim", flag.ContinueOnError)
	dsn := fs.String("dsn", os.Getenv("RESERVESIM_DSN"),
		"database to seed (default $RESERVESIM_DSN)")
	projects := fs.Int("projects", simdata.DefaultProjects, "projects to make")
	seed := fs.Int64("seed", 1, "seed of the data (use the finance sim's)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dsn == "" {
		return fmt.Errorf("no database: set RESERVESIM_DSN or -dsn")
	}
	if err := checkLocal(*dsn); err != nil {
		return err
	}

	return seedDB(*dsn, reservesim.Options{Seed: *seed, Projects: *projects})
}

func seedDB(dsn string, o reservesim.Options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return fmt.Errorf("opening database: %w", err)
	}
	defer db.Close()

	start := time.Now()
	if err := reservesim.Seed(ctx, db, o); err != nil {
		return err
	}
	log.Printf("reservesim: seeded schema reserve with %d projects (seed %d) in %v",
		o.Projects, o.Seed, time.Since(start).Round(time.Millisecond))

	return nil
}
