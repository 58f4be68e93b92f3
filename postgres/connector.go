package postgres

import (
	"context"
	"fmt"

	"fundhub"
)

const connectorCols = `id, name, kind, schedule, enabled, config, created_at, updated_at`

// FindConnectors returns every connector ordered by name.
func (d *DB) FindConnectors(ctx context.Context) ([]*fundhub.Connector, error) {
	var out []*fundhub.Connector
	err := d.db.SelectContext(ctx, &out, `SELECT `+connectorCols+
		` FROM connectors ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing connectors: %w", err)
	}

	return out, nil
}

// FindConnectorByName returns the connector, or ENOTFOUND.
func (d *DB) FindConnectorByName(ctx context.Context, name string) (*fundhub.Connector, error) {
	var c fundhub.Connector
	err := d.db.GetContext(ctx, &c, `SELECT `+connectorCols+
		` FROM connectors WHERE name = $1`, name)
	if err != nil {
		return nil, notFound(err, "connector", name)
	}

	return &c, nil
}

// ConnectorsByIDs returns the connectors with the ids, for dataloaders.
func (d *DB) ConnectorsByIDs(ctx context.Context, ids []int64) ([]*fundhub.Connector, error) {
	var out []*fundhub.Connector
	err := d.db.SelectContext(ctx, &out, `SELECT `+connectorCols+
		` FROM connectors WHERE id = ANY($1)`, int64s(ids))
	if err != nil {
		return nil, fmt.Errorf("loading connectors: %w", err)
	}

	return out, nil
}

// SaveConnector creates the connector, or replaces the kind, schedule,
// enabled flag and config of the one with that name, and sets c.ID.
func (d *DB) SaveConnector(ctx context.Context, c *fundhub.Connector) error {
	err := d.db.GetContext(ctx, c, `INSERT INTO connectors
		(name, kind, schedule, enabled, config) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind,
			schedule = EXCLUDED.schedule, enabled = EXCLUDED.enabled,
			config = EXCLUDED.config,
			updated_at = CASE WHEN (connectors.kind, connectors.schedule,
				connectors.enabled, connectors.config) IS DISTINCT FROM
				(EXCLUDED.kind, EXCLUDED.schedule, EXCLUDED.enabled, EXCLUDED.config)
				THEN now() ELSE connectors.updated_at END
		RETURNING `+connectorCols, c.Name, c.Kind, c.Schedule, c.Enabled, []byte(c.Config))
	if err != nil {
		if pgCode(err) == sqlCheckViolation {
			return fundhub.Invalid("name", "connector name %q is not allowed", c.Name)
		}
		return fmt.Errorf("saving connector %s: %w", c.Name, err)
	}

	return nil
}

const runCols = `id, connector_id, started_at, finished_at, status, trigger,
	rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected,
	rows_skipped, error`

// runList is the list of sync runs, newest first.
var runList = listQuery{what: "runs", cols: runCols, from: `sync_runs`,
	order: `started_at DESC, id DESC`, key: `id`}

// FindRuns returns one page of runs, newest first, of one connector or of
// all when connectorID is nil, and the total count.
func (d *DB) FindRuns(ctx context.Context, connectorID *int64,
	p fundhub.Page) ([]*fundhub.SyncRun, int, error) {
	var w where
	opt(&w, "connector_id = %s", connectorID)

	return findPage[fundhub.SyncRun](ctx, d, runList, &w, p)
}

// FindRun returns the run, or ENOTFOUND.
func (d *DB) FindRun(ctx context.Context, id int64) (*fundhub.SyncRun, error) {
	var r fundhub.SyncRun
	err := d.db.GetContext(ctx, &r, `SELECT `+runCols+` FROM sync_runs WHERE id = $1`, id)
	if err != nil {
		return nil, notFound(err, "sync run", id)
	}

	return &r, nil
}

// rejectedList is the list of rejected rows, in the order they were read.
var rejectedList = listQuery{what: "rejected rows", cols: `id, run_id, connector_id, ref,
	external_id, field, reason, data, created_at`, from: `rejected_rows`,
	order: `id`, key: `id`}

// FindRejectedRows returns one page of a run's rejected rows in the order
// they were read, and their count.
func (d *DB) FindRejectedRows(ctx context.Context, runID int64,
	p fundhub.Page) ([]*fundhub.RejectedRow, int, error) {
	var w where
	w.add("run_id = %s", runID)

	return findPage[fundhub.RejectedRow](ctx, d, rejectedList, &w, p)
}

// LastRuns returns the latest run of each connector that has one.
func (d *DB) LastRuns(ctx context.Context, connectorIDs []int64) (map[int64]*fundhub.SyncRun,
	error) {
	var rows []*fundhub.SyncRun
	err := d.db.SelectContext(ctx, &rows, `SELECT DISTINCT ON (connector_id) `+runCols+`
		FROM sync_runs WHERE connector_id = ANY($1)
		ORDER BY connector_id, started_at DESC, id DESC`, int64s(connectorIDs))
	if err != nil {
		return nil, fmt.Errorf("loading last runs: %w", err)
	}

	out := make(map[int64]*fundhub.SyncRun, len(rows))
	for _, r := range rows {
		out[r.ConnectorID] = r
	}

	return out, nil
}

// PendingRejected returns the rows a connector rejected that no later run
// has dealt with and that can be processed again as stored: the newest
// rejection of each key, in the order they were read.
func (d *DB) PendingRejected(ctx context.Context,
	connectorID int64) ([]*fundhub.RejectedRow, error) {
	var out []*fundhub.RejectedRow
	err := d.db.SelectContext(ctx, &out, `SELECT * FROM (
		SELECT DISTINCT ON (COALESCE(external_id, 'ref:' || ref)) id, run_id,
			connector_id, ref, external_id, field, reason, data, created_at
		FROM rejected_rows
		WHERE connector_id = $1 AND resolved_at IS NULL AND replayable
		ORDER BY COALESCE(external_id, 'ref:' || ref), id DESC) newest
		ORDER BY id`, connectorID)
	if err != nil {
		return nil, fmt.Errorf("listing pending rejected rows: %w", err)
	}

	return out, nil
}
