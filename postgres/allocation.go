package postgres

import (
	"context"
	"fmt"

	"fundhub"
)

// allocationFrom joins what allocation filters and the scope read: the fund
// (year, category, direction), the recipient region (its path) and the
// issuing region (its level).
const allocationFrom = `allocations a
	JOIN funds f ON f.id = a.fund_id
	JOIN regions tr ON tr.code = a.to_region
	JOIN regions fr ON fr.code = a.from_region
	LEFT JOIN approval_documents doc ON doc.id = a.document_id`

const allocationCols = `a.id, a.fund_id, a.from_region, a.to_region, a.project_id,
	a.amount, a.source, a.document_id, doc.doc_no AS document_no, a.issued_on,
	a.received_on, a.filed_on, a.parent_id, a.conflict, a.reserve_exception,
	a.created_at, a.updated_at, a.source_system, a.external_id, a.last_synced_at`

// allocationList is the list of allocations, newest fund year first, whose
// amounts findPageStats sums.
var allocationList = listQuery{what: "allocations", cols: allocationCols,
	from: allocationFrom, order: `f.year DESC, a.to_region, a.id`, key: `a.id`,
	sum: `a.amount`}

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
	opt(w, "fr.level = %s", f.FromLevel)
	opt(w, "f.category = %s", f.Category)
	opt(w, "f.direction = %s", f.Direction)
	opt(w, "a.source = %s", f.Source)

	return w
}

// FindAllocation returns the allocation, or ENOTFOUND when it does not exist
// or lies outside the scope: the two cases answer alike.
func (d *DB) FindAllocation(ctx context.Context, s fundhub.Scope,
	id int64) (*fundhub.Allocation, error) {
	w := allocationWhere(s, fundhub.AllocationFilter{})
	w.add("a.id = %s", id)

	return getOne[fundhub.Allocation](ctx, d, allocationList, w, "allocation", id)
}

// FindAllocations returns one page of visible allocations, newest fund year
// first, with the count and the amount of every match, not only the page's,
// all read in one snapshot.
func (d *DB) FindAllocations(ctx context.Context, s fundhub.Scope, f fundhub.AllocationFilter,
	p fundhub.Page) (*fundhub.AllocationList, error) {
	out, st, err := findPageStats[fundhub.Allocation](ctx, d, allocationList,
		allocationWhere(s, f), p)
	if err != nil {
		return nil, err
	}

	return &fundhub.AllocationList{Allocations: out, Total: st.Total, Amount: st.Amount}, nil
}

// AllocationsByIDs returns the visible allocations among ids, for
// dataloaders; ids out of scope are left out.
func (d *DB) AllocationsByIDs(ctx context.Context, s fundhub.Scope,
	ids []int64) ([]*fundhub.Allocation, error) {
	w := allocationWhere(s, fundhub.AllocationFilter{})
	w.add("a.id = ANY(%s)", int64s(ids))

	return findAll[fundhub.Allocation](ctx, d, allocationList, w)
}

// SourceRecordsByAllocation returns each allocation's source records in the
// order they were first seen.
func (d *DB) SourceRecordsByAllocation(ctx context.Context,
	ids []int64) (map[int64][]*fundhub.AllocationSourceRecord, error) {
	var rows []*fundhub.AllocationSourceRecord
	err := d.db.SelectContext(ctx, &rows, `SELECT id, allocation_id, source_system,
		external_id, amount, document_no, last_synced_at FROM allocation_sources
		WHERE allocation_id = ANY($1) ORDER BY id`, int64s(ids))
	if err != nil {
		return nil, fmt.Errorf("loading allocation sources: %w", err)
	}

	return groupBy(rows, func(r *fundhub.AllocationSourceRecord) int64 {
		return r.AllocationID
	}), nil
}

// ChildrenOfAllocations returns the visible allocations that pass on the
// money of each allocation among ids, by id, for dataloaders.
func (d *DB) ChildrenOfAllocations(ctx context.Context, s fundhub.Scope,
	ids []int64) (map[int64][]*fundhub.Allocation, error) {
	w := allocationWhere(s, fundhub.AllocationFilter{})
	w.add("a.parent_id = ANY(%s)", int64s(ids))

	rows, err := findAll[fundhub.Allocation](ctx, d, allocationList, w)
	if err != nil {
		return nil, err
	}

	return groupBy(rows, func(a *fundhub.Allocation) int64 { return *a.ParentID }), nil
}
