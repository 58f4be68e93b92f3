// Package source opens the source of each kind of connector. It is the one
// place that knows every kind, so the runner and the commands stay free of
// kind-specific imports.
package source

import (
	"context"
	"fmt"
	"log/slog"

	"fundhub/connectors"
	"fundhub/connectors/file"
	"fundhub/connectors/httpjson"
	"fundhub/connectors/sqlsrc"
)

// Open returns the source the config declares, logging remote calls to
// slog's default logger at debug level.
func Open(cfg *connectors.Config) (connectors.Source, error) {
	return OpenWith(cfg, slog.Default())
}

// OpenWith is Open with the logger remote calls are logged to.
func OpenWith(cfg *connectors.Config, logger *slog.Logger) (connectors.Source, error) {
	switch {
	case cfg.Kind == "file" && cfg.File != nil:
		return fileSource{opts: file.Options{
			Dir:       cfg.File.Dir,
			Patterns:  cfg.File.Patterns,
			Sheet:     cfg.File.Sheet,
			Encoding:  cfg.File.Encoding,
			HeaderRow: cfg.File.HeaderRow,
			Columns:   cfg.Mapping.Columns(),
		}}, nil
	case cfg.Kind == "http" && cfg.HTTP != nil:
		return httpjson.New(cfg.HTTP, httpjson.WithLogger(logger))
	case cfg.Kind == "sql" && cfg.SQL != nil:
		return sqlsrc.New(cfg.SQL)
	}

	return nil, fmt.Errorf("connector %s: kind %q has no settings", cfg.Name, cfg.Kind)
}

// filePage is the number of rows a file source hands over at once.
const filePage = 1000

// fileSource reads a folder whole on every run; it keeps no cursor.
type fileSource struct{ opts file.Options }

func (s fileSource) Read(ctx context.Context, _ string, fn func(connectors.Page) error) error {
	var rows []connectors.Row
	err := file.Read(ctx, s.opts, func(r connectors.Row) error {
		rows = append(rows, r)
		if len(rows) < filePage {
			return nil
		}
		err := fn(connectors.Page{Rows: rows})
		rows = nil
		return err
	})
	if err != nil || len(rows) == 0 {
		return err
	}

	return fn(connectors.Page{Rows: rows})
}
