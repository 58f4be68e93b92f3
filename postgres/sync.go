package postgres

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"fundhub"
)

// lockKey derives the advisory lock key of a connector's runs. The class
// prefix keeps it apart from other advisory locks of the application.
func lockKey(connectorID int64) int64 {
	h := fnv.New32a()
	h.Write([]byte("fundhub.sync"))

	return int64(h.Sum32())<<32 | connectorID&0xffffffff
}

// TryLockConnector takes a connection-level advisory lock on a connection held
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
		// The lock may have been taken before the answer was lost: the
		// connection is dropped, not pooled, so the lock goes with it.
		conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
		return nil, false, fmt.Errorf("locking connector %d: %w", connectorID, err)
	}
	if !ok {
		conn.Close()
		return func() {}, false, nil
	}

	release := func() {
		_, err := conn.ExecContext(context.WithoutCancel(ctx),
			`SELECT pg_advisory_unlock($1)`, key)
		if err != nil {
			// A connection that may still hold the lock must not go back
			// to the pool, or the connector would be locked for good.
			conn.Raw(func(any) error { return driver.ErrBadConn })
			d.logger.Warn("unlocking connector failed; connection dropped",
				"connector_id", connectorID, "error", err)
		}
		conn.Close()
	}

	return release, true, nil
}

// SweepInterrupted marks as FAILED the runs of a connector left RUNNING by a
// process that stopped mid-run. Call it only while holding the connector's
// lock, when no run of it can be live.
func (d *DB) SweepInterrupted(ctx context.Context, connectorID int64) error {
	res, err := d.db.ExecContext(ctx, `UPDATE sync_runs SET status = 'FAILED',
		finished_at = $2, error = 'interrupted: the process running it stopped'
		WHERE connector_id = $1 AND status = 'RUNNING'`, connectorID, d.Now())
	if err != nil {
		return fmt.Errorf("sweeping runs of connector %d: %w", connectorID, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		d.logger.Warn("interrupted runs marked failed", "connector_id", connectorID, "runs", n)
	}

	return nil
}

// StartRun records a new RUNNING run of the connector.
func (d *DB) StartRun(ctx context.Context, connectorID int64, trigger string) (*fundhub.SyncRun,
	error) {
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

// ApplyBatch loads a batch in one transaction. Each row runs under a
// savepoint, so a row the database refuses becomes a rejected row and the
// rest of the batch still lands. Every savepoint that writes takes a
// subtransaction id, and PostgreSQL slows every snapshot once a transaction
// holds more than 64 of them, so callers keep batches below that.
//
// The cursor, when given, is written in the same transaction after the
// rows, so a crash leaves it at the end of the last committed batch.
func (d *DB) ApplyBatch(ctx context.Context, run *fundhub.SyncRun,
	items []fundhub.SyncItem, cursor *string) (fundhub.RunCounts, error) {
	var c fundhub.RunCounts
	err := d.inTxRetrying(ctx, func(tx *sqlx.Tx) error {
		c = fundhub.RunCounts{}
		rest, err := d.applyBulk(ctx, tx, run, items, &c)
		if err != nil {
			return err
		}
		for _, i := range applyOrder(items) {
			if !rest[i] {
				continue
			}
			if err := d.applyItem(ctx, tx, run, &items[i], &c); err != nil {
				return err
			}
		}
		if err := linkBatchRefunds(ctx, tx, items); err != nil {
			return err
		}
		if err := resolveReplayed(ctx, tx, run, items); err != nil {
			return err
		}
		if err := addRunCounts(ctx, tx, run.ID, c); err != nil {
			return err
		}
		if cursor != nil {
			return saveCursor(ctx, tx, run, *cursor)
		}

		return nil
	})

	return c, err
}

// applyOrder returns the order to apply items in: allocations sorted by the
// key they lock, so two connectors loading the same allocations take their
// locks in the same order and cannot deadlock, then the other items as read.
func applyOrder(items []fundhub.SyncItem) []int {
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	key := func(i int) string {
		a := items[i].Allocation
		if a == nil || items[i].Skip != "" || items[i].Reject != nil {
			return "~"
		}
		return fmt.Sprintf("%s\x00%d\x00%s\x00%s\x00%s\x00%s", a.Fund.Name, a.Fund.Year,
			a.Fund.OwnerRegion, a.FromRegion, a.ToRegion, a.Source)
	}
	sort.SliceStable(order, func(x, y int) bool { return key(order[x]) < key(order[y]) })

	return order
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
	fe, ok := dataError(err)
	if !ok {
		return fmt.Errorf("loading %s: %w", it.Ref, err)
	}

	if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT item`); err != nil {
		return fmt.Errorf("rolling back row %s: %w", it.Ref, err)
	}
	c.Rejected++

	return reject(ctx, tx, run, it, fe)
}

// dataError tells whether err is the row's fault and, if so, says why in
// words for the people who fix rows: the rule a row breaks is named by its
// constraint, never by the database's own message.
func dataError(err error) (*fundhub.Error, bool) {
	var fe *fundhub.Error
	if errors.As(err, &fe) {
		return fe, true
	}

	var pe *pq.Error
	if !errors.As(err, &pe) {
		return nil, false
	}
	why := ""
	switch string(pe.Code) {
	case sqlForeignKeyViolation:
		why = "it refers to a record the hub does not have"
	case sqlCheckViolation:
		why = "it breaks the rule " + pe.Constraint
	case sqlUniqueViolation:
		why = "it repeats a record the hub already has"
	case sqlNumericOutOfRange:
		why = "a number is too large"
	case sqlStringTooLong:
		why = "a text is too long"
	default:
		return nil, false
	}

	return fundhub.Errorf(fundhub.EINVALID, "the row was refused: %s", why), true
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
		(run_id, connector_id, ref, external_id, field, reason, data, replayable)
		VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6, $7, $8)`,
		run.ID, run.ConnectorID, it.Ref, it.ExternalID, e.Field, e.Message, data,
		!it.NoReplay)
	if err != nil {
		return fmt.Errorf("keeping rejected row %s: %w", it.Ref, err)
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

func saveCursor(ctx context.Context, tx *sqlx.Tx, run *fundhub.SyncRun, v string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sync_cursors
		(connector_id, value, run_id, updated_at) VALUES ($1, $2, $3, now())
		ON CONFLICT (connector_id) DO UPDATE SET value = EXCLUDED.value,
		run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at`,
		run.ConnectorID, v, run.ID)
	if err != nil {
		return fmt.Errorf("saving cursor of connector %d: %w", run.ConnectorID, err)
	}

	return nil
}

// linkBatchRefunds links the refunds of the batch's payment sources to the
// payments they reverse.
func linkBatchRefunds(ctx context.Context, tx *sqlx.Tx, items []fundhub.SyncItem) error {
	done := map[string]bool{}
	for _, it := range items {
		if it.Payment == nil || done[it.Payment.SourceSystem] {
			continue
		}
		done[it.Payment.SourceSystem] = true
		if err := linkRefunds(ctx, tx, it.Payment.SourceSystem); err != nil {
			return err
		}
	}

	return nil
}

// applyBulk loads the batch's payments set-based and reports which items
// are left for the row-by-row path. When the database refuses the bulk
// statement over some row's data, the bulk work is rolled back and every
// payment goes row by row, so the refused row is kept as rejected and the
// others still land. That rare path holds a savepoint per payment, more
// than PostgreSQL's subtransaction cache, which slows other sessions'
// snapshots until it commits; bisecting the batch would avoid it.
func (d *DB) applyBulk(ctx context.Context, tx *sqlx.Tx, run *fundhub.SyncRun,
	items []fundhub.SyncItem, c *fundhub.RunCounts) ([]bool, error) {
	rest := make([]bool, len(items))
	var pays []*fundhub.SyncItem
	for i := range items {
		it := &items[i]
		if it.Payment != nil && !it.Payment.Withdrawn && it.Skip == "" && it.Reject == nil {
			pays = append(pays, it)
			continue
		}
		rest[i] = true
	}
	if len(pays) == 0 {
		return rest, nil
	}

	if _, err := tx.ExecContext(ctx, `SAVEPOINT bulk`); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	var bc fundhub.RunCounts
	err := d.bulkPayments(ctx, tx, run, pays, &bc)
	if _, ok := dataError(err); err != nil && ok {
		d.logger.Warn("bulk load refused; loading row by row", "run", run.ID, "error", err)
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT bulk`); err != nil {
			return nil, fmt.Errorf("rolling back bulk load: %w", err)
		}
		for i := range rest {
			rest[i] = true
		}
		return rest, nil
	}
	if err != nil {
		return nil, err
	}
	c.Add(bc)

	return rest, nil
}

// addRunCounts adds a batch's counts to its run in the batch's transaction,
// so a run killed part-way shows what it committed.
func addRunCounts(ctx context.Context, tx *sqlx.Tx, runID int64, c fundhub.RunCounts) error {
	_, err := tx.ExecContext(ctx, `UPDATE sync_runs SET rows_read = rows_read + $2,
		rows_inserted = rows_inserted + $3, rows_updated = rows_updated + $4,
		rows_unchanged = rows_unchanged + $5, rows_rejected = rows_rejected + $6,
		rows_skipped = rows_skipped + $7 WHERE id = $1`, runID, c.Read, c.Inserted,
		c.Updated, c.Unchanged, c.Rejected, c.Skipped)
	if err != nil {
		return fmt.Errorf("counting rows of run %d: %w", runID, err)
	}

	return nil
}

// resolveReplayed marks resolved, in the batch's transaction, the rejected
// rows the batch replays and every older rejection of a key the batch
// processed: a newer version of a record supersedes its old rejections, so
// reprocessing never brings back a stale row. A row rejected again is kept
// anew by this run.
func resolveReplayed(ctx context.Context, tx *sqlx.Tx, run *fundhub.SyncRun,
	items []fundhub.SyncItem) error {
	var ids []int64
	var keys []string
	for _, it := range items {
		if it.Replays != 0 {
			ids = append(ids, it.Replays)
		}
		if it.ExternalID != "" && it.Skip == "" {
			keys = append(keys, it.ExternalID)
		}
	}
	if len(ids) == 0 && len(keys) == 0 {
		return nil
	}

	_, err := tx.ExecContext(ctx, `UPDATE rejected_rows SET resolved_at = now()
		WHERE connector_id = $1 AND resolved_at IS NULL AND run_id <> $4
		AND (id = ANY($2) OR external_id = ANY($3))`, run.ConnectorID, int64s(ids),
		pq.Array(keys), run.ID)
	if err != nil {
		return fmt.Errorf("resolving replayed rows: %w", err)
	}

	return nil
}
