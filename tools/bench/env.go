package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"

	"github.com/lib/pq"

	"fundhub"
	"fundhub/connectors"
	"fundhub/connectors/source"
	"fundhub/postgres"
	"fundhub/tools/financesim"
)

const benchDB = "fundhub_bench"

// voucherCols are the columns of a voucher, in the file, the source table
// and the stand-in's JSON alike.
var voucherCols = []string{"voucher_no", "indicator_id", "region_code", "project_code",
	"amount", "refund_of", "paid_on", "updated_at", "is_deleted"}

// env is a fresh hub database with the indicators loaded, the stand-in
// finance system, and the same vouchers as a CSV file and a source table.
type env struct {
	admin    *sql.DB
	db       *postgres.DB
	url      string
	srv      *httptest.Server
	dir      string
	vouchers [][]string
	runner   *connectors.Runner
}

func setup(ctx context.Context, rows int) (*env, error) {
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		return nil, errors.New("DATABASE_URL is not set (make bench sets it)")
	}
	e := &env{}
	if err := e.freshDatabase(ctx, base); err != nil {
		return nil, err
	}

	sim := financesim.New(financesim.Options{Seed: 1, Vouchers: rows, Token: "bench"})
	e.srv = httptest.NewServer(sim)
	os.Setenv("BENCH_TOKEN", "bench")
	os.Setenv("BENCH_DSN", e.url)
	e.runner = &connectors.Runner{Store: e.db, Regions: e.db.AllRegions, Logger: quietLogger(),
		Open: func(c *connectors.Config) (connectors.Source, error) {
			return source.OpenWith(c, quietLogger())
		}}

	if err := e.loadIndicators(ctx); err != nil {
		return nil, err
	}
	if err := e.fetchVouchers(ctx); err != nil {
		return nil, err
	}

	return e, e.writeSources(ctx)
}

func (e *env) freshDatabase(ctx context.Context, base string) error {
	admin, err := sql.Open("postgres", base)
	if err != nil {
		return err
	}
	e.admin = admin
	_, err = admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+benchDB+` WITH (FORCE)`)
	if err != nil {
		return fmt.Errorf("dropping %s: %w", benchDB, err)
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+benchDB); err != nil {
		return fmt.Errorf("creating %s: %w", benchDB, err)
	}

	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	u.Path = "/" + benchDB
	e.url = u.String()
	if e.db, err = postgres.Open(ctx, e.url, quietLogger()); err != nil {
		return err
	}

	return e.db.Migrate(ctx)
}

func (e *env) close(keep bool) {
	e.srv.Close()
	e.db.Close()
	if !keep {
		e.admin.Exec(`DROP DATABASE IF EXISTS ` + benchDB + ` WITH (FORCE)`)
	}
	e.admin.Close()
	os.RemoveAll(e.dir)
}

// loadIndicators syncs the stand-in's budget indicators, which the vouchers
// name as their allocations.
func (e *env) loadIndicators(ctx context.Context) error {
	cfg := &connectors.Config{Name: "finance-indicators", Kind: "http",
		HTTP: &connectors.HTTPConfig{URL: e.srv.URL + financesim.IndicatorsPath,
			Records: "data.items", Paging: connectors.HTTPPaging{Mode: "page", Size: 500},
			Auth: &connectors.HTTPAuth{TokenEnv: "BENCH_TOKEN"}},
		Mapping: indicatorMapping()}
	run, err := e.sync(ctx, cfg)
	if err == nil && run.Status != fundhub.RunSucceeded {
		err = fmt.Errorf("loading indicators: %s", *run.Error)
	}

	return err
}

// fetchVouchers reads every voucher of the stand-in once, so the file, the
// source table and COPY get exactly the rows the http connector reads.
func (e *env) fetchVouchers(ctx context.Context) error {
	cursor := ""
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+
			financesim.VouchersPath+"?limit=10000&cursor="+url.QueryEscape(cursor), nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer bench")
		next, err := e.fetchPage(req)
		if err != nil || next == "" {
			return err
		}
		cursor = next
	}
}

func (e *env) fetchPage(req *http.Request) (string, error) {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("fetching vouchers: %w", err)
	}
	defer res.Body.Close()

	var page struct {
		Data struct {
			Items []map[string]any `json:"items"`
			Next  string           `json:"next_cursor"`
		} `json:"data"`
	}
	dec := json.NewDecoder(res.Body)
	dec.UseNumber()
	if err := dec.Decode(&page); err != nil {
		return "", fmt.Errorf("decoding vouchers: %w", err)
	}
	for _, it := range page.Data.Items {
		row := make([]string, len(voucherCols))
		for i, c := range voucherCols {
			row[i] = fmt.Sprint(it[c])
		}
		e.vouchers = append(e.vouchers, row)
	}

	return page.Data.Next, nil
}

// writeSources writes the vouchers as a CSV file and as the source table
// benchsrc.vouchers of the bench database.
func (e *env) writeSources(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "fundhub-bench-")
	if err != nil {
		return err
	}
	e.dir = dir
	f, err := os.Create(filepath.Join(dir, "vouchers.csv"))
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write(voucherCols)
	w.WriteAll(e.vouchers)
	if err := f.Close(); err != nil {
		return err
	}

	_, err = e.db.SQL().ExecContext(ctx, `CREATE SCHEMA benchsrc;
		CREATE TABLE benchsrc.vouchers (voucher_no text PRIMARY KEY, indicator_id text,
			region_code text, project_code text, amount numeric(20, 2), refund_of text,
			paid_on date, updated_at timestamptz, is_deleted int);
		CREATE INDEX ON benchsrc.vouchers (updated_at, (voucher_no::text))`)
	if err != nil {
		return fmt.Errorf("creating the source table: %w", err)
	}

	return e.copyRows(ctx, "benchsrc", "vouchers", voucherCols, func(r []string) []any {
		out := make([]any, len(r))
		for i, v := range r {
			out[i] = v
		}
		return out
	})
}

// copyRows copies the vouchers, converted by conv, into schema.table with
// PostgreSQL's COPY, in one transaction.
func (e *env) copyRows(ctx context.Context, schema, table string, cols []string,
	conv func([]string) []any) error {
	tx, err := e.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	stmt, err := tx.PrepareContext(ctx, pq.CopyInSchema(schema, table, cols...))
	if err != nil {
		return fmt.Errorf("starting COPY into %s: %w", table, err)
	}
	for _, r := range e.vouchers {
		if _, err := stmt.ExecContext(ctx, conv(r)...); err != nil {
			return fmt.Errorf("copying into %s: %w", table, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("finishing COPY into %s: %w", table, err)
	}
	if err := stmt.Close(); err != nil {
		return err
	}

	return tx.Commit()
}

func (e *env) sync(ctx context.Context, cfg *connectors.Config) (*fundhub.SyncRun, error) {
	c, err := cfg.Connector()
	if err != nil {
		return nil, err
	}
	if err := e.db.SaveConnector(ctx, c); err != nil {
		return nil, err
	}

	return e.runner.Run(ctx, c, "bench")
}
