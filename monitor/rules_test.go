package monitor_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"fundhub"
	"fundhub/monitor"
)

// base is a county's allocation of 2 million yuan of a 2024 fund, received
// on 1 March 2024, spending it itself.
func base() fundhub.AllocationFacts {
	return fundhub.AllocationFacts{ID: 7, ToRegion: "330106", ToLevel: fundhub.LevelCounty,
		Amount: decimal.NewFromInt(2_000_000), ReceivedOn: day("2024-03-01"),
		IssuedOn: day("2024-02-20"), FundYear: 2024, HasTargets: true}
}

func rulesFired(f fundhub.MonitorFacts) map[string]string {
	got := map[string]string{}
	for _, fd := range monitor.Findings(monitor.DefaultConfig(), f) {
		got[fd.Rule] = fd.Severity
	}

	return got
}

func TestRules_FireStayQuietAtTheThresholdAndClear(t *testing.T) {
	// 1 July 2024 is day 183 of 366: time progress 50%.
	july := *day("2024-07-01")
	paid := func(yuan int64) func(*fundhub.MonitorFacts) {
		return func(f *fundhub.MonitorFacts) { f.Allocations[0].Paid = decimal.NewFromInt(yuan) }
	}
	tests := []struct {
		name   string
		rule   string
		change func(*fundhub.MonitorFacts)
		want   string // severity, or "" for quiet
	}{
		{"slow payment, red: 25% paid at 50% of the year", monitor.RuleSlowPayment,
			paid(500_000), "MAJOR"},
		{"slow payment, yellow: 35% paid", monitor.RuleSlowPayment, paid(700_000), "MINOR"},
		{"slow payment at the yellow threshold exactly is yellow", monitor.RuleSlowPayment,
			func(f *fundhub.MonitorFacts) {
				// 50% progress on 1 July by months (6 of 12 ended): 40% paid is 10 behind.
				f.Allocations[0].ProgressByMonths = true
				f.Allocations[0].Paid = decimal.NewFromInt(800_000)
			}, "MINOR"},
		{"slow payment just inside the threshold is quiet", monitor.RuleSlowPayment,
			func(f *fundhub.MonitorFacts) {
				f.Allocations[0].ProgressByMonths = true
				f.Allocations[0].Paid = decimal.NewFromInt(800_001)
			}, ""},
		{"slow payment cleared by paying", monitor.RuleSlowPayment, paid(1_000_000), ""},
		{"slow payment below the materiality floor is quiet", monitor.RuleSlowPayment,
			func(f *fundhub.MonitorFacts) {
				f.Allocations[0].Amount = decimal.NewFromInt(999_999)
			}, ""},
		{"payments above the allocation", monitor.RulePaidAboveAmount, paid(2_000_001),
			"MAJOR"},
		{"payments equal to the allocation are quiet", monitor.RulePaidAboveAmount,
			paid(2_000_000), ""},
		{"money not received 31 days after issue", monitor.RuleNotReceived,
			func(f *fundhub.MonitorFacts) {
				f.Allocations[0].ReceivedOn = nil
				f.Allocations[0].IssuedOn = day("2024-05-31")
			}, "MINOR"},
		{"money not received 30 days after issue is quiet", monitor.RuleNotReceived,
			func(f *fundhub.MonitorFacts) {
				f.Allocations[0].ReceivedOn = nil
				f.Allocations[0].IssuedOn = day("2024-06-01")
			}, ""},
		{"money a city passed nothing of 61 days after receipt", monitor.RuleNotPassedOn,
			func(f *fundhub.MonitorFacts) {
				a := &f.Allocations[0]
				a.ToLevel, a.ReceivedOn = fundhub.LevelCity, day("2024-05-01")
			}, "MINOR"},
		{"a province's money to pass on is not graded as slow payment",
			monitor.RuleSlowPayment, func(f *fundhub.MonitorFacts) {
				f.Allocations[0].ToLevel = fundhub.LevelProvince
				f.Allocations[0].Paid = decimal.Zero
			}, ""},
		{"money not passed on 61 days after receipt", monitor.RuleNotPassedOn,
			func(f *fundhub.MonitorFacts) {
				a := &f.Allocations[0]
				a.ToLevel, a.Children, a.Passed = fundhub.LevelCity, 1,
					decimal.NewFromInt(1_000_000)
				a.ReceivedOn = day("2024-05-01")
			}, "MINOR"},
		{"money not passed on exactly 60 days after receipt is quiet",
			monitor.RuleNotPassedOn, func(f *fundhub.MonitorFacts) {
				a := &f.Allocations[0]
				a.ToLevel, a.Children, a.Passed = fundhub.LevelCity, 1,
					decimal.NewFromInt(1_000_000)
				a.ReceivedOn = day("2024-05-02")
			}, ""},
		{"money passed on whole is quiet", monitor.RuleNotPassedOn,
			func(f *fundhub.MonitorFacts) {
				a := &f.Allocations[0]
				a.ToLevel, a.Children, a.Passed = fundhub.LevelCity, 2, a.Amount
				a.ReceivedOn = day("2024-05-01")
			}, ""},
		{"targets not decomposed", monitor.RuleTargetsMissing,
			func(f *fundhub.MonitorFacts) {
				f.Allocations[0].ParentHasTargets, f.Allocations[0].HasTargets = true, false
			}, "MINOR"},
		{"targets decomposed are quiet", monitor.RuleTargetsMissing,
			func(f *fundhub.MonitorFacts) { f.Allocations[0].ParentHasTargets = true }, ""},
		{"a project terminated without approval", monitor.RuleUnapprovedChange,
			func(f *fundhub.MonitorFacts) {
				f.Projects = []fundhub.ProjectFacts{{ID: 3, Region: "330106",
					Status: fundhub.ReserveTerminated}}
			}, "MAJOR"},
		{"a project terminated with approval is quiet", monitor.RuleUnapprovedChange,
			func(f *fundhub.MonitorFacts) {
				ref := "安政办〔2024〕31号"
				f.Projects = []fundhub.ProjectFacts{{ID: 3, Region: "330106",
					Status: fundhub.ReserveTerminated, ApprovalRef: &ref}}
			}, ""},
		{"a report 16 days late", monitor.RuleLateReport, func(f *fundhub.MonitorFacts) {
			f.Deadlines = []fundhub.Deadline{{Key: "QUARTER_REPORT:330106:2024:1",
				Kind: fundhub.DeadlineQuarterReport, RegionCode: "330106",
				DueOn: day("2024-06-15"), Year: ptr(2024), Quarter: ptr(1)}}
		}, "MAJOR"},
		{"a report due today is quiet", monitor.RuleLateReport, func(f *fundhub.MonitorFacts) {
			f.Deadlines = []fundhub.Deadline{{Key: "QUARTER_REPORT:330106:2024:2",
				Kind: fundhub.DeadlineQuarterReport, RegionCode: "330106",
				DueOn: day("2024-07-01"), Year: ptr(2024), Quarter: ptr(2)}}
		}, ""},
		{"a late report once filed is quiet", monitor.RuleLateReport,
			func(f *fundhub.MonitorFacts) {
				f.Deadlines = []fundhub.Deadline{{Key: "QUARTER_REPORT:330106:2024:1",
					Kind: fundhub.DeadlineQuarterReport, RegionCode: "330106",
					DueOn: day("2024-06-15"), MetOn: day("2024-06-30"), Year: ptr(2024),
					Quarter: ptr(1)}}
			}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fundhub.MonitorFacts{Today: july,
				Allocations: []fundhub.AllocationFacts{base()}}
			f.Allocations[0].Paid = decimal.NewFromInt(1_000_000)
			tt.change(&f)
			if got := rulesFired(f)[tt.rule]; got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.rule, got, tt.want)
			}
		})
	}
}

func ptr(i int) *int { return &i }

func TestTimeProgress(t *testing.T) {
	tests := []struct {
		day      string
		byMonths bool
		want     string
	}{
		{"2024-01-01", false, "0.3"},
		{"2024-07-01", false, "50"},
		{"2024-12-31", false, "100"},
		{"2024-07-01", true, "50"},
		{"2024-07-31", true, "50"},
		{"2023-12-31", false, "0"},
		{"2025-01-01", true, "100"},
	}
	for _, tt := range tests {
		got := monitor.TimeProgress(2024, *day(tt.day), tt.byMonths).Round(1)
		if !got.Equal(decimal.RequireFromString(tt.want)) {
			t.Errorf("%s by months %t: got %s%%, want %s%%", tt.day, tt.byMonths, got, tt.want)
		}
	}
}

func TestRules_TargetsReserveAndReportedPayments(t *testing.T) {
	july := *day("2024-07-01")
	dec := decimal.RequireFromString
	target := func(actual string) fundhub.TargetFacts {
		a := dec(actual)
		// Reported for 2024 Q2: by 30 June, 182 of 366 days, 49.73%.
		return fundhub.TargetFacts{ID: 9, Region: "330106", Year: 2024, Indicator: "修复面积",
			TargetValue: dec("1000"), Actual: &a, ActualYear: 2024, ActualQuarter: 2}
	}
	applied, admitted := fundhub.ReserveApplied, fundhub.ReserveAdmitted
	project := int64(4)
	exception := "省政府常务会议纪要〔2024〕3号 同意先行安排"
	tests := []struct {
		name, rule string
		facts      fundhub.MonitorFacts
		want       string
	}{
		{"progress 30 points behind its quarter's time is red", monitor.RuleSlowProgress,
			fundhub.MonitorFacts{Targets: []fundhub.TargetFacts{target("197")}}, "MAJOR"},
		{"progress 15 points behind is yellow", monitor.RuleSlowProgress,
			fundhub.MonitorFacts{Targets: []fundhub.TargetFacts{target("347")}}, "MINOR"},
		{"progress just inside 15 points is quiet", monitor.RuleSlowProgress,
			fundhub.MonitorFacts{Targets: []fundhub.TargetFacts{target("348")}}, ""},
		{"money with a project outside the reserve", monitor.RuleOutOfReserve,
			fundhub.MonitorFacts{Allocations: []fundhub.AllocationFacts{{ID: 1,
				ToRegion: "330106", ProjectID: &project, ProjectStatus: &applied}}}, "MAJOR"},
		{"money sent with an exception stays out of the reserve", monitor.RuleOutOfReserve,
			fundhub.MonitorFacts{Allocations: []fundhub.AllocationFacts{{ID: 1,
				ToRegion: "330106", ProjectID: &project, ProjectStatus: &admitted,
				ReserveException: &exception}}}, "MAJOR"},
		{"money with a project admitted since is quiet", monitor.RuleOutOfReserve,
			fundhub.MonitorFacts{Allocations: []fundhub.AllocationFacts{{ID: 1,
				ToRegion: "330106", ProjectID: &project, ProjectStatus: &admitted}}}, ""},
		{"a report saying 2 yuan more than the finance system", monitor.RuleReportedVsPaid,
			fundhub.MonitorFacts{Paid: []fundhub.ReportedPaid{{AllocationID: 1,
				Region: "330106", Year: 2024, Quarter: 1, Reported: dec("102"),
				Recorded: dec("100")}}}, "MINOR"},
		{"a report within the tolerance is quiet", monitor.RuleReportedVsPaid,
			fundhub.MonitorFacts{Paid: []fundhub.ReportedPaid{{AllocationID: 1,
				Region: "330106", Year: 2024, Quarter: 1, Reported: dec("101"),
				Recorded: dec("100")}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.facts.Today = july
			if got := rulesFired(tt.facts)[tt.rule]; got != tt.want {
				t.Errorf("%s: got %q, want %q", tt.rule, got, tt.want)
			}
		})
	}
}
