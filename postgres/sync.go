package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/jmoiron/sqlx"

	"fundhub"
)

// lockKey derives the advisory lock key of a connector's runs. The class
// prefix keeps it apart from other advisory locks of the application.
func lockKey(connectorID int64) int64 {
	h := fnv.New32a()
	h.Write([]byte("fundhub.sync"))

	return int64(h.Sum32())<<32 | connectorID&0xffffffff
}

// TryLockConnector takes a session-level advisory lock on a connection held
// for the whole run, so two replicas or an overlapping schedule never run
// one connector twice at once. The lock goes when release is called or the
// connection dies.
func (d *DB) TryLockConnector(ctx context.Context, connectorID int64) (func(), bool, error) {
	conn, err := d.db.Connx(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("getting lock connection: %w", err)
	}

	key := lockKey(connectorID)
	var ok bool
	if err := conn.GetContext(ctx, &ok, `SELECT pg_try_advisory_lock($1)`, key); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("locking connector %d: %w", connectorID, err)
	}
	if !ok {
		conn.Close()
		return func() {}, false, nil
	}

	release := func() {
		conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key)
		conn.Close()
	}

	return release, true, nil
}

// StartRun records a new RUNNING run of the connector.
func (d *DB) StartRun(ctx context.Context, connectorID int64, trigger string) (*fundhub.SyncRun, error) {
	run := &fundhub.SyncRun{ConnectorID: connectorID, StartedAt: d.Now(),
		Status: fundhub.RunRunning, Trigger: trigger}
	err := d.db.GetContext(ctx, &run.ID, `INSERT INTO sync_runs
		(connector_id, started_at, status, trigger) VALUES ($1, $2, $3, $4)
		RETURNING id`, connectorID, run.StartedAt, run.Status, trigger)
	if err != nil {
		return nil, fmt.Errorf("starting run of connector %d: %w", connectorID, err)
	}

	return run, nil
}

// FinishRun stores the run's status, counts, error and finish time.
func (d *DB) FinishRun(ctx context.Context, run *fundhub.SyncRun) error {
	now := d.Now()
	run.FinishedAt = &now
	_, err := d.db.NamedExecContext(context.WithoutCancel(ctx), `UPDATE sync_runs SET
		finished_at = :finished_at, status = :status, error = :error,
		rows_read = :rows_read, rows_inserted = :rows_inserted,
		rows_updated = :rows_updated, rows_unchanged = :rows_unchanged,
		rows_rejected = :rows_rejected, rows_skipped = :rows_skipped
		WHERE id = :id`, run)
	if err != nil {
		return fmt.Errorf("finishing run %d: %w", run.ID, err)
	}

	return nil
}

// Cursor returns the committed cursor of the connector, or "".
func (d *DB) Cursor(ctx context.Context, connectorID int64) (string, error) {
	var v string
	err := d.db.GetContext(ctx, &v,
		`SELECT value FROM sync_cursors WHERE connector_id = $1`, connectorID)
	if err != nil && !isNoRows(err) {
		return "", fmt.Errorf("loading cursor of connector %d: %w", connectorID, err)
	}

	return v, nil
}

// ApplyBatch loads a batch in one transaction. Each row runs under a
// savepoint, so a row the database refuses becomes a rejected row and the
// rest of the batch still lands. The cursor, when given, is written in the
// same transaction, after the rows.
func (d *DB) ApplyBatch(ctx context.Context, run *fundhub.SyncRun, items []fundhub.SyncItem,
	cursor *string) (fundhub.RunCounts, error) {
	var c fundhub.RunCounts
	now := d.Now()

	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		c = fundhub.RunCounts{}
		for i := range items {
			if err := d.applyItem(ctx, tx, run, &items[i], &c); err != nil {
				return err
			}
		}
		if cursor != nil {
			return saveCursor(ctx, tx, run, *cursor, now)
		}

		return nil
	})

	return c, err
}

func (d *DB) applyItem(ctx context.Context, tx *sqlx.Tx, run *fundhub.SyncRun,
	it *fundhub.SyncItem, c *fundhub.RunCounts) error {
	c.Read++
	switch {
	case it.Skip != "":
		c.Skipped++
		return nil
	case it.Reject != nil:
		c.Rejected++
		return reject(ctx, tx, run, it, it.Reject)
	}

	if _, err := tx.ExecContext(ctx, `SAVEPOINT item`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	out, err := d.upsertItem(ctx, tx, it)
	if err != nil {
		return d.rejectFailed(ctx, tx, run, it, err, c)
	}
	if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT item`); err != nil {
		return fmt.Errorf("releasing savepoint: %w", err)
	}
	count(c, out)

	return nil
}

// rejectFailed rolls back a row the database refused and keeps it as a
// rejected row when the failure lies in the data; other errors end the batch.
func (d *DB) rejectFailed(ctx context.Context, tx *sqlx.Tx, run *fundhub.SyncRun,
	it *fundhub.SyncItem, err error, c *fundhub.RunCounts) error {
	var fe *fundhub.Error
	dataErr := errors.As(err, &fe)
	switch pgCode(err) {
	case sqlForeignKeyViolation, sqlCheckViolation, sqlUniqueViolation, "22003", "22001":
		dataErr = true
		fe = fundhub.Errorf(fundhub.EINVALID, "database refused the row: %s", pgMessage(err))
	}
	if !dataErr {
		return fmt.Errorf("loading %s: %w", it.Ref, err)
	}

	if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT item`); err != nil {
		return fmt.Errorf("rolling back row %s: %w", it.Ref, err)
	}
	c.Rejected++

	return reject(ctx, tx, run, it, fe)
}

func count(c *fundhub.RunCounts, out fundhub.Outcome) {
	switch out {
	case fundhub.Inserted:
		c.Inserted++
	case fundhub.Updated:
		c.Updated++
	default:
		c.Unchanged++
	}
}

func reject(ctx context.Context, tx *sqlx.Tx, run *fundhub.SyncRun,
	it *fundhub.SyncItem, e *fundhub.Error) error {
	data, err := json.Marshal(it.Data)
	if err != nil {
		return fmt.Errorf("encoding rejected row %s: %w", it.Ref, err)
	}

	_, err = tx.ExecContext(ctx, `INSERT INTO rejected_rows
		(run_id, connector_id, ref, external_id, field, reason, data)
		VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6, $7)`,
		run.ID, run.ConnectorID, it.Ref, it.ExternalID, e.Field, e.Message, data)
	if err != nil {
		return fmt.Errorf("keeping rejected row %s: %w", it.Ref, err)
	}

	return nil
}

func saveCursor(ctx context.Context, tx *sqlx.Tx, run *fundhub.SyncRun, v string, now any) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sync_cursors
		(connector_id, value, run_id, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (connector_id) DO UPDATE SET value = EXCLUDED.value,
		run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at`,
		run.ConnectorID, v, run.ID, now)
	if err != nil {
		return fmt.Errorf("saving cursor: %w", err)
	}

	return nil
}
