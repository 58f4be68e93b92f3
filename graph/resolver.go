package graph

import (
	"context"
	"log/slog"
	"time"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/auth"
	"fundhub/authz"
	"fundhub/monitor"
)

// Store is what the resolvers read. *postgres.DB implements it; every method
// that takes a scope applies it in SQL.
type Store interface {
	Analyze(ctx context.Context, s fundhub.Scope, q fundhub.AnalysisQuery) (*fundhub.AnalysisResult,
		error)
	AnalysisTotal(ctx context.Context, s fundhub.Scope, q fundhub.AnalysisQuery) (*fundhub.Figures,
		error)
	ProjectProgress(ctx context.Context, s fundhub.Scope,
		q fundhub.ProjectProgressQuery) ([]*fundhub.ProjectProgress, int, error)
	UnitCosts(ctx context.Context, s fundhub.Scope,
		q fundhub.UnitCostQuery) ([]*fundhub.UnitCostGroup, error)
	FindRegion(ctx context.Context, s fundhub.Scope, code string) (*fundhub.Region, error)
	FindRegions(ctx context.Context, s fundhub.Scope, f fundhub.RegionFilter,
		p fundhub.Page) ([]*fundhub.Region, int, error)
	RegionsByCodes(ctx context.Context, s fundhub.Scope, codes []string) ([]*fundhub.Region, error)
	RegionChildren(ctx context.Context, codes []string) (map[string][]*fundhub.Region, error)
	RegionNames(ctx context.Context, codes []string) (map[string][]*fundhub.RegionNameChange, error)

	FindFund(ctx context.Context, s fundhub.Scope, id int64) (*fundhub.Fund, error)
	FindFunds(ctx context.Context, s fundhub.Scope, f fundhub.FundFilter,
		p fundhub.Page) ([]*fundhub.Fund, int, error)
	FundsByIDs(ctx context.Context, s fundhub.Scope, ids []int64) ([]*fundhub.Fund, error)

	FindAllocation(ctx context.Context, s fundhub.Scope, id int64) (*fundhub.Allocation, error)
	FindAllocations(ctx context.Context, s fundhub.Scope, f fundhub.AllocationFilter,
		p fundhub.Page) (*fundhub.AllocationList, error)
	AllocationsByIDs(ctx context.Context, s fundhub.Scope, ids []int64) ([]*fundhub.Allocation,
		error)
	AllocationTotals(ctx context.Context, s fundhub.Scope,
		q fundhub.TotalsQuery) ([]*fundhub.AllocationTotal, error)
	SourceRecordsByAllocation(ctx context.Context,
		ids []int64) (map[int64][]*fundhub.AllocationSourceRecord, error)

	FindProject(ctx context.Context, s fundhub.Scope, id int64) (*fundhub.Project, error)
	FindProjects(ctx context.Context, s fundhub.Scope, f fundhub.ProjectFilter,
		p fundhub.Page) ([]*fundhub.Project, int, error)
	ProjectsByIDs(ctx context.Context, s fundhub.Scope, ids []int64) ([]*fundhub.Project, error)

	FindTargets(ctx context.Context, s fundhub.Scope, f fundhub.TargetFilter,
		p fundhub.Page) ([]*fundhub.PerformanceTarget, int, error)
	TargetsByIDs(ctx context.Context, s fundhub.Scope,
		ids []int64) ([]*fundhub.PerformanceTarget, error)
	FindReports(ctx context.Context, s fundhub.Scope, f fundhub.ReportFilter,
		p fundhub.Page) ([]*fundhub.ExecutionReport, int, error)
	LinesByReport(ctx context.Context, s fundhub.Scope,
		ids []int64) (map[int64][]*fundhub.ReportLine, error)
	FindPayments(ctx context.Context, s fundhub.Scope, f fundhub.PaymentFilter,
		p fundhub.Page) (*fundhub.PaymentList, error)
	PaidByAllocation(ctx context.Context, s fundhub.Scope,
		ids []int64) (map[int64]decimal.Decimal, error)
	PaymentsByIDs(ctx context.Context, s fundhub.Scope, ids []int64) ([]*fundhub.Payment, error)
	FindProblems(ctx context.Context, s fundhub.Scope, f fundhub.ProblemFilter,
		p fundhub.Page) ([]*fundhub.Problem, int, error)

	FindReport(ctx context.Context, s fundhub.Scope, id int64) (*fundhub.ExecutionReport, error)
	ReportsByIDs(ctx context.Context, s fundhub.Scope,
		ids []int64) ([]*fundhub.ExecutionReport, error)
	SaveReport(ctx context.Context, g fundhub.Guard, region string, year, quarter int,
		lines []*fundhub.ReportLineInput) (*fundhub.ExecutionReport, error)
	SubmitReport(ctx context.Context, g fundhub.Guard, id int64) (*fundhub.ExecutionReport,
		error)
	ReviewReport(ctx context.Context, g fundhub.Guard, id int64, accept bool,
		reason *string) (*fundhub.ExecutionReport, error)
	TransmitReport(ctx context.Context, g fundhub.Guard, id int64) (*fundhub.ExecutionReport,
		error)
	RequestChange(ctx context.Context, g fundhub.Guard, reportID int64,
		changes []*fundhub.LineChange, reason string) (*fundhub.ChangeRequest, error)
	DecideChange(ctx context.Context, g fundhub.Guard, id int64, approve bool,
		note string) (*fundhub.ChangeRequest, error)
	ApplyChange(ctx context.Context, g fundhub.Guard, id int64) (*fundhub.ChangeRequest, error)
	FindChangeRequests(ctx context.Context, s fundhub.Scope, f fundhub.ChangeRequestFilter,
		p fundhub.Page) ([]*fundhub.ChangeRequest, int, error)
	ChangeRequestsByReport(ctx context.Context, s fundhub.Scope,
		ids []int64) (map[int64][]*fundhub.ChangeRequest, error)

	ApplyProject(ctx context.Context, g fundhub.Guard,
		in fundhub.ProjectApplication) (*fundhub.Project, error)
	MoveProject(ctx context.Context, g fundhub.Guard, id int64, step fundhub.ReserveStep,
		approvalRef *string, adj *fundhub.ProjectAdjustment) (*fundhub.Project, error)
	Allocate(ctx context.Context, g fundhub.Guard,
		in fundhub.AllocationInput) (*fundhub.Allocation, error)
	RecordAllocationDate(ctx context.Context, g fundhub.Guard, id int64,
		which fundhub.AllocationDate, on time.Time) (*fundhub.Allocation, error)
	ChildrenOfAllocations(ctx context.Context, s fundhub.Scope,
		ids []int64) (map[int64][]*fundhub.Allocation, error)
	TargetsByAllocation(ctx context.Context, s fundhub.Scope,
		ids []int64) (map[int64][]*fundhub.PerformanceTarget, error)
	RaiseProblem(ctx context.Context, g fundhub.Guard,
		in fundhub.ProblemInput) (*fundhub.Problem, error)
	HandleProblem(ctx context.Context, g fundhub.Guard, id int64, step fundhub.ProblemStep,
		text string) (*fundhub.Problem, error)
	FindProblem(ctx context.Context, s fundhub.Scope, id int64) (*fundhub.Problem, error)
	RecordEvaluation(ctx context.Context, g fundhub.Guard,
		in fundhub.EvaluationInput) (int64, error)
	RunInspection(ctx context.Context, g fundhub.Guard,
		in fundhub.InspectionInput) (*fundhub.InspectionRun, error)
	InspectionRuns(ctx context.Context, s fundhub.Scope,
		p fundhub.Page) ([]*fundhub.InspectionRun, int, error)
	FindInspectionRun(ctx context.Context, s fundhub.Scope,
		id int64) (*fundhub.InspectionRun, error)
	FindInspectionFindings(ctx context.Context, s fundhub.Scope, runID int64, check *string,
		p fundhub.Page) ([]*fundhub.InspectionFinding, int, error)
	EachInspectionFinding(ctx context.Context, s fundhub.Scope, runID int64,
		fn func(*fundhub.InspectionFinding) error) error
	ProblemSummaries(ctx context.Context, s fundhub.Scope, under string,
		level fundhub.RegionLevel) ([]*fundhub.ProblemSummary, error)
	FindDeadlines(ctx context.Context, s fundhub.Scope, f fundhub.DeadlineFilter,
		p fundhub.Page) ([]*fundhub.Deadline, int, error)
	CommentsByProblem(ctx context.Context,
		ids []int64) (map[int64][]*fundhub.ProblemComment, error)
	ReportRegion(ctx context.Context, s fundhub.Scope, code string) (*fundhub.Region, error)
	QuarterlyReportData(ctx context.Context, s fundhub.Scope,
		q fundhub.QuarterlyQuery) (*fundhub.QuarterlyReport, error)
	EachQuarterlyAllocation(ctx context.Context, s fundhub.Scope, q fundhub.QuarterlyQuery,
		fn func(*fundhub.QuarterlyAllocation) error) error
	EachProjectExecution(ctx context.Context, s fundhub.Scope, q fundhub.QuarterlyQuery,
		fn func(*fundhub.ProjectExecution) error) error

	FindConnectors(ctx context.Context) ([]*fundhub.Connector, error)
	FindConnectorByName(ctx context.Context, name string) (*fundhub.Connector, error)
	ConnectorsByIDs(ctx context.Context, ids []int64) ([]*fundhub.Connector, error)
	LastRuns(ctx context.Context, connectorIDs []int64) (map[int64]*fundhub.SyncRun, error)
	FindRun(ctx context.Context, id int64) (*fundhub.SyncRun, error)
	FindRuns(ctx context.Context, connectorID *int64, p fundhub.Page) ([]*fundhub.SyncRun, int,
		error)
	CreateConnector(ctx context.Context, c *fundhub.Connector, actor string) error
	UpdateConnector(ctx context.Context, c *fundhub.Connector, actor string) error
	SetConnectorEnabled(ctx context.Context, name string, enabled bool,
		actor string) (*fundhub.Connector, error)
	UsersByIDs(ctx context.Context, s fundhub.Scope, ids []int64) ([]*fundhub.User, error)
	FindUsers(ctx context.Context, s fundhub.Scope, p fundhub.Page) ([]*fundhub.User, int,
		error)
	UserRegion(ctx context.Context, username string) (int64, string, error)
	UnitsByIDs(ctx context.Context, ids []int64) ([]*fundhub.Unit, error)
	TokensOfUsers(ctx context.Context, ids []int64) (map[int64][]*fundhub.Token, error)
	FindRejectedRows(ctx context.Context, runID int64, p fundhub.Page) ([]*fundhub.RejectedRow,
		int, error)
}

// Syncer starts runs on request; *connectors.Dispatcher implements it.
type Syncer interface {
	Trigger(ctx context.Context, connector string) (*fundhub.SyncRun, error)
	Reprocess(ctx context.Context, connector string) (*fundhub.SyncRun, error)
}

// Deps are what the GraphQL edge serves from: the store, the sync runner,
// who callers are (Auth) and what they may do (Policy).
type Deps struct {
	Store  Store
	Syncer Syncer
	Auth   *auth.Service
	Policy *authz.Authorizer
	Logger *slog.Logger
	// Feed announces new problems to subscriptions; nil serves none.
	Feed *ProblemFeed
	// Monitor holds the thresholds time progress is graded by; nil uses
	// the monitor's defaults.
	Monitor *monitor.Config
}

// Resolver is the root of the resolvers. It holds no per-request state; the
// caller, their scope and the dataloaders travel in the request's context.
type Resolver struct {
	Deps
}
