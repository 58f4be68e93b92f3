// Package source opens the source of each kind of connector. It is the one
// place that knows every kind, so the runner and the commands stay free of
// kind-specific imports.
package source

import (
	"context"
	"fmt"

	"fundhub/connectors"
	"fundhub/connectors/file"
)

// Open returns the source the config declares.
func Open(cfg *connectors.Config) (connectors.Source, error) {
	switch cfg.Kind {
	case "file":
		if cfg.File == nil {
			return nil, fmt.Errorf("connector %s has no file settings", cfg.Name)
		}
		return fileSource{opts: file.Options{
			Dir:       cfg.File.Dir,
			Patterns:  cfg.File.Patterns,
			Sheet:     cfg.File.Sheet,
			Encoding:  cfg.File.Encoding,
			HeaderRow: cfg.File.HeaderRow,
			Columns:   cfg.Mapping.Columns(),
		}}, nil
	}

	return nil, fmt.Errorf("connector %s: unknown kind %q", cfg.Name, cfg.Kind)
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
