package monitor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/shopspring/decimal"
	"gopkg.in/yaml.v3"

	"fundhub"
)

// Config holds the thresholds of the rules. The zero Config is not usable;
// start from DefaultConfig.
type Config struct {
	// SlowPayment grades payment against time progress (序时进度), as the
	// finance side does: yellow from YellowGap percentage points behind,
	// red from RedGap. Allocations below Floor yuan are left out so small
	// lines do not drown large ones.
	SlowPayment struct {
		YellowGap decimal.Decimal `yaml:"yellowGap"`
		RedGap    decimal.Decimal `yaml:"redGap"`
		Floor     decimal.Decimal `yaml:"floor"`
	} `yaml:"slowPayment"`
	// NotPassedOnDays is how long after receipt money may sit with a
	// province or city before what it has not passed on is a problem.
	NotPassedOnDays int `yaml:"notPassedOnDays"`
	// NotReceivedDays is how long after issue money may go unrecorded as
	// received.
	NotReceivedDays int `yaml:"notReceivedDays"`
	// LateMajorDays is how late a deadline must be to be MAJOR, not MINOR.
	LateMajorDays int `yaml:"lateMajorDays"`
	// SlowProgress grades a target's reported progress against time
	// progress, in percentage points behind.
	SlowProgress struct {
		YellowGap decimal.Decimal `yaml:"yellowGap"`
		RedGap    decimal.Decimal `yaml:"redGap"`
	} `yaml:"slowProgress"`
	// PaidTolerance is how far, in yuan, a reported paid amount may lie
	// from the finance system's payments before they disagree.
	PaidTolerance decimal.Decimal `yaml:"paidTolerance"`
}

// DefaultConfig returns the thresholds used when none are configured.
func DefaultConfig() Config {
	var c Config
	c.SlowPayment.YellowGap = decimal.NewFromInt(10)
	c.SlowPayment.RedGap = decimal.NewFromInt(20)
	c.SlowPayment.Floor = decimal.NewFromInt(1_000_000)
	c.NotPassedOnDays = 60
	c.NotReceivedDays = 30
	c.LateMajorDays = 15
	c.SlowProgress.YellowGap = decimal.NewFromInt(15)
	c.SlowProgress.RedGap = decimal.NewFromInt(30)
	c.PaidTolerance = decimal.NewFromInt(1)

	return c
}

// Rule names: stable, for filters and for the problems each raises.
const (
	RuleLateAllocation   = "late_allocation"
	RuleLateFiling       = "late_filing"
	RuleLateReport       = "late_report"
	RuleSlowPayment      = "slow_payment"
	RuleNotPassedOn      = "money_not_passed_on"
	RuleNotReceived      = "money_not_received"
	RulePaidAboveAmount  = "payments_above_allocation"
	RuleUnapprovedChange = "project_changed_without_approval"
	RuleTargetsMissing   = "targets_not_decomposed"
	RuleSlowProgress     = "slow_target_progress"
	RuleOutOfReserve     = "allocation_out_of_reserve"
	RuleReportedVsPaid   = "reported_payments_differ"
)

// Rules lists the names of every rule Findings applies; the store closes
// open problems of these rules whose condition no longer holds.
var Rules = []string{RuleLateAllocation, RuleLateFiling, RuleLateReport, RuleSlowPayment,
	RuleNotPassedOn, RuleNotReceived, RulePaidAboveAmount, RuleUnapprovedChange,
	RuleTargetsMissing, RuleSlowProgress, RuleOutOfReserve, RuleReportedVsPaid}

// Findings applies every rule to the facts and the deadlines computed from
// them.
func Findings(cfg Config, f fundhub.MonitorFacts) []fundhub.Finding {
	var out []fundhub.Finding
	for _, d := range f.Deadlines {
		out = append(out, lateDeadline(cfg, d, f.Today)...)
	}
	for _, a := range f.Allocations {
		out = append(out, slowPayment(cfg, a, f.Today)...)
		out = append(out, notPassedOn(cfg, a, f.Today)...)
		out = append(out, notReceived(cfg, a, f.Today)...)
		out = append(out, paidAbove(a)...)
		out = append(out, targetsMissing(a)...)
		out = append(out, outOfReserve(a)...)
	}
	for _, t := range f.Targets {
		out = append(out, slowProgress(cfg, t, f.Today)...)
	}
	for _, p := range f.Paid {
		out = append(out, reportedVsPaid(cfg, p)...)
	}
	for _, p := range f.Projects {
		out = append(out, unapprovedChange(p)...)
	}

	return out
}

var lateRules = map[fundhub.DeadlineKind]string{
	fundhub.DeadlinePassOn:        RuleLateAllocation,
	fundhub.DeadlineFiling:        RuleLateFiling,
	fundhub.DeadlineTargetFiling:  RuleLateFiling,
	fundhub.DeadlineQuarterReport: RuleLateReport,
}

// lateWhat says in words what each deadline asks for.
var lateWhat = map[fundhub.DeadlineKind]string{
	fundhub.DeadlinePassOn:        "Passing on",
	fundhub.DeadlineFiling:        "Filing the breakdown of",
	fundhub.DeadlineTargetFiling:  "Filing the decomposed targets of",
	fundhub.DeadlineQuarterReport: "Filing",
}

var lateTitles = map[fundhub.DeadlineKind]string{
	fundhub.DeadlinePassOn:        "资金未在30日内下达",
	fundhub.DeadlineFiling:        "资金细化结果未在30日内报备",
	fundhub.DeadlineTargetFiling:  "绩效目标分解未在30日内报备",
	fundhub.DeadlineQuarterReport: "季度执行情况未按期填报",
}

// lateDeadline fires while a deadline is past due and not met.
func lateDeadline(cfg Config, d fundhub.Deadline, today time.Time) []fundhub.Finding {
	if d.DueOn == nil || d.MetOn != nil || !today.After(*d.DueOn) {
		return nil
	}

	days := fundhub.LateBy(*d.DueOn, nil, today)
	severity := "MINOR"
	if days > cfg.LateMajorDays {
		severity = "MAJOR"
	}
	what := "the allocation"
	if d.AllocationID != nil {
		what = fmt.Sprintf("allocation %d", *d.AllocationID)
	}
	if d.Year != nil {
		what = fmt.Sprintf("the report of %d Q%d", *d.Year, *d.Quarter)
	}

	return []fundhub.Finding{{Rule: lateRules[d.Kind], Key: "late:" + d.Key, Kind: "LATE",
		Severity: severity, RegionCode: d.RegionCode, AllocationID: d.AllocationID,
		Title: lateTitles[d.Kind],
		Detail: fmt.Sprintf("%s %s was due on %s and is not done: %d days late (MAJOR "+
			"beyond %d days).", lateWhat[d.Kind], what, d.DueOn.Format(time.DateOnly), days,
			cfg.LateMajorDays)}}
}

// TimeProgress is the elapsed share of year on day, in per cent, as
// fundhub.ElapsedShare counts it.
func TimeProgress(year int, day time.Time, byMonths bool) decimal.Decimal {
	return fundhub.ElapsedShare(year, day, byMonths)
}

// slowPayment grades the money a region spends itself (a county's, or
// money for a project, not passed on) by how far its execution rate
// trails time progress. Money a province or city holds to pass on is
// money_not_passed_on's.
func slowPayment(cfg Config, a fundhub.AllocationFacts, today time.Time) []fundhub.Finding {
	spends := a.ToLevel == fundhub.LevelCounty || a.ProjectID != nil
	if !spends || a.Children > 0 || a.ReceivedOn == nil ||
		a.Amount.LessThan(cfg.SlowPayment.Floor) {
		return nil
	}

	progress := TimeProgress(a.FundYear, today, a.ProgressByMonths)
	rate := a.Paid.Mul(decimal.NewFromInt(100)).Div(a.Amount)
	gap := progress.Sub(rate)
	severity, level := "", ""
	switch {
	case gap.GreaterThanOrEqual(cfg.SlowPayment.RedGap):
		severity, level = "MAJOR", "red"
	case gap.GreaterThanOrEqual(cfg.SlowPayment.YellowGap):
		severity, level = "MINOR", "yellow"
	default:
		return nil
	}
	id := a.ID

	return []fundhub.Finding{{Rule: RuleSlowPayment,
		Key: fmt.Sprintf("%s:allocation:%d", RuleSlowPayment, a.ID), Kind: "SLOW_PAYMENT",
		Severity: severity, RegionCode: a.ToRegion, AllocationID: &id,
		Title: "支付进度滞后于序时进度 (" + level + ")",
		Detail: fmt.Sprintf("Paid %s of %s yuan: an execution rate of %s%% against time "+
			"progress of %s%%, %s points behind (yellow from %s, red from %s).",
			a.Paid, a.Amount, rate.Round(1), progress.Round(1), gap.Round(1),
			cfg.SlowPayment.YellowGap, cfg.SlowPayment.RedGap)}}
}

// notPassedOn fires when a province or city still holds money, not meant
// for a project of its own, that it received more than NotPassedOnDays ago.
func notPassedOn(cfg Config, a fundhub.AllocationFacts, today time.Time) []fundhub.Finding {
	passer := a.ToLevel == fundhub.LevelProvince || a.ToLevel == fundhub.LevelCity
	if !passer || a.ReceivedOn == nil || a.ProjectID != nil ||
		!a.Passed.LessThan(a.Amount) ||
		today.Sub(*a.ReceivedOn) <= time.Duration(cfg.NotPassedOnDays)*24*time.Hour {
		return nil
	}
	id := a.ID

	return []fundhub.Finding{{Rule: RuleNotPassedOn,
		Key: fmt.Sprintf("%s:allocation:%d", RuleNotPassedOn, a.ID), Kind: "SLOW_PAYMENT",
		Severity: "MINOR", RegionCode: a.ToRegion, AllocationID: &id,
		Title: "资金下达后未及时分解下达",
		Detail: fmt.Sprintf("Received on %s, %s of %s yuan is still not passed on after "+
			"more than %d days.", a.ReceivedOn.Format(time.DateOnly), a.Amount.Sub(a.Passed),
			a.Amount, cfg.NotPassedOnDays)}}
}

// notReceived fires when money issued more than NotReceivedDays ago is not
// recorded as received.
func notReceived(cfg Config, a fundhub.AllocationFacts, today time.Time) []fundhub.Finding {
	if a.ReceivedOn != nil || a.IssuedOn == nil ||
		today.Sub(*a.IssuedOn) <= time.Duration(cfg.NotReceivedDays)*24*time.Hour {
		return nil
	}
	id := a.ID

	return []fundhub.Finding{{Rule: RuleNotReceived,
		Key: fmt.Sprintf("%s:allocation:%d", RuleNotReceived, a.ID), Kind: "LATE",
		Severity: "MINOR", RegionCode: a.ToRegion, AllocationID: &id,
		Title: "资金下达后未到位",
		Detail: fmt.Sprintf("Issued on %s, the money is not recorded as received after "+
			"more than %d days.", a.IssuedOn.Format(time.DateOnly), cfg.NotReceivedDays)}}
}

// paidAbove fires when the payments made from an allocation exceed it.
func paidAbove(a fundhub.AllocationFacts) []fundhub.Finding {
	if !a.Paid.GreaterThan(a.Amount) {
		return nil
	}
	id := a.ID

	return []fundhub.Finding{{Rule: RulePaidAboveAmount,
		Key:  fmt.Sprintf("%s:allocation:%d", RulePaidAboveAmount, a.ID),
		Kind: "DATA_INCONSISTENCY", Severity: "MAJOR", RegionCode: a.ToRegion,
		AllocationID: &id, Title: "支付金额超过下达金额",
		Detail: fmt.Sprintf("Payments of %s yuan exceed the %s yuan allocated.", a.Paid,
			a.Amount)}}
}

// targetsMissing fires when money whose parent carries targets travels
// without its own share of them.
func targetsMissing(a fundhub.AllocationFacts) []fundhub.Finding {
	if !a.ParentHasTargets || a.HasTargets {
		return nil
	}
	id := a.ID

	return []fundhub.Finding{{Rule: RuleTargetsMissing,
		Key: fmt.Sprintf("%s:%d", RuleTargetsMissing, a.ID), Kind: "DATA_INCONSISTENCY",
		Severity: "MINOR", RegionCode: a.ToRegion, AllocationID: &id,
		Title: "资金下达未同步分解绩效目标",
		Detail: "The parent allocation carries performance targets, and this one " +
			"carries none: targets must travel with the money."}}
}

// unapprovedChange fires for a project adjusted or terminated with no
// approval on record.
func unapprovedChange(p fundhub.ProjectFacts) []fundhub.Finding {
	changed := p.Status == fundhub.ReserveAdjusted || p.Status == fundhub.ReserveTerminated
	if !changed || (p.ApprovalRef != nil && *p.ApprovalRef != "") {
		return nil
	}
	id := p.ID

	return []fundhub.Finding{{Rule: RuleUnapprovedChange,
		Key:  fmt.Sprintf("%s:project:%d", RuleUnapprovedChange, p.ID),
		Kind: "UNAPPROVED_CHANGE", Severity: "MAJOR", RegionCode: p.Region, ProjectID: &id,
		Title:  "项目擅自调整或终止",
		Detail: fmt.Sprintf("The project is %s with no approval on record.", p.Status)}}
}

// outOfReserve fires while money sits with a project that is not in the
// reserve; a stated exception is quoted, not a reason to keep quiet.
func outOfReserve(a fundhub.AllocationFacts) []fundhub.Finding {
	// Money sent with a stated exception went outside the reserve for good:
	// the project entering it later does not undo that.
	if a.ProjectStatus == nil ||
		(fundhub.InReserve(*a.ProjectStatus) && a.ReserveException == nil) {
		return nil
	}
	id := a.ID
	detail := fmt.Sprintf("Money was allocated to project %d outside the reserve; the "+
		"project is now %s.", *a.ProjectID, *a.ProjectStatus)
	if a.ReserveException != nil {
		detail += " Stated exception: " + *a.ReserveException
	}

	return []fundhub.Finding{{Rule: RuleOutOfReserve,
		Key: fmt.Sprintf("%s:%d", RuleOutOfReserve, a.ID), Kind: "OUT_OF_RESERVE",
		Severity: "MAJOR", RegionCode: a.ToRegion, AllocationID: &id,
		ProjectID: a.ProjectID, Title: fmt.Sprintf("资金安排给未入库项目 %d", *a.ProjectID),
		Detail: detail}}
}

// slowProgress grades a quantity target whose reported progress trails
// the elapsed share of its year; more is better for the comparators it
// reads (>=, >, =, ~), and a target with no report yet is left to the
// late-report rule.
func slowProgress(cfg Config, t fundhub.TargetFacts, today time.Time) []fundhub.Finding {
	if t.Actual == nil || !t.TargetValue.IsPositive() ||
		(t.Comparator != nil && (*t.Comparator == "<=" || *t.Comparator == "<")) {
		return nil
	}

	// The actual is as of its quarter's end: compare it with the time
	// elapsed by then.
	asOf := time.Date(t.ActualYear, time.Month(3*t.ActualQuarter+1), 1, 0, 0, 0, 0,
		time.UTC).AddDate(0, 0, -1)
	if asOf.After(today) {
		asOf = today
	}
	progress := TimeProgress(t.Year, asOf, false)
	done := t.Actual.Mul(decimal.NewFromInt(100)).Div(t.TargetValue)
	gap := progress.Sub(done)
	severity := ""
	switch {
	case gap.GreaterThanOrEqual(cfg.SlowProgress.RedGap):
		severity = "MAJOR"
	case gap.GreaterThanOrEqual(cfg.SlowProgress.YellowGap):
		severity = "MINOR"
	default:
		return nil
	}
	unit := ""
	if t.Unit != nil {
		unit = " " + *t.Unit
	}
	id := t.ID

	return []fundhub.Finding{{Rule: RuleSlowProgress,
		Key: fmt.Sprintf("%s:target:%d", RuleSlowProgress, id), Kind: "SLOW_PROGRESS",
		Severity: severity, RegionCode: t.Region, AllocationID: t.AllocationID,
		Title: "绩效目标进展缓慢: " + t.Indicator,
		Detail: fmt.Sprintf("%s reached %s of %s%s by the end of %d Q%d, %s%% done "+
			"against time progress of %s%% then: %s points behind.", t.Indicator,
			t.Actual.String(), t.TargetValue.String(), unit, t.ActualYear, t.ActualQuarter,
			done.Round(1), progress.Round(1), gap.Round(1))}}
}

// reportedVsPaid fires when a quarter's report says more or less was paid
// from an allocation than the finance system recorded by the quarter's end.
func reportedVsPaid(cfg Config, p fundhub.ReportedPaid) []fundhub.Finding {
	if p.Reported.Sub(p.Recorded).Abs().LessThanOrEqual(cfg.PaidTolerance) {
		return nil
	}
	id := p.AllocationID

	return []fundhub.Finding{{Rule: RuleReportedVsPaid,
		Key: fmt.Sprintf("%s:%d:%d:%d", RuleReportedVsPaid, p.AllocationID, p.Year,
			p.Quarter), Kind: "DATA_INCONSISTENCY", Severity: "MINOR", RegionCode: p.Region,
		AllocationID: &id, Title: "填报支付数与财务支付数不一致",
		Detail: fmt.Sprintf("The report of %d Q%d says %s yuan was paid from the "+
			"allocation; the finance system recorded %s yuan by the quarter's end.",
			p.Year, p.Quarter, p.Reported, p.Recorded)}}
}

// LoadConfig reads thresholds from the YAML file at path over the
// defaults; keys left out keep their default.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("reading monitor config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true) // a misspelt key is an error, not a silent default
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return cfg, fmt.Errorf("parsing monitor config %s: %w", path, err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return cfg, fmt.Errorf("monitor config %s: one YAML document, please", path)
	}
	sp := cfg.SlowPayment
	if sp.YellowGap.IsNegative() || sp.RedGap.LessThan(sp.YellowGap) ||
		sp.Floor.IsNegative() || cfg.NotPassedOnDays < 0 || cfg.NotReceivedDays < 0 ||
		cfg.PaidTolerance.IsNegative() || cfg.LateMajorDays < 0 ||
		cfg.SlowProgress.YellowGap.IsNegative() ||
		cfg.SlowProgress.RedGap.LessThan(cfg.SlowProgress.YellowGap) {
		return cfg, fmt.Errorf("monitor config %s: gaps must satisfy 0 <= yellowGap <= "+
			"redGap, and floor, days and tolerance must not be negative", path)
	}

	return cfg, nil
}
