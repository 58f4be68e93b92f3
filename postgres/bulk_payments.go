package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"fundhub"
)

// bulkPayments loads the payments of a batch with a few set-based
// statements instead of several per row: it resolves their allocations,
// rejects those naming none, and upserts and audits the rest at once.
// Within the batch a later movement of a key replaces an earlier one.
// It returns the items it did not load, for the row-by-row path, and
// errors only on failures of the statements themselves.
func (d *DB) bulkPayments(ctx context.Context, tx *sqlx.Tx, run *fundhub.SyncRun,
	items []*fundhub.SyncItem, c *fundhub.RunCounts) error {
	now := d.Now()
	pays := lastByKey(items)
	if err := resolveAllocations(ctx, tx, pays); err != nil {
		return err
	}

	var load []*fundhub.SyncItem
	for _, it := range pays {
		if it.Reject != nil {
			c.Rejected++
			if err := reject(ctx, tx, run, it, it.Reject); err != nil {
				return err
			}
			continue
		}
		load = append(load, it)
	}
	c.Read += len(items)
	c.Unchanged += len(items) - len(pays)

	ins, upd, err := upsertPayments(ctx, tx, load, now)
	if err != nil {
		return err
	}
	c.Inserted += ins
	c.Updated += upd
	c.Unchanged += len(load) - ins - upd

	return nil
}

// lastByKey keeps, for each external id, the last item of the batch.
func lastByKey(items []*fundhub.SyncItem) []*fundhub.SyncItem {
	at := make(map[string]int, len(items))
	var out []*fundhub.SyncItem
	for _, it := range items {
		if i, ok := at[it.Payment.ExternalID]; ok {
			out[i] = it
			continue
		}
		at[it.Payment.ExternalID] = len(out)
		out = append(out, it)
	}

	return out
}

// resolveAllocations finds, in one query per source, the allocation and
// region of every payment that names its allocation, and marks for
// rejection the payments whose allocation the hub does not have.
func resolveAllocations(ctx context.Context, tx *sqlx.Tx, items []*fundhub.SyncItem) error {
	refs := map[string][]string{}
	for _, it := range items {
		if p := it.Payment; p.AllocationRef != "" {
			refs[p.AllocationSource] = append(refs[p.AllocationSource], p.AllocationRef)
		}
	}

	found := map[[2]string]allocTarget{}
	for src, keys := range refs {
		var rows []allocTarget
		err := tx.SelectContext(ctx, &rows, `SELECT s.external_id, a.id, a.to_region
			FROM allocation_sources s JOIN allocations a ON a.id = s.allocation_id
			WHERE s.source_system = $1 AND s.external_id = ANY($2) AND NOT s.withdrawn`,
			src, pq.Array(keys))
		if err != nil {
			return fmt.Errorf("finding allocations of %s: %w", src, err)
		}
		for _, r := range rows {
			found[[2]string{src, r.Ref}] = r
		}
	}

	for _, it := range items {
		applyAllocation(it, found)
	}

	return nil
}

type allocTarget struct {
	Ref    string `db:"external_id"`
	ID     int64  `db:"id"`
	Region string `db:"to_region"`
}

func applyAllocation(it *fundhub.SyncItem, found map[[2]string]allocTarget) {
	p := it.Payment
	if p.AllocationRef == "" {
		return
	}
	a, ok := found[[2]string{p.AllocationSource, p.AllocationRef}]
	if !ok {
		it.Reject = noAllocation(p.AllocationSource, p.AllocationRef)
		return
	}
	p.AllocationID = &a.ID
	if p.RegionCode == "" {
		p.RegionCode = a.Region
	}
}

// upsertPayments inserts new payments and updates changed ones in one
// statement, writing an audit record of each update with its row before
// and after, and returns how many it inserted and updated.
func upsertPayments(ctx context.Context, tx *sqlx.Tx, items []*fundhub.SyncItem,
	now time.Time) (int, int, error) {
	if len(items) == 0 {
		return 0, 0, nil
	}
	cols := paymentColumns(items)

	var res struct {
		Inserted int `db:"inserted"`
		Updated  int `db:"updated"`
	}
	err := tx.GetContext(ctx, &res, bulkPaymentSQL, pq.Array(cols.alloc),
		pq.Array(cols.region), pq.Array(cols.source), pq.Array(cols.amount),
		pq.Array(cols.paidOn), pq.Array(cols.reverses), pq.Array(cols.project),
		pq.Array(cols.system), pq.Array(cols.ext), now)
	if err != nil {
		return 0, 0, fmt.Errorf("loading %d payments: %w", len(items), err)
	}

	return res.Inserted, res.Updated, nil
}
