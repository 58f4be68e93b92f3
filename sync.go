package fundhub

import (
	"context"
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// Connector is a declared source: its kind (file, http, sql), its cron
// schedule, and its kind-specific settings and mapping as JSON, which the
// connectors packages decode.
type Connector struct {
	ID        int64           `db:"id"`
	Name      string          `db:"name"`
	Kind      string          `db:"kind"`
	Schedule  string          `db:"schedule"`
	Enabled   bool            `db:"enabled"`
	Config    json.RawMessage `db:"config"`
	CreatedAt time.Time       `db:"created_at"`
	UpdatedAt time.Time       `db:"updated_at"`
}

// ConnectorInput is a connector declaration sent over the API: Config holds
// the source settings and mapping as JSON.
type ConnectorInput struct {
	Name     string
	Kind     string
	Schedule *string
	Enabled  *bool
	Config   string
}

// RunStatus is the outcome of a sync run.
type RunStatus string

// Sync run statuses. A run that found rejected rows still SUCCEEDED: the good
// rows landed and the bad ones are kept.
const (
	RunRunning   RunStatus = "RUNNING"
	RunSucceeded RunStatus = "SUCCEEDED"
	RunFailed    RunStatus = "FAILED"
	RunCancelled RunStatus = "CANCELLED"
	RunSkipped   RunStatus = "SKIPPED"
)

// SyncRun records one run of a connector and what it did to each row.
type SyncRun struct {
	ID          int64      `db:"id"`
	ConnectorID int64      `db:"connector_id"`
	StartedAt   time.Time  `db:"started_at"`
	FinishedAt  *time.Time `db:"finished_at"`
	Status      RunStatus  `db:"status"`
	Trigger     string     `db:"trigger"`
	RunCounts
	Error *string `db:"error"`
}

// RunCounts are the row counters of a run. Skipped counts rows the mapping
// recognised and chose not to load, such as a table's total row.
type RunCounts struct {
	Read      int `db:"rows_read"`
	Inserted  int `db:"rows_inserted"`
	Updated   int `db:"rows_updated"`
	Unchanged int `db:"rows_unchanged"`
	Rejected  int `db:"rows_rejected"`
	Skipped   int `db:"rows_skipped"`
}

// RejectedRow is a source row that could not be mapped or loaded, kept with
// its reason and its data so it can be fixed and processed again.
type RejectedRow struct {
	ID          int64           `db:"id"`
	RunID       int64           `db:"run_id"`
	ConnectorID int64           `db:"connector_id"`
	Ref         string          `db:"ref"`
	ExternalID  *string         `db:"external_id"`
	Field       *string         `db:"field"`
	Reason      string          `db:"reason"`
	Data        json.RawMessage `db:"data"`
	CreatedAt   time.Time       `db:"created_at"`
}

// Add adds the counts of o to c.
func (c *RunCounts) Add(o RunCounts) {
	c.Read += o.Read
	c.Inserted += o.Inserted
	c.Updated += o.Updated
	c.Unchanged += o.Unchanged
	c.Rejected += o.Rejected
	c.Skipped += o.Skipped
}

// Outcome is what an upsert did to the graph.
type Outcome string

// Upsert outcomes, counted into RunCounts.
const (
	Inserted  Outcome = "INSERTED"
	Updated   Outcome = "UPDATED"
	Unchanged Outcome = "UNCHANGED"
)

// FundRef names a fund in a source record. The fund is found by name and
// year, and created with the other fields when it does not exist yet.
// OwnerRegion is the region whose budget holds the fund: the nation for a
// central fund; for a local or social one, the region that set it up.
type FundRef struct {
	Name        string
	Year        int
	Code        string
	Category    FundCategory
	Direction   Direction
	OwnerRegion string
}

// AllocationRecord is an allocation as one source reports it. Records of
// different sources that agree on fund (name, year and owning budget),
// issuing and receiving region and source are one allocation.
type AllocationRecord struct {
	SourceSystem string
	ExternalID   string
	Fund         FundRef
	FromRegion   string
	ToRegion     string
	Amount       decimal.Decimal
	Source       FundSource
	DocumentNo   string
	IssuedOn     *time.Time
	// Withdrawn marks a record the source deleted: it no longer counts.
	Withdrawn bool
}

// PaymentRecord is one payment (支付凭证) as a finance system reports it. A
// refund is a negative amount, or names the payment it Reverses; every
// movement is kept, so a payment total can fall.
type PaymentRecord struct {
	SourceSystem string
	ExternalID   string
	// AllocationSource and AllocationRef name the allocation paid from: the
	// record of that key in that source system.
	AllocationSource string
	AllocationRef    string
	RegionCode       string
	ProjectCode      string
	Source           FundSource
	Amount           decimal.Decimal
	PaidOn           time.Time
	Reverses         string
	Withdrawn        bool
	// AllocationID is set by the store once it has found the allocation.
	AllocationID *int64
}

// ReportLineRecord is one line of a region's quarterly execution report as a
// source reports it: the cumulative amount paid from a source on an
// allocation or project, or the actual value of an indicator, as of the
// quarter's end. The report is created as a draft when it does not exist.
type ReportLineRecord struct {
	SourceSystem     string
	ExternalID       string
	RegionCode       string
	Year             int
	Quarter          int
	AllocationSource string
	AllocationRef    string
	ProjectCode      string
	Source           FundSource
	PaidAmount       *decimal.Decimal
	ActualValue      *decimal.Decimal
	Note             string
	Withdrawn        bool
}

// ProjectRecord is a project of the reserve as a source reports it.
type ProjectRecord struct {
	SourceSystem      string
	ExternalID        string
	Code              string
	Name              string
	RegionCode        string
	Direction         Direction
	ReserveStatus     ReserveStatus
	PlannedInvestment decimal.Decimal
	StartOn           *time.Time
	EndOn             *time.Time
	Withdrawn         bool
}

// TargetRecord is a performance target as a source reports it.
type TargetRecord struct {
	SourceSystem string
	ExternalID   string
	Fund         FundRef
	RegionCode   string
	Level1       string
	Level2       string
	Indicator    string
	Unit         string
	Comparator   string
	TargetValue  *decimal.Decimal
	TargetText   string
	// ProjectCode ties the target to a project of the reserve, if any.
	ProjectCode string
	Withdrawn   bool
}

// ConnectorService manages connectors and reads their runs.
type ConnectorService interface {
	// FindConnectors returns every connector ordered by name.
	FindConnectors(ctx context.Context) ([]*Connector, error)
	// FindConnectorByName returns the connector, or ENOTFOUND.
	FindConnectorByName(ctx context.Context, name string) (*Connector, error)
	// SaveConnector creates the connector or replaces the one of that name.
	SaveConnector(ctx context.Context, c *Connector) error
	// FindRuns returns one page of runs, newest first, and the total count.
	FindRuns(ctx context.Context, connectorID *int64, p Page) ([]*SyncRun, int, error)
	// FindRejectedRows returns one page of rejected rows of a run.
	FindRejectedRows(ctx context.Context, runID int64, p Page) ([]*RejectedRow, int, error)
}

// SyncItem is one source row after mapping: exactly one of Allocation and
// Target is set for a row to load; Skip marks a row the mapping recognised
// and chose not to load (a total row, an empty line of a printed table);
// Reject holds why a row could not be mapped. Data keeps the row's cells so
// a rejected row can be fixed and processed again.
type SyncItem struct {
	Ref        string
	ExternalID string
	Data       map[string]string
	Allocation *AllocationRecord
	Target     *TargetRecord
	Payment    *PaymentRecord
	Project    *ProjectRecord
	Fund       *FundRecord
	ReportLine *ReportLineRecord
	Skip       string
	Reject     *Error
	// NoReplay marks a rejected row whose stored cells cannot stand for
	// the original, so reprocessing must not load them as they stand.
	NoReplay bool
	// Replays is the id of the rejected row this item processes again; it
	// is marked resolved in the transaction that processes the item.
	Replays int64
}

// ClearRecord drops the record an item would load, leaving the item to be
// skipped or rejected.
func (it *SyncItem) ClearRecord() {
	it.Allocation, it.Target, it.Payment = nil, nil, nil
	it.Project, it.Fund, it.ReportLine = nil, nil, nil
}

// FundRecord is a fund as a source declares it, before any money moves.
type FundRecord struct {
	SourceSystem string
	ExternalID   string
	Fund         FundRef
	Withdrawn    bool
}

// SyncStore is what a sync run needs from storage. Each ApplyBatch is one
// transaction holding the batch's rows, its rejected rows and, when given,
// the connector's new cursor, so a cursor never runs ahead of its rows.
type SyncStore interface {
	// TryLockConnector takes the connector's run lock across all replicas.
	// ok is false when another run holds it; release frees it.
	TryLockConnector(ctx context.Context, connectorID int64) (release func(), ok bool, err error)
	// SweepInterrupted marks FAILED the runs a stopped process left
	// RUNNING; it is called while holding the connector's lock.
	SweepInterrupted(ctx context.Context, connectorID int64) error
	// StartRun records a new RUNNING run.
	StartRun(ctx context.Context, connectorID int64, trigger string) (*SyncRun, error)
	// ApplyBatch loads items and stores cursor, when not nil, atomically,
	// and returns what it did to the items.
	ApplyBatch(ctx context.Context, run *SyncRun, items []SyncItem,
		cursor *string) (RunCounts, error)
	// Cursor returns the connector's committed cursor, or "" if none.
	Cursor(ctx context.Context, connectorID int64) (string, error)
	// FinishRun records the run's final status, counts and error.
	FinishRun(ctx context.Context, run *SyncRun) error
}
