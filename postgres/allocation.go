package postgres

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"fundhub"
)

// allocationFrom joins what allocation filters and the scope read: the fund
// (year, category, direction), the recipient region (its path) and the
// issuing region (its level).
const allocationFrom = ` FROM allocations a
	JOIN funds f ON f.id = a.fund_id
	JOIN regions tr ON tr.code = a.to_region
	JOIN regions fr ON fr.code = a.from_region
	LEFT JOIN approval_documents doc ON doc.id = a.document_id `

const allocationCols = `a.id, a.fund_id, a.from_region, a.to_region, a.project_id,
	a.amount, a.source, a.document_id, doc.doc_no AS document_no, a.issued_on,
	a.received_on, a.filed_on, a.parent_id, a.conflict, a.created_at, a.updated_at,
	a.source_system, a.external_id, a.last_synced_at`

// allocationWhere builds the filter and scope predicates of allocations. An
// allocation is visible when its recipient lies in the scope and its fund's
// direction is one the scope covers.
func allocationWhere(s fundhub.Scope, f fundhub.AllocationFilter) *where {
	w := &where{}
	w.add("NOT a.withdrawn")
	w.scope(s, "a.to_region", "f.direction")
	opt(w, "a.fund_id = %s", f.FundID)
	opt(w, "f.year = %s", f.Year)
	opt(w, "a.to_region = %s", f.ToRegion)
	opt(w, "a.from_region = %s", f.FromRegion)
	opt(w, "a.project_id = %s", f.ProjectID)
	opt(w, "a.conflict = %s", f.Conflict)
	if f.RegionUnder != nil {
		w.under("tr.path", *f.RegionUnder)
	}
	if f.FromLevel != nil {
		w.add("fr.level = %s", string(*f.FromLevel))
	}
	if f.Category != nil {
		w.add("f.category = %s", string(*f.Category))
	}
	if f.Direction != nil {
		w.add("f.direction = %s", string(*f.Direction))
	}
	if f.Source != nil {
		w.add("a.source = %s", string(*f.Source))
	}

	return w
}

// opt adds pred with *v when v is not nil.
func opt[T any](w *where, pred string, v *T) {
	if v != nil {
		w.add(pred, *v)
	}
}

// FindAllocation returns the allocation, or ENOTFOUND when it does not exist
// or lies outside the scope: the two cases answer alike.
func (d *DB) FindAllocation(ctx context.Context, s fundhub.Scope, id int64) (*fundhub.Allocation, error) {
	w := allocationWhere(s, fundhub.AllocationFilter{})
	w.add("a.id = %s", id)

	var a fundhub.Allocation
	err := d.db.GetContext(ctx, &a, `SELECT `+allocationCols+allocationFrom+w.sql(), w.args...)
	if err != nil {
		return nil, notFound(err, "allocation", id)
	}

	return &a, nil
}

// FindAllocations returns one page of visible allocations, newest fund year
// first, with the count and amount summed over every match, not the page.
func (d *DB) FindAllocations(ctx context.Context, s fundhub.Scope, f fundhub.AllocationFilter,
	p fundhub.Page) ([]*fundhub.Allocation, int, error) {
	w := allocationWhere(s, f)

	var total int
	if err := d.db.GetContext(ctx, &total, `SELECT count(*)`+allocationFrom+w.sql(),
		w.args...); err != nil {
		return nil, 0, fmt.Errorf("counting allocations: %w", err)
	}

	var out []*fundhub.Allocation
	q := `SELECT ` + allocationCols + allocationFrom + w.sql() +
		` ORDER BY f.year DESC, a.to_region, a.id` + w.page(p)
	if err := d.db.SelectContext(ctx, &out, q, w.args...); err != nil {
		return nil, 0, fmt.Errorf("listing allocations: %w", err)
	}

	return out, total, nil
}

// AllocationAmount sums the amount of every visible allocation matching f.
func (d *DB) AllocationAmount(ctx context.Context, s fundhub.Scope, f fundhub.AllocationFilter) (decimal.Decimal, error) {
	w := allocationWhere(s, f)

	var sum decimal.Decimal
	err := d.db.GetContext(ctx, &sum, `SELECT COALESCE(sum(a.amount), 0)`+allocationFrom+
		w.sql(), w.args...)
	if err != nil {
		return decimal.Zero, fmt.Errorf("summing allocations: %w", err)
	}

	return sum, nil
}

// AllocationsByIDs returns the visible allocations among ids, for
// dataloaders; ids out of scope are left out.
func (d *DB) AllocationsByIDs(ctx context.Context, s fundhub.Scope, ids []int64) ([]*fundhub.Allocation, error) {
	w := allocationWhere(s, fundhub.AllocationFilter{})
	w.add("a.id = ANY(%s)", int64s(ids))

	var out []*fundhub.Allocation
	err := d.db.SelectContext(ctx, &out, `SELECT `+allocationCols+allocationFrom+w.sql(), w.args...)
	if err != nil {
		return nil, fmt.Errorf("loading allocations by id: %w", err)
	}

	return out, nil
}

// SourceRecordsByAllocation returns each allocation's source records in the
// order they were first seen.
func (d *DB) SourceRecordsByAllocation(ctx context.Context, ids []int64) (map[int64][]*fundhub.AllocationSourceRecord, error) {
	var rows []*fundhub.AllocationSourceRecord
	err := d.db.SelectContext(ctx, &rows, `SELECT id, allocation_id, source_system,
		external_id, amount, document_no, last_synced_at FROM allocation_sources
		WHERE allocation_id = ANY($1) ORDER BY id`, int64s(ids))
	if err != nil {
		return nil, fmt.Errorf("loading allocation sources: %w", err)
	}

	out := make(map[int64][]*fundhub.AllocationSourceRecord, len(ids))
	for _, r := range rows {
		out[r.AllocationID] = append(out[r.AllocationID], r)
	}

	return out, nil
}
