package main

import (
	"context"
	"fmt"
	"time"

	"fundhub/connectors"
	"fundhub/tools/financesim"
)

func indicatorMapping() connectors.Mapping {
	return connectors.Mapping{Entity: "allocation", Key: []string{"id"},
		Fields: map[string]connectors.Field{
			"fund": {Column: "fund_name"}, "year": {Column: "year"},
			"category": {Column: "category",
				Map: map[string]string{"中央": "CENTRAL", "地方": "LOCAL"}},
			"direction": {Column: "fund_name", Otherwise: "ECO_RESTORATION",
				Match: []connectors.MatchRule{{Contains: "救灾", Value: "DISASTER_RELIEF"},
					{Contains: "地质灾害", Value: "GEOHAZARD"}}},
			"source": {Column: "source", Map: map[string]string{
				"中央财政直接下达": "CENTRAL_TRANSFER", "省级财政筹措": "PROVINCE_MATCH",
				"市级财政筹措": "CITY_MATCH"}},
			"from_region": {Column: "from_region_code"}, "to_region": {Column: "to_region_code"},
			"amount": {Column: "amount"},
		}}
}

// paymentMapping maps a voucher onto a payment, the same for every kind.
func paymentMapping() connectors.Mapping {
	return connectors.Mapping{Entity: "payment", Key: []string{"voucher_no"},
		AllocationSource: "finance-indicators",
		Deleted:          &connectors.DeletedRule{Column: "is_deleted", Values: []string{"1"}},
		Fields: map[string]connectors.Field{
			"allocation_ref": {Column: "indicator_id"}, "region": {Column: "region_code"},
			"project_code": {Column: "project_code"}, "amount": {Column: "amount"},
			"paid_on": {Column: "paid_on"}, "reverses": {Column: "refund_of"},
		}}
}

// syncKind declares a connector of the kind over the vouchers and times
// one full run of it.
func (e *env) syncKind(ctx context.Context, kind string) (result, error) {
	cfg := &connectors.Config{Name: "bench-" + kind, Kind: kind, Mapping: paymentMapping()}
	switch kind {
	case "file":
		cfg.File = &connectors.FileConfig{Dir: e.dir, Patterns: []string{"vouchers.csv"}}
	case "sql":
		cfg.SQL = &connectors.SQLConfig{Driver: "postgres", DSNEnv: "BENCH_DSN",
			Query: `SELECT * FROM benchsrc.vouchers`, TimeColumn: "updated_at",
			KeyColumn: "voucher_no", BatchSize: 5000}
	case "http":
		cfg.HTTP = &connectors.HTTPConfig{URL: e.srv.URL + financesim.VouchersPath,
			Records: "data.items", Paging: connectors.HTTPPaging{Mode: "cursor",
				NextPath: "data.next_cursor", CursorParam: "cursor", SizeParam: "limit",
				Size: 5000},
			Incremental: &connectors.Incremental{TimeField: "updated_at",
				KeyField: "voucher_no", SinceParam: "updated_since"},
			Auth: &connectors.HTTPAuth{TokenEnv: "BENCH_TOKEN"}}
	}

	start := time.Now()
	run, err := e.sync(ctx, cfg)
	took := time.Since(start)
	if err != nil {
		return result{}, err
	}
	if run.Error != nil {
		return result{}, fmt.Errorf("run %s: %s", run.Status, *run.Error)
	}

	return result{kind: kind, rows: run.Read, took: took}, nil
}
