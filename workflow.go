package fundhub

import (
	"time"

	"github.com/shopspring/decimal"
)

// Guard answers, for one caller, whether they may do an action; the store
// asks it inside a workflow transaction, on the rows it has locked, before
// it changes anything. An error it returns (EFORBIDDEN, already audited)
// ends the transaction.
type Guard interface {
	// Allow returns nil when the caller may do action on funds of dir in
	// the region with code. An empty dir asks for any direction: what is
	// about a region as a whole, not one fund.
	Allow(action, region string, dir Direction) error
	// Permits is Allow without the audit record of a refusal, for asking
	// which of several things the caller may touch: keeping another
	// department's report lines is no attempt at anything.
	Permits(action, region string, dir Direction) bool
	// AllowAbove is Allow for what the level above does (admit, review,
	// handle a problem): the caller's unit must also lie strictly above
	// region.
	AllowAbove(action, region string, dir Direction) error
	// AllowOwn is Allow for what a region does for itself (sends its money,
	// records receipt, files and reports, runs its projects): the caller's
	// unit must be at region itself, not above it, so that whoever files is
	// never whoever reviews.
	AllowOwn(action, region string, dir Direction) error
	// AllowProvince is AllowAbove for what the province does with the data
	// of its cities and counties: review, transmit, and ask for and apply
	// changes after transmission.
	AllowProvince(action, region string, dir Direction) error
	// Conceal answers an attempt on a record the caller may not read:
	// it audits the attempt as refused and returns missing, the answer a
	// record that does not exist gets, so nothing tells the two apart.
	Conceal(action, region string, missing error) error
	// Caller is who acts, for the records the change writes.
	Caller() *Caller
}

// ProjectApplication applies for a project to the reserve.
type ProjectApplication struct {
	Code              *string
	Name              string
	RegionCode        string
	Direction         Direction
	PlannedInvestment decimal.Decimal
	StartOn           *time.Time
	EndOn             *time.Time
}

// ProjectAdjustment is what an approved adjustment changes; nil fields
// stay.
type ProjectAdjustment struct {
	Name              *string
	PlannedInvestment *decimal.Decimal
	StartOn           *time.Time
	EndOn             *time.Time
}

// ReserveStep is one move of a project through the reserve.
type ReserveStep string

// Steps of the reserve, each a mutation.
const (
	StepFile      ReserveStep = "file"
	StepAdmit     ReserveStep = "admit"
	StepStart     ReserveStep = "start"
	StepAdjust    ReserveStep = "adjust"
	StepTerminate ReserveStep = "terminate"
	StepComplete  ReserveStep = "complete"
)

// reserveSteps lists, per step, the statuses it may start from and the
// status it leads to. Funding is not a step: the first allocation to an
// admitted project moves it to FUNDED. Only a project under way is
// adjusted, so an ADJUSTED project was started before it is completed.
var reserveSteps = map[ReserveStep]struct {
	from []ReserveStatus
	to   ReserveStatus
}{
	StepFile:   {[]ReserveStatus{ReserveApplied}, ReserveFiled},
	StepAdmit:  {[]ReserveStatus{ReserveFiled}, ReserveAdmitted},
	StepStart:  {[]ReserveStatus{ReserveAdmitted, ReserveFunded}, ReserveInProgress},
	StepAdjust: {[]ReserveStatus{ReserveInProgress, ReserveAdjusted}, ReserveAdjusted},
	StepTerminate: {[]ReserveStatus{ReserveApplied, ReserveFiled, ReserveAdmitted,
		ReserveFunded, ReserveInProgress, ReserveAdjusted}, ReserveTerminated},
	StepComplete: {[]ReserveStatus{ReserveInProgress, ReserveAdjusted}, ReserveCompleted},
}

// NextReserveStatus returns the status step leads to from status, or an
// ECONFLICT error naming the statuses it may start from.
func NextReserveStatus(status ReserveStatus, step ReserveStep) (ReserveStatus, error) {
	rule, ok := reserveSteps[step]
	if !ok {
		return "", Errorf(EINVALID, "unknown reserve step %q", step)
	}
	for _, from := range rule.from {
		if from == status {
			return rule.to, nil
		}
	}

	return "", &Error{Code: ECONFLICT, Field: "reserveStatus",
		Message: "cannot " + string(step) + " a project that is " + string(status) +
			"; it must be " + statusList(rule.from)}
}

func statusList(ss []ReserveStatus) string {
	out := ""
	for i, s := range ss {
		switch {
		case i == 0:
		case i == len(ss)-1:
			out += " or "
		default:
			out += ", "
		}
		out += string(s)
	}

	return out
}

// InReserve reports whether a project in status may receive money without
// an exception: it was admitted to the reserve and is not closed.
func InReserve(s ReserveStatus) bool {
	switch s {
	case ReserveAdmitted, ReserveFunded, ReserveInProgress, ReserveAdjusted:
		return true
	}

	return false
}

// DocumentInput names the approval document money moves under.
type DocumentInput struct {
	Number       string
	IssuedOn     time.Time
	IssuerRegion string
	Title        *string
}

// TargetInput is a performance target decomposed with an allocation.
type TargetInput struct {
	ParentID    *int64
	Level1      *string
	Level2      *string
	Indicator   string
	Unit        string
	Comparator  *string
	TargetValue decimal.Decimal
}

// AllocationInput passes money down: see the allocate mutation.
type AllocationInput struct {
	FundID           int64
	ParentID         *int64
	FromRegion       *string
	ToRegion         string
	ProjectID        *int64
	Amount           decimal.Decimal
	Source           FundSource
	Document         DocumentInput
	IssuedOn         time.Time
	Targets          []*TargetInput
	ReserveException *string
}

// ReportLineInput is one line of a saved report.
type ReportLineInput struct {
	AllocationID *int64
	ProjectID    *int64
	Source       *FundSource
	PaidAmount   *decimal.Decimal
	TargetID     *int64
	ActualValue  *decimal.Decimal
	Unit         *string
	Note         *string
}

// ChangeStatus is where a change request stands.
type ChangeStatus string

// Change request statuses.
const (
	ChangePending  ChangeStatus = "PENDING"
	ChangeApproved ChangeStatus = "APPROVED"
	ChangeRejected ChangeStatus = "REJECTED"
	ChangeApplied  ChangeStatus = "APPLIED"
)

// LineChange is one change a change request asks of a report line; nil
// fields stay.
type LineChange struct {
	LineID      int64            `json:"line_id"`
	PaidAmount  *decimal.Decimal `json:"paid_amount,omitempty"`
	ActualValue *decimal.Decimal `json:"actual_value,omitempty"`
	Note        *string          `json:"note,omitempty"`
}

// ChangeRequest asks for a change to a transmitted report (数据变更).
type ChangeRequest struct {
	ID           int64        `db:"id"`
	ReportID     int64        `db:"entity_id"`
	RegionCode   string       `db:"region_code"`
	Changes      []LineChange `db:"-"`
	Reason       string       `db:"reason"`
	Status       ChangeStatus `db:"status"`
	RequestedBy  string       `db:"requested_by"`
	RequestedAt  time.Time    `db:"requested_at"`
	DecidedBy    *string      `db:"decided_by"`
	DecidedAt    *time.Time   `db:"decided_at"`
	DecisionNote *string      `db:"decision_note"`
	AppliedAt    *time.Time   `db:"applied_at"`
}

// ChangeRequestFilter selects change requests. Nil fields do not filter.
type ChangeRequestFilter struct {
	RegionUnder *string
	Status      *ChangeStatus
	ReportID    *int64
}

// ProblemInput raises a problem by hand.
type ProblemInput struct {
	Kind         string
	Severity     *string
	RegionCode   string
	ProjectID    *int64
	AllocationID *int64
	Title        string
	Detail       *string
}

// ProblemComment is one comment on a problem.
type ProblemComment struct {
	ID        int64     `db:"id"`
	ProblemID int64     `db:"problem_id"`
	Author    string    `db:"author"`
	Body      string    `db:"body"`
	CreatedAt time.Time `db:"created_at"`
}

// ownMoney is the fiscal source a level's own budget puts in.
var ownMoney = map[RegionLevel]FundSource{
	LevelNational: SourceCentralTransfer,
	LevelProvince: SourceProvinceMatch,
	LevelCity:     SourceCityMatch,
	LevelCounty:   SourceCountyMatch,
}

// CheckSource says why source cannot fund an allocation of a fund of
// category: a social fund carries no fiscal money; a local fund no central
// transfer. Money that starts at a region (no parent, from a region of
// level from) is that level's own: the ministry's central transfer, a
// level's own matching money, or the responsible party's or social money.
// Passed-on money keeps its parent's source, so sources stay apart.
func CheckSource(category FundCategory, source FundSource, parent *FundSource,
	from RegionLevel) error {
	switch {
	case !source.Valid():
		return Invalid("source", "unknown source %q", source)
	case category == CategorySocial && source.Fiscal():
		return Invalid("source", "a social fund carries no fiscal money, not %s", source)
	case category == CategoryLocal && source == SourceCentralTransfer:
		return Invalid("source", "a local fund carries no central transfer")
	case parent != nil && *parent != source:
		return Invalid("source", "passed-on money keeps its source %s, not %s", *parent,
			source)
	case parent == nil && source.Fiscal() && ownMoney[from] != source:
		return Invalid("source", "money starting at a %s region is its own %s, not %s",
			from, ownMoney[from], source)
	}

	return nil
}

// AllocationDate names a date the recipient of an allocation records.
type AllocationDate string

// Dates the recipient records.
const (
	// DateReceived is 到位: the day the money arrived, from which the
	// 30 days to pass it on run.
	DateReceived AllocationDate = "received"
	// DateFiled is 报备: the day the recipient filed its breakdown of the
	// money and the targets upward.
	DateFiled AllocationDate = "filed"
)

// ProblemStep is one act of handling a problem.
type ProblemStep string

// Steps of handling a problem.
const (
	ProblemAcknowledge ProblemStep = "acknowledge"
	ProblemCommentStep ProblemStep = "comment"
	ProblemResolve     ProblemStep = "resolve"
	ProblemEscalate    ProblemStep = "escalate"
)
