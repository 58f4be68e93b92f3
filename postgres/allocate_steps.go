package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"fundhub"
	"fundhub/authz"
)

// RecordAllocationDate sets a date of the allocation with id, when the guard
// lets the caller submit at the recipient. The date may not lie before the
// allocation was issued (or, for filing, received), nor after today.
func (d *DB) RecordAllocationDate(ctx context.Context, g fundhub.Guard, id int64,
	which fundhub.AllocationDate, on time.Time) (*fundhub.Allocation, error) {
	column, field := dateColumns[which][0], dateColumns[which][1]
	if column == "" {
		return nil, fmt.Errorf("unknown allocation date %q", which)
	}

	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		a, before, err := lockAllocation(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := seen(g, authz.ActionSubmit, a.ToRegion, a.direction, "allocation",
			id); err != nil {
			return err
		}
		if err := g.AllowOwn(authz.ActionSubmit, a.ToRegion, a.direction); err != nil {
			return err
		}
		if err := checkDate(field, on, a, d.Now()); err != nil {
			return err
		}

		_, err = tx.ExecContext(ctx, `UPDATE allocations SET `+column+` = $2,
			updated_at = now() WHERE id = $1`, id, on)
		if err != nil {
			return fmt.Errorf("recording %s of allocation %d: %w", which, id, err)
		}

		return auditChange(ctx, tx, g, "allocation."+field, "allocation", id, a.ToRegion,
			before, "")
	})
	if err != nil {
		return nil, err
	}

	return d.FindAllocation(ctx, fundhub.FullScope(), id)
}

// dateColumns maps each date to its column and its GraphQL argument.
var dateColumns = map[fundhub.AllocationDate][2]string{
	fundhub.DateReceived: {"received_on", "receivedOn"},
	fundhub.DateFiled:    {"filed_on", "filedOn"},
}

// lockedAllocation is an allocation locked for a change, with its fund's
// direction.
type lockedAllocation struct {
	fundhub.Allocation
	direction fundhub.Direction
}

func lockAllocation(ctx context.Context, tx *sqlx.Tx, id int64) (*lockedAllocation, []byte,
	error) {
	var a struct {
		fundhub.Allocation
		Direction fundhub.Direction `db:"direction"`
	}
	err := tx.GetContext(ctx, &a, `SELECT `+allocationCols+`, f.direction FROM `+
		allocationFrom+` WHERE a.id = $1 AND NOT a.withdrawn FOR UPDATE OF a`, id)
	if err != nil {
		return nil, nil, notFound(err, "allocation", id)
	}
	before, err := rowJSON(ctx, tx, "allocations", id)

	return &lockedAllocation{Allocation: a.Allocation, direction: a.Direction}, before, err
}

func checkDate(field string, on time.Time, a *lockedAllocation, now time.Time) error {
	switch {
	case field == "filedOn" && a.ReceivedOn == nil:
		return &fundhub.Error{Code: fundhub.ECONFLICT, Field: "id",
			Message: "record the receipt of the money before filing its breakdown"}
	case field == "receivedOn" && a.FiledOn != nil:
		return &fundhub.Error{Code: fundhub.ECONFLICT, Field: "id",
			Message: "the breakdown of this money was filed already"}
	case on.After(today(now)):
		return fundhub.Invalid(field, "%s is in the future", on.Format(time.DateOnly))
	case a.IssuedOn != nil && on.Before(*a.IssuedOn):
		return fundhub.Invalid(field, "%s is before the allocation was issued on %s",
			on.Format(time.DateOnly), a.IssuedOn.Format(time.DateOnly))
	case field == "filedOn" && a.ReceivedOn != nil && on.Before(*a.ReceivedOn):
		return fundhub.Invalid(field, "%s is before the money was received on %s",
			on.Format(time.DateOnly), a.ReceivedOn.Format(time.DateOnly))
	}

	return nil
}
