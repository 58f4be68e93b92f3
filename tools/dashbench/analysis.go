package main

import (
	"time"

	"fundhub"
	"fundhub/monitor"
	"fundhub/postgres"
)

// analysisRow is what a dashboard reads of each analysis row.
const analysisRow = `regionCode region { name } allocated received paid executionRate
	receivedRate projectCount targetCompletionRate rank timeProgress { elapsed gap warning }`

// analysisSQL is the statement the store runs for q, as the resolver fills
// it in (the default rank, a page of first rows).
func analysisSQL(q fundhub.AnalysisQuery, first int) func(fundhub.Scope) (string, []any) {
	return func(s fundhub.Scope) (string, []any) {
		q.Page = fundhub.Page{First: first}
		_ = q.Validate(time.Now())
		return postgres.AnalysisSQL(s, q)
	}
}

// comparisonSQL is the statement of a comparison's cut: the whole of q
// varied, unsorted.
func comparisonSQL(q fundhub.AnalysisQuery,
	vary func(*fundhub.AnalysisQuery)) func(fundhub.Scope) []statement {
	return func(s fundhub.Scope) []statement {
		_ = q.Validate(time.Now())
		q.Sort, q.All = nil, true
		vary(&q)
		stmt, args := postgres.AnalysisSQL(s, q)
		return []statement{{stmt, args}}
	}
}

var (
	provinces2025 = fundhub.AnalysisQuery{
		GroupBy:     []fundhub.AnalysisDimension{fundhub.AnalyzeRegion},
		RegionLevel: fundhub.LevelProvince,
		Filter:      fundhub.AnalysisFilter{Years: []int{2025}},
		AsOf:        fundhub.Quarter{Year: 2025, Quarter: 2}}
	zhejiang       = "330000"
	counties2025ZJ = fundhub.AnalysisQuery{
		GroupBy:     []fundhub.AnalysisDimension{fundhub.AnalyzeRegion},
		RegionLevel: fundhub.LevelCounty,
		Filter:      fundhub.AnalysisFilter{Years: []int{2025}, Region: &zhejiang},
		AsOf:        fundhub.Quarter{Year: 2025, Quarter: 2}}
	yearsDirections = fundhub.AnalysisQuery{
		GroupBy: []fundhub.AnalysisDimension{fundhub.AnalyzeYear, fundhub.AnalyzeDirection},
		Filter:  fundhub.AnalysisFilter{Years: []int{2023, 2024, 2025}},
		AsOf:    fundhub.Quarter{Year: 2025, Quarter: 4}}
	quarters2025 = fundhub.AnalysisQuery{
		GroupBy: []fundhub.AnalysisDimension{fundhub.AnalyzeQuarter},
		Filter:  fundhub.AnalysisFilter{Years: []int{2025}},
		AsOf:    fundhub.Quarter{Year: 2025, Quarter: 4}}
	national2025 = fundhub.AnalysisQuery{
		Filter: fundhub.AnalysisFilter{Years: []int{2025}},
		AsOf:   fundhub.Quarter{Year: 2025, Quarter: 2}}
)

// analysisQueries are the dashboard's analytical queries: the province
// table with time progress, the same with year on year, a province's
// counties, the last three years by direction, quarters, the national
// total, and the projects in red of a province.
func analysisQueries() []dashQuery {
	return []dashQuery{
		{name: "analysis/provinces 2025 Q2",
			graphql: `{ analysis(groupBy: [REGION], regionLevel: PROVINCE,
				filter: {years: [2025]}, asOf: {year: 2025, quarter: 2}) {
				totalCount nodes { ` + analysisRow + ` } } }`,
			sql:  analysisSQL(provinces2025, 50),
			more: provinceNames},
		{name: "analysis/provinces with year on year",
			graphql: `{ analysis(groupBy: [REGION], regionLevel: PROVINCE,
				filter: {years: [2025]}, asOf: {year: 2025, quarter: 2}) {
				totalCount nodes { ` + analysisRow + `
				yearOnYear { paidPercent executionRatePoints } } } }`,
			sql: analysisSQL(provinces2025, 50),
			more: func(s fundhub.Scope) []statement {
				return append(provinceNames(s), comparisonSQL(provinces2025,
					func(q *fundhub.AnalysisQuery) {
						q.AsOf, q.Filter.Years = q.AsOf.YearBefore(), []int{2024}
					})(s)...)
			}},
		{name: "analysis/counties of 330000",
			graphql: `{ analysis(groupBy: [REGION], regionLevel: COUNTY,
				filter: {years: [2025], region: "330000"}, asOf: {year: 2025, quarter: 2},
				first: 200) { totalCount nodes { ` + analysisRow + ` } } }`,
			sql:  analysisSQL(counties2025ZJ, 200),
			more: countyNames},
		{name: "analysis/three years by direction",
			graphql: `{ analysis(groupBy: [YEAR, DIRECTION], filter: {years: [2023, 2024, 2025]},
				asOf: {year: 2025, quarter: 4}) {
				totalCount nodes { year direction allocated received paid executionRate
				projectCount targetCompletionRate rank } } }`,
			sql: analysisSQL(yearsDirections, 50)},
		{name: "analysis/quarters of 2025",
			graphql: `{ analysis(groupBy: [QUARTER], filter: {years: [2025]},
				asOf: {year: 2025, quarter: 4}) {
				totalCount nodes { quarter { label } allocated received paid } } }`,
			sql: analysisSQL(quarters2025, 50)},
		{name: "analysis/national total 2025",
			graphql: `{ analysis(filter: {years: [2025]}, asOf: {year: 2025, quarter: 2}) {
				total { allocated received paid executionRate projectCount
				targetCompletionRate } } }`,
			sql: analysisSQL(national2025, 50),
			more: comparisonSQL(national2025, func(q *fundhub.AnalysisQuery) {
				q.All, q.Page = false, fundhub.Page{First: 1}
			})},
		{name: "projectProgress/red in 330000",
			graphql: `{ projectProgress(year: 2025, asOf: "2025-06-30",
				filter: {region: "330000", warnings: [RED]}) {
				totalCount nodes { project { code name } allocated paid
				timeProgress { gap warning } } } }`,
			sql: func(s fundhub.Scope) (string, []any) {
				cfg := monitor.DefaultConfig()
				return postgres.ProjectProgressSQL(s, fundhub.ProjectProgressQuery{
					Year: 2025, AsOf: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC),
					Region:   &zhejiang,
					Warnings: []fundhub.WarningLevel{fundhub.WarningRed},
					Thresholds: fundhub.ProgressThresholds{Yellow: cfg.SlowPayment.YellowGap,
						Red: cfg.SlowPayment.RedGap},
					Page: fundhub.Page{First: 50}})
			}},
	}
}
