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

type fileSource struct{ opts file.Options }

func (s fileSource) Read(ctx context.Context, fn func(connectors.Row) error) error {
	return file.Read(ctx, s.opts, fn)
}
