// Package migrations holds the numbered SQL migrations of the fundhub
// database, embedded so the binary migrates without files beside it.
package migrations

import "embed"

// FS holds the migration files, named NNNNN_what.sql in goose's format.
//
//go:embed *.sql
var FS embed.FS
