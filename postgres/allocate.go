package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/authz"
)

// MissingTargets says what Allocate does with an allocation that does not
// break down every target of its parent.
type MissingTargets string

// What to do with an allocation lacking its parent's targets.
const (
	// RefuseMissingTargets refuses it, naming the first target missing.
	RefuseMissingTargets MissingTargets = "refuse"
	// FlagMissingTargets stores it and raises a problem.
	FlagMissingTargets MissingTargets = "flag"
)

// allocFund is what Allocate reads of the fund.
type allocFund struct {
	ID        int64                `db:"id"`
	Year      int                  `db:"year"`
	Category  fundhub.FundCategory `db:"category"`
	Direction fundhub.Direction    `db:"direction"`
	Owner     string               `db:"owner_region"`
	// senderLevel is the level of the sender of money that starts there.
	senderLevel fundhub.RegionLevel
}

// allocParent is what Allocate reads of the parent, locked.
type allocParent struct {
	ID        int64              `db:"id"`
	FundID    int64              `db:"fund_id"`
	ToRegion  string             `db:"to_region"`
	ProjectID *int64             `db:"project_id"`
	Amount    decimal.Decimal    `db:"amount"`
	Source    fundhub.FundSource `db:"source"`
	IssuedOn  *time.Time         `db:"issued_on"`
	Direction fundhub.Direction  `db:"direction"`
	Passed    decimal.Decimal    `db:"passed"`
}

// Allocate passes money down, with its targets, in one transaction: the
// parent is locked first, so concurrent allocations out of one parent run
// one after the other and never add up to more than it.
func (d *DB) Allocate(ctx context.Context, g fundhub.Guard,
	in fundhub.AllocationInput) (*fundhub.Allocation, error) {
	if err := checkAllocationInput(in, d.Now()); err != nil {
		return nil, err
	}

	var id int64
	err := d.inTxRetrying(ctx, func(tx *sqlx.Tx) error {
		var err error
		id, err = d.allocate(ctx, tx, g, in)
		return err
	})
	if err != nil {
		return nil, err
	}

	return d.FindAllocation(ctx, fundhub.FullScope(), id)
}

// maxAmount bounds an amount: ten trillion yuan is more than any fund.
var maxAmount = decimal.New(1, 13)

func checkAllocationInput(in fundhub.AllocationInput, now time.Time) error {
	if err := checkTexts(in); err != nil {
		return err
	}
	switch {
	case !in.Amount.IsPositive():
		return fundhub.Invalid("amount", "must be more than zero")
	case !fundhub.Fen(in.Amount):
		return fundhub.Invalid("amount", "is in yuan with at most two decimals (fen)")
	case in.Amount.GreaterThan(maxAmount):
		return fundhub.Invalid("amount", "is more than %s yuan", maxAmount)
	case in.IssuedOn.After(today(now)):
		return fundhub.Invalid("issuedOn", "is in the future")
	case in.Document.IssuedOn.After(in.IssuedOn):
		return fundhub.Invalid("document.issuedOn", "is after the allocation was issued")
	case strings.TrimSpace(in.Document.Number) == "":
		return fundhub.Invalid("document.number", "is required")
	case in.ReserveException != nil && strings.TrimSpace(*in.ReserveException) == "":
		return fundhub.Invalid("reserveException", "must say why, or be left out")
	case in.ReserveException != nil && in.ProjectID == nil:
		return fundhub.Invalid("reserveException", "is for money sent to a project")

	}

	for i, t := range in.Targets {
		field := fmt.Sprintf("targets[%d]", i)
		switch {
		case t.TargetValue.IsNegative():
			return fundhub.Invalid(field+".targetValue", "must not be negative")
		case strings.TrimSpace(t.Indicator) == "":
			return fundhub.Invalid(field+".indicator", "is required")
		case len([]rune(t.Indicator)) > fundhub.MaxNameLength ||
			len([]rune(t.Unit)) > 50 || tooLong(t.Level1) || tooLong(t.Level2):
			return fundhub.Invalid(field, "indicator and levels are at most %d characters, "+
				"unit at most 50", fundhub.MaxNameLength)
		case strings.TrimSpace(t.Unit) == "":
			return fundhub.Invalid(field+".unit", "a quantified target needs its unit")
		case t.Comparator != nil && !validComparator(*t.Comparator):
			return fundhub.Invalid(field+".comparator", "must be one of = >= > <= < ~")
		}
	}

	return nil
}

// checkTexts bounds the free texts of an allocation.
func checkTexts(in fundhub.AllocationInput) error {
	if err := fundhub.CheckLength("document.number", in.Document.Number,
		fundhub.MaxNameLength); err != nil {
		return err
	}
	if in.Document.Title != nil {
		if err := fundhub.CheckLength("document.title", *in.Document.Title,
			fundhub.MaxNameLength); err != nil {
			return err
		}
	}
	if in.ReserveException != nil {
		return fundhub.CheckLength("reserveException", *in.ReserveException,
			fundhub.MaxTextLength)
	}

	return nil
}

func validComparator(c string) bool {
	switch c {
	case "=", ">=", ">", "<=", "<", "~":
		return true
	}

	return false
}

// allocate does the work of Allocate inside tx and returns the new id.
func (d *DB) allocate(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard,
	in fundhub.AllocationInput) (int64, error) {
	f, parent, from, err := allocationOrigin(ctx, tx, g, in)
	if err != nil {
		return 0, err
	}
	if err := g.AllowOwn(authz.ActionWrite, from, f.Direction); err != nil {
		return 0, err
	}
	if err := checkOrigin(in, f, parent); err != nil {
		return 0, err
	}
	if err := checkRecipient(ctx, tx, in, from); err != nil {
		return 0, err
	}
	exception, err := checkProject(ctx, tx, g, in, f, parent)
	if err != nil {
		return 0, err
	}

	docID, err := storeDocument(ctx, tx, in.Document, from)
	if err != nil {
		return 0, err
	}
	id, err := insertAllocation(ctx, tx, in, from, docID, parent)
	if err != nil {
		return 0, err
	}
	if err := auditChange(ctx, tx, g, "allocation.create", "allocation", id, in.ToRegion,
		nil, deref(in.ReserveException)); err != nil {
		return 0, err
	}
	if exception {
		if err := raiseOutOfReserve(ctx, tx, g, in, id); err != nil {
			return 0, err
		}
	}

	return id, d.decompose(ctx, tx, g, in, f, parent, id)
}

// allocationOrigin reads the fund and the parent, and returns the sender.
// A parent the caller may not read answers like one that does not exist,
// before anything of it is told.
func allocationOrigin(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard,
	in fundhub.AllocationInput) (*allocFund, *allocParent, string, error) {
	var f allocFund
	err := tx.GetContext(ctx, &f, `SELECT id, year, category, direction, owner_region
		FROM funds WHERE id = $1`, in.FundID)
	if err != nil && !isNoRows(err) {
		return nil, nil, "", fmt.Errorf("reading fund %d: %w", in.FundID, err)
	}
	if err != nil || !usable(ctx, tx, g, &f) {
		// A fund the caller may not use answers as one that does not exist,
		// before anything else about it is checked or told.
		return nil, nil, "", fundhub.Invalid("fundId", "no fund %d", in.FundID)
	}

	if in.ParentID == nil {
		from, err := originAtSender(ctx, tx, in, &f)
		return &f, nil, from, err
	}
	p, err := lockParent(ctx, tx, *in.ParentID)
	if err == nil && !g.Permits(authz.ActionRead, p.ToRegion, p.Direction) {
		err = fundhub.Invalid("parentId", "no allocation %d", *in.ParentID)
	}
	if err != nil {
		return nil, nil, "", err
	}

	return &f, p, p.ToRegion, nil
}

// originAtSender checks money that starts at in.FromRegion.
func originAtSender(ctx context.Context, tx *sqlx.Tx, in fundhub.AllocationInput,
	f *allocFund) (string, error) {
	if in.FromRegion == nil {
		return "", fundhub.Invalid("fromRegion", "is required when no parentId is given")
	}
	level, err := currentRegion(ctx, tx, "fromRegion", *in.FromRegion)
	if err != nil {
		return "", err
	}
	f.senderLevel = fundhub.RegionLevel(level)

	return *in.FromRegion, nil
}

// usable reports whether the caller may allocate money of fund f: a fund of
// a direction they cover, and, for a local or social fund, one of the
// budget of their own region or a region above it. Only the caller's own
// region sends money, so this bounds every sender.
func usable(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard, f *allocFund) bool {
	home := g.Caller().RegionCode
	if !g.Permits(authz.ActionRead, home, f.Direction) {
		return false
	}
	if f.Category == fundhub.CategoryCentral {
		return true
	}

	var inBudget bool
	err := tx.GetContext(ctx, &inBudget, `SELECT s.path LIKE o.path || '%'
		FROM regions s, regions o WHERE s.code = $1 AND o.code = $2`, home, f.Owner)

	return err == nil && inBudget
}

// lockParent locks the parent and sums what it has passed on.
func lockParent(ctx context.Context, tx *sqlx.Tx, id int64) (*allocParent, error) {
	var p allocParent
	err := tx.GetContext(ctx, &p, `SELECT a.id, a.fund_id, a.to_region, a.project_id,
		a.amount, a.source, a.issued_on, f.direction, 0 AS passed
		FROM allocations a JOIN funds f ON f.id = a.fund_id
		WHERE a.id = $1 AND NOT a.withdrawn FOR UPDATE OF a`, id)
	if isNoRows(err) {
		return nil, fundhub.Invalid("parentId", "no allocation %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("locking allocation %d: %w", id, err)
	}
	err = tx.GetContext(ctx, &p.Passed, `SELECT COALESCE(sum(amount), 0) FROM allocations
		WHERE parent_id = $1 AND NOT withdrawn`, p.ID)
	if err != nil {
		return nil, fmt.Errorf("summing the children of allocation %d: %w", p.ID, err)
	}

	return &p, nil
}

// checkOrigin checks, once the caller may send from there, that the money
// fits where it comes from: what the parent has left, its fund, source and
// date; or, for money that starts at the sender, the fund's budget and the
// sender's own source.
func checkOrigin(in fundhub.AllocationInput, f *allocFund, p *allocParent) error {
	if p == nil {
		return fundhub.CheckSource(f.Category, in.Source, nil, f.senderLevel)
	}

	switch left := p.Amount.Sub(p.Passed); {
	case p.FundID != f.ID:
		return fundhub.Invalid("fundId", "passed-on money stays in fund %d", p.FundID)
	case in.FromRegion != nil && *in.FromRegion != p.ToRegion:
		return fundhub.Invalid("fromRegion", "the parent's money is at %s", p.ToRegion)
	case in.Amount.GreaterThan(left):
		return fundhub.Invalid("amount", "%s yuan is more than the %s yuan of "+
			"allocation %d not yet passed on", in.Amount, left, p.ID)
	case p.IssuedOn != nil && in.IssuedOn.Before(*p.IssuedOn):
		return fundhub.Invalid("issuedOn", "is before the parent was issued on %s",
			p.IssuedOn.Format(time.DateOnly))
	}

	return fundhub.CheckSource(f.Category, in.Source, &p.Source, "")
}

// checkRecipient checks that the recipient lies below the sender; a
// region's own project may be funded by the region itself.
func checkRecipient(ctx context.Context, tx *sqlx.Tx, in fundhub.AllocationInput,
	from string) error {
	if _, err := currentRegion(ctx, tx, "toRegion", in.ToRegion); err != nil {
		return err
	}

	var below bool
	err := tx.GetContext(ctx, &below, `SELECT t.path LIKE f.path || '%' AND t.code <> f.code
		FROM regions t, regions f WHERE t.code = $1 AND f.code = $2`, in.ToRegion, from)
	if err != nil {
		return fmt.Errorf("placing %s under %s: %w", in.ToRegion, from, err)
	}
	if !below && !(in.ToRegion == from && in.ProjectID != nil) {
		return fundhub.Invalid("toRegion", "%s is not below the sender %s", in.ToRegion, from)
	}

	return nil
}

// checkProject checks the project money goes to, and reports whether it
// lies outside the reserve with a stated exception. An admitted project
// becomes FUNDED.
func checkProject(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard,
	in fundhub.AllocationInput, f *allocFund, parent *allocParent) (bool, error) {
	if parent != nil && parent.ProjectID != nil &&
		(in.ProjectID == nil || *in.ProjectID != *parent.ProjectID) {
		return false, fundhub.Invalid("projectId", "the parent's money is for project %d",
			*parent.ProjectID)
	}
	if in.ProjectID == nil {
		return false, nil
	}
	p, before, err := lockProject(ctx, tx, *in.ProjectID)
	if fundhub.ErrorCode(err) == fundhub.ENOTFOUND ||
		(err == nil && !g.Permits(authz.ActionRead, p.RegionCode, p.Direction)) {
		return false, fundhub.Invalid("projectId", "no project %d", *in.ProjectID)
	}
	if err != nil {
		return false, err
	}

	switch {
	case p.RegionCode != in.ToRegion:
		return false, fundhub.Invalid("projectId", "the project is at %s, not at toRegion %s",
			p.RegionCode, in.ToRegion)
	case p.Direction != f.Direction:
		return false, fundhub.Invalid("projectId", "a %s project cannot take %s money",
			p.Direction, f.Direction)
	case !fundhub.InReserve(p.ReserveStatus) && in.ReserveException == nil:
		return false, fundhub.Invalid("reserveException", "project %d is %s, not in the "+
			"reserve: money goes to it only with a stated exception", p.ID, p.ReserveStatus)
	case !fundhub.InReserve(p.ReserveStatus):
		return true, nil
	}

	if p.ReserveStatus != fundhub.ReserveAdmitted {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE projects SET reserve_status = 'FUNDED'
		WHERE id = $1`, p.ID)
	if err != nil {
		return false, fmt.Errorf("marking project %d funded: %w", p.ID, err)
	}

	return false, auditChange(ctx, tx, g, "project.fund", "project", p.ID, p.RegionCode,
		before, "")
}

// storeDocument returns the id of the approval document with the number,
// storing it when it is new. Its issuer is the sender or a government
// above it; a number already on record must carry the issuer on record,
// and a stored document is never changed here.
func storeDocument(ctx context.Context, tx *sqlx.Tx, doc fundhub.DocumentInput,
	from string) (int64, error) {
	if _, err := currentRegion(ctx, tx, "document.issuerRegion", doc.IssuerRegion); err != nil {
		return 0, err
	}
	var above bool
	err := tx.GetContext(ctx, &above, `SELECT f.path LIKE i.path || '%'
		FROM regions f, regions i WHERE f.code = $1 AND i.code = $2`, from, doc.IssuerRegion)
	if err != nil {
		return 0, fmt.Errorf("placing issuer %s: %w", doc.IssuerRegion, err)
	}
	if !above {
		return 0, fundhub.Invalid("document.issuerRegion", "%s is neither the sender %s "+
			"nor above it", doc.IssuerRegion, from)
	}

	var cur struct {
		ID     int64   `db:"id"`
		Issuer *string `db:"issuer_region"`
	}
	number := strings.TrimSpace(doc.Number)
	err = tx.GetContext(ctx, &cur, `INSERT INTO approval_documents (doc_no, title, issued_on,
		issuer_region) VALUES ($1, $2, $3, $4)
		ON CONFLICT (doc_no) DO UPDATE SET doc_no = approval_documents.doc_no
		RETURNING id, issuer_region`, number, doc.Title, doc.IssuedOn, doc.IssuerRegion)
	if err != nil {
		return 0, fmt.Errorf("storing document %s: %w", number, inputError(err))
	}
	if cur.Issuer != nil && *cur.Issuer != doc.IssuerRegion {
		return 0, fundhub.Invalid("document.number", "document %s on record was issued by "+
			"another government; document numbers are unique", number)
	}

	return cur.ID, nil
}

func insertAllocation(ctx context.Context, tx *sqlx.Tx, in fundhub.AllocationInput,
	from string, docID int64, parent *allocParent) (int64, error) {
	var parentID *int64
	if parent != nil {
		parentID = &parent.ID
	}

	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO allocations (fund_id, from_region,
		to_region, project_id, amount, source, document_id, issued_on, parent_id,
		reserve_exception) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		in.FundID, from, in.ToRegion, in.ProjectID, in.Amount, in.Source, docID,
		in.IssuedOn, parentID, in.ReserveException)
	if err != nil {
		return 0, fmt.Errorf("storing the allocation: %w", inputError(err))
	}

	return id, nil
}

// raiseOutOfReserve raises the problem of money sent to a project outside
// the reserve, with the stated exception as its detail.
func raiseOutOfReserve(ctx context.Context, tx *sqlx.Tx, g fundhub.Guard,
	in fundhub.AllocationInput, id int64) error {
	var pid int64
	err := tx.GetContext(ctx, &pid, `INSERT INTO problems (kind, severity, region_code,
		project_id, allocation_id, rule, dedup_key, title, detail, raised_by)
		VALUES ('OUT_OF_RESERVE', 'MAJOR', $1, $2, $3, 'allocation_out_of_reserve',
		$4, $5, $6, $7) RETURNING id`, in.ToRegion, in.ProjectID, id,
		fmt.Sprintf("allocation_out_of_reserve:%d", id),
		fmt.Sprintf("资金安排给未入库项目 %d", *in.ProjectID),
		"Money was allocated to a project outside the reserve. Stated exception: "+
			*in.ReserveException, g.Caller().Actor())
	if err != nil {
		return fmt.Errorf("raising the out-of-reserve problem of allocation %d: %w", id, err)
	}

	return auditChange(ctx, tx, g, "problem.raise", "problem", pid, in.ToRegion, nil,
		*in.ReserveException)
}

// today is the date of t in China, the day officials date their acts by.
func today(t time.Time) time.Time {
	y, m, d := t.In(chinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var chinaTime = time.FixedZone("CST", 8*60*60)

func tooLong(s *string) bool {
	return s != nil && len([]rune(*s)) > fundhub.MaxNameLength
}
