package graph_test

import (
	"testing"

	"fundhub/postgres/pgtest"
)

func TestQuery_BadInputNamesTheField(t *testing.T) {
	srv := server(t, pgtest.New(t))
	tests := []struct {
		name, query, code, field string
	}{
		{"negative first", `{ regions(first: -1) { totalCount } }`, "BAD_USER_INPUT", "first"},
		{"first too large", `{ regions(first: 5000) { totalCount } }`, "BAD_USER_INPUT", "first"},
		{"foreign cursor", `{ regions(after: "bm9wZQ==") { totalCount } }`, "BAD_USER_INPUT", "after"},
		{"bad id", `{ allocation(id: "abc") { id } }`, "BAD_USER_INPUT", "id"},
		{"national rollup", `{ allocationTotals(groupBy: [REGION], regionLevel: NATIONAL) { amount } }`,
			"BAD_USER_INPUT", "regionLevel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, srv, tt.query, nil)
			if len(resp.Errors) != 1 {
				t.Fatalf("errors: got %+v, want one", resp.Errors)
			}
			ext := resp.Errors[0].Extensions
			if ext["code"] != tt.code || ext["field"] != tt.field {
				t.Errorf("got code %v field %v, want %s %s", ext["code"], ext["field"], tt.code, tt.field)
			}
		})
	}
}

func TestQuery_MissingRecordIsNull(t *testing.T) {
	srv := server(t, pgtest.New(t))

	var got struct {
		Region     *struct{ Name string }
		Allocation *struct{ ID string }
		Connector  *struct{ Name string }
	}
	query(t, srv, `{ region(code: "999999") { name } allocation(id: "42") { id }
		connector(name: "nope") { name } }`, nil, &got)
	if got.Region != nil || got.Allocation != nil || got.Connector != nil {
		t.Errorf("got %+v, want every lookup null", got)
	}
}
