package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"fundhub/migrations"
	"fundhub/postgres"
)

// dashDB is the database the bench generates; make bench's private
// cluster holds nothing else of that name.
const dashDB = "fundhub_dash"

//go:embed dataset.sql
var datasetSQL string

// countedTables are the tables whose row counts the bench prints and
// -reuse compares with those recorded when the data set was generated.
var countedTables = []string{"funds", "approval_documents", "allocations", "projects",
	"performance_targets", "execution_reports", "report_lines", "payments", "problems"}

// dataset is the generated database: an admin connection to the server's
// maintenance database, which creates and drops it, and the hub's pool.
type dataset struct {
	admin     *sql.DB
	db        *postgres.DB
	generated time.Duration // zero when an earlier data set was reused
}

// openDataset returns the data set of o.projects projects, generating it
// into a fresh database unless o.reuse finds one generated before from the
// same migrations, at the same scale, with the row counts it had then.
func openDataset(ctx context.Context, base string, o options) (*dataset, error) {
	// The URL may hold a password: errors never quote it.
	admin, err := sql.Open("postgres", base)
	if err != nil {
		return nil, fmt.Errorf("opening DATABASE_URL: %w", err)
	}
	ds := &dataset{admin: admin}
	dsn, err := databaseURL(base, dashDB)
	if err != nil {
		admin.Close()
		return nil, err
	}

	if o.reuse {
		ok, err := ds.reusable(ctx, dsn, o.projects)
		if err != nil || ok {
			return ds.orClose(err)
		}
		fmt.Printf("%s does not match this scale or schema: generating it again\n", dashDB)
	}

	return ds.orClose(ds.generate(ctx, dsn, o.projects))
}

// orClose closes ds when err is set, so callers defer close only on success.
func (ds *dataset) orClose(err error) (*dataset, error) {
	if err != nil {
		ds.close(true)
		return nil, err
	}

	return ds, nil
}

// close closes the pools and, unless keep, drops the database.
func (ds *dataset) close(keep bool) {
	if ds.db != nil {
		ds.db.Close()
	}
	if !keep {
		ds.admin.Exec(`DROP DATABASE IF EXISTS ` + dashDB + ` WITH (FORCE)`)
	}
	ds.admin.Close()
}

// dropPool closes the hub's pool before the database is generated again.
func (ds *dataset) dropPool() {
	ds.db.Close()
	ds.db = nil
}

// databaseURL is base with its database replaced by name.
func databaseURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parsing DATABASE_URL: %w", err)
	}
	u.Path = "/" + name

	return u.String(), nil
}

// generate creates the database afresh, migrates it (which loads the
// embedded region list and calendar, as the hub does at start), runs the
// steps of dataset.sql, vacuums and records the manifest -reuse checks.
func (ds *dataset) generate(ctx context.Context, dsn string, projects int) error {
	if _, err := ds.admin.ExecContext(ctx,
		`DROP DATABASE IF EXISTS `+dashDB+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("dropping %s: %w", dashDB, err)
	}
	if _, err := ds.admin.ExecContext(ctx, `CREATE DATABASE `+dashDB); err != nil {
		return fmt.Errorf("creating %s: %w", dashDB, err)
	}
	db, err := postgres.Open(ctx, dsn, warnLogger())
	if err != nil {
		return err
	}
	ds.db = db
	start := time.Now()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	fmt.Printf("%s migrated, regions and calendar loaded in %.1f s\n", dashDB,
		time.Since(start).Seconds())

	start = time.Now()
	if err := ds.runSteps(ctx, projects); err != nil {
		return err
	}
	if err := ds.vacuum(ctx); err != nil {
		return err
	}
	ds.generated = time.Since(start)

	return ds.writeManifest(ctx, projects)
}

// step is one named part of dataset.sql.
type step struct{ name, sql string }

var stepMark = regexp.MustCompile(`(?m)^-- step: (\S+)\n`)

// datasetSteps splits dataset.sql at its step marks; the header before the
// first mark is commentary.
func datasetSteps() []step {
	marks := stepMark.FindAllStringSubmatchIndex(datasetSQL, -1)
	steps := make([]step, len(marks))
	for i, m := range marks {
		end := len(datasetSQL)
		if i+1 < len(marks) {
			end = marks[i+1][0]
		}
		steps[i] = step{name: datasetSQL[m[2]:m[3]], sql: datasetSQL[m[1]:end]}
	}

	return steps
}

// runSteps runs the steps in order on one connection, which holds their
// temporary tables and function and the scale setting, printing each
// step's time.
func (ds *dataset) runSteps(ctx context.Context, projects int) error {
	conn, err := ds.db.SQL().Conn(ctx)
	if err != nil {
		return fmt.Errorf("connecting for the generator: %w", err)
	}
	defer conn.Close()

	// Sorts and hashes of millions of rows stay in memory; JIT would only
	// add compile time to statements whose cost is in triggers and indexes.
	_, err = conn.ExecContext(ctx, `SELECT set_config('dashbench.projects', $1, false),
		set_config('work_mem', '256MB', false), set_config('jit', 'off', false)`,
		strconv.Itoa(projects))
	if err != nil {
		return fmt.Errorf("setting up the generator's connection: %w", err)
	}

	fmt.Printf("generating %s: %d projects\n", dashDB, projects)
	for _, s := range datasetSteps() {
		t := time.Now()
		if _, err := conn.ExecContext(ctx, s.sql); err != nil {
			return fmt.Errorf("generating (step %s): %w", s.name, err)
		}
		fmt.Printf("  %-22s %7.1f s\n", s.name, time.Since(t).Seconds())
	}

	return nil
}

// vacuum sets the visibility map and the planner's statistics, as
// autovacuum would some time after a load of this size.
func (ds *dataset) vacuum(ctx context.Context) error {
	t := time.Now()
	if _, err := ds.db.SQL().ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return fmt.Errorf("vacuuming: %w", err)
	}
	fmt.Printf("  %-22s %7.1f s\n", "vacuum analyze", time.Since(t).Seconds())

	return nil
}

// manifest is what -reuse compares: the migrations the database was built
// with, the scale, and the row counts after generation.
type manifest struct {
	Migrations string         `json:"migrations"`
	Projects   int            `json:"projects"`
	Counts     map[string]int `json:"counts"`
}

// migrationsDigest is a digest of the embedded migrations, names and text,
// so a database generated before a migration was added or changed is not
// reused: its summary tables would miss what the generator inserted.
func migrationsDigest() (string, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return "", fmt.Errorf("listing migrations: %w", err)
	}
	h := sha256.New()
	for _, n := range names {
		b, err := migrations.FS.ReadFile(n)
		if err != nil {
			return "", fmt.Errorf("reading migration %s: %w", n, err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}

	return hex.EncodeToString(h.Sum(nil)), nil
}

func (ds *dataset) writeManifest(ctx context.Context, projects int) error {
	digest, err := migrationsDigest()
	if err != nil {
		return err
	}
	counts, err := ds.counts(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(manifest{Migrations: digest, Projects: projects, Counts: counts})
	if err != nil {
		return err
	}

	_, err = ds.db.SQL().ExecContext(ctx, `CREATE SCHEMA dashbench;
		CREATE TABLE dashbench.manifest (m jsonb NOT NULL)`)
	if err == nil {
		_, err = ds.db.SQL().ExecContext(ctx, `INSERT INTO dashbench.manifest VALUES ($1)`, b)
	}
	if err != nil {
		return fmt.Errorf("recording the manifest: %w", err)
	}

	return nil
}

// reusable opens the existing database and says whether its manifest
// matches the migrations and scale and its tables still hold the rows it
// recorded. It migrates nothing: a pending migration means regenerating.
func (ds *dataset) reusable(ctx context.Context, dsn string, projects int) (bool, error) {
	var exists bool
	if err := ds.admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database
		WHERE datname = $1)`, dashDB).Scan(&exists); err != nil || !exists {
		return false, err
	}
	db, err := postgres.Open(ctx, dsn, warnLogger())
	if err != nil {
		return false, err
	}
	ds.db = db

	var raw []byte
	err = db.SQL().QueryRowContext(ctx, `SELECT m FROM dashbench.manifest`).Scan(&raw)
	if err != nil {
		// No manifest: an interrupted generation, or not ours.
		ds.dropPool()
		return false, nil
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return false, fmt.Errorf("reading the manifest: %w", err)
	}

	ok, err := ds.matches(ctx, m, projects)
	if !ok {
		ds.dropPool()
	}

	return ok, err
}

func (ds *dataset) matches(ctx context.Context, m manifest, projects int) (bool, error) {
	digest, err := migrationsDigest()
	if err != nil || digest != m.Migrations || projects != m.Projects {
		return false, err
	}
	counts, err := ds.counts(ctx)
	if err != nil {
		return false, err
	}

	return maps.Equal(counts, m.Counts), nil
}

// counts returns the row count of each counted table.
func (ds *dataset) counts(ctx context.Context) (map[string]int, error) {
	out := make(map[string]int, len(countedTables))
	for _, t := range countedTables {
		var n int
		// The names are this file's constants, never input.
		err := ds.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("counting %s: %w", t, err)
		}
		out[t] = n
	}

	return out, nil
}

// report prints the row counts, the generation time and the database's
// size on disk.
func (ds *dataset) report(ctx context.Context, w io.Writer) error {
	counts, err := ds.counts(ctx)
	if err != nil {
		return err
	}
	var size int64
	if err := ds.db.SQL().QueryRowContext(ctx, `SELECT pg_database_size($1)`,
		dashDB).Scan(&size); err != nil {
		return fmt.Errorf("reading the database size: %w", err)
	}

	if ds.generated > 0 {
		fmt.Fprintf(w, "generated in %.0f s\n", ds.generated.Seconds())
	} else {
		fmt.Fprintf(w, "reused %s generated earlier\n", dashDB)
	}
	for _, t := range countedTables {
		fmt.Fprintf(w, "  %-20s %10d\n", t, counts[t])
	}
	fmt.Fprintf(w, "database size: %d MiB\n\n", size>>20)

	return nil
}
