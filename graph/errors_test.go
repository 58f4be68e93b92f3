package graph_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fundhub"
	"fundhub/postgres"
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

func TestQuery_LimitsAndOddInput(t *testing.T) {
	srv := server(t, pgtest.New(t))
	aliases := ""
	for i := 0; i < 20; i++ {
		aliases += fmt.Sprintf(" a%d: regions(first: 1000) { nodes { children {"+
			" children { code } } } }", i)
	}
	tests := []struct{ name, query, code string }{
		{"too complex", "{" + aliases + " }", "COMPLEXITY_LIMIT_EXCEEDED"},
		{"nul byte", `{ region(code: "33\u0000") { name } }`, "BAD_USER_INPUT"},
		{"nul in filter", `{ regions(nameContains: "\u0000") { totalCount } }`, "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, srv, tt.query, nil)
			if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != tt.code {
				t.Errorf("got %+v, want an error with code %s", resp.Errors, tt.code)
			}
		})
	}
}

func TestQuery_FullTreeFitsTheLimits(t *testing.T) {
	srv := server(t, pgtest.New(t))

	var got struct {
		Region struct {
			Children []struct {
				Children []struct {
					Children []struct{ Code string }
				}
			}
		}
	}
	query(t, srv, `{ region(code: "100000") { children { code children { code
		children { code name fullName } } } } }`, nil, &got)
	counties := 0
	for _, p := range got.Region.Children {
		for _, c := range p.Children {
			counties += len(c.Children)
		}
	}
	if len(got.Region.Children) != 34 || counties < 2800 {
		t.Errorf("tree: got %d provinces and %d counties, want 34 and every county",
			len(got.Region.Children), counties)
	}
}

func TestPresenter_InternalErrorsDoNotLeak(t *testing.T) {
	db := pgtest.New(t)
	broken := failingStore{DB: db}
	srv := httptest.NewServer(nationalAdmin(t, newDeps(t, db, broken, nil)))
	t.Cleanup(srv.Close)

	resp := post(t, srv, `{ regions { totalCount } }`, nil)
	if len(resp.Errors) != 1 {
		t.Fatalf("errors: got %+v, want one", resp.Errors)
	}
	e := resp.Errors[0]
	if e.Extensions["code"] != "INTERNAL" || e.Message != "internal error" {
		t.Errorf("got %q %v, want a bare internal error", e.Message, e.Extensions)
	}
}

// failingStore fails the way a broken database would, with SQL in its text.
type failingStore struct{ *postgres.DB }

func (failingStore) FindRegions(context.Context, fundhub.Scope, fundhub.RegionFilter,
	fundhub.Page) ([]*fundhub.Region, int, error) {
	return nil, 0, errors.New(`pq: relation "regions" does not exist at SELECT r.code`)
}

func TestQuery_HugeDocumentIsRefusedQuickly(t *testing.T) {
	srv := server(t, pgtest.New(t))
	q := "{" + strings.Repeat(` region(code: "330100") { code }`, 10000) + " }"

	start := time.Now()
	resp := post(t, srv, q, nil)
	if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != "GRAPHQL_PARSE_FAILED" {
		t.Errorf("got %+v, want the document refused as too large", resp.Errors)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusing took %s, want well under a second", d)
	}
}
