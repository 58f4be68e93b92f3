package httpjson

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
)

const flattenBody = `{"data":{"items":[{
	"id": "V1",
	"voucher": {"amount": 12345678901234567.89, "no": "P-1",
		"payee": {"name": "塞罕坝林场"}},
	"big": 1e400,
	"count": 3,
	"rate": 0.10,
	"paid": true,
	"void": false,
	"note": null,
	"tags": ["a", "<b>"],
	"lines": [{"amt": 0.10}, 1.50],
	"extra": {},
	"金额（万元）": "1,234.5"
}]}}`

func TestSource_FlattensRecordsKeepingExactNumbers(t *testing.T) {
	srv := serve(t, fixed(http.StatusOK, flattenBody))
	src, _ := newSource(t, baseConfig(srv))

	pages, err := readPages(src, "")
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	rows := rowsOf(pages)
	if len(rows) != 1 || rows[0].Err != nil {
		t.Fatalf("got rows %+v, want one without error", rows)
	}
	want := map[string]string{
		"id": "V1", "voucher.amount": "12345678901234567.89", "voucher.no": "P-1",
		"voucher.payee.name": "塞罕坝林场", "big": "1e400", "count": "3", "rate": "0.10",
		"paid": "true", "void": "false", "note": "", "tags": `["a","<b>"]`,
		"lines": `[{"amt":0.10},1.50]`, "extra": "{}", "金额(万元)": "1,234.5",
	}
	if got := rows[0].Values; !maps.Equal(got, want) {
		t.Errorf("got values %q, want %q", got, want)
	}
	if got, want := rows[0].Ref, testPath+"#1:1"; got != want {
		t.Errorf("got ref %q, want %q", got, want)
	}
}

func TestSource_ReadsBodyThatIsTheArray(t *testing.T) {
	srv := serve(t, fixed(http.StatusOK, `[{"id":"A"},{"id":"B"},{"id":"C"}]`))
	cfg := baseConfig(srv)
	cfg.Records = ""
	cfg.Paging.Size = 5
	src, _ := newSource(t, cfg)

	pages, err := readPages(src, "")
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	if got, want := column(rowsOf(pages), "id"), []string{"A", "B", "C"}; !slices.Equal(got,
		want) {
		t.Errorf("got ids %q, want %q", got, want)
	}
}

func TestSource_NonObjectElementBecomesErrRow(t *testing.T) {
	body := `{"data":{"items":[{"id":"A"},7,"x",null,[1],true,{"id":"B"}]}}`
	srv := serve(t, fixed(http.StatusOK, body))
	cfg := baseConfig(srv)
	cfg.Paging.Size = 10
	src, _ := newSource(t, cfg)

	pages, err := readPages(src, "")
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	rows := rowsOf(pages)
	if got, want := column(rows, "id"), []string{"A", "", "", "", "", "", "B"}; !slices.Equal(
		got, want) {
		t.Fatalf("got ids %q, want %q", got, want)
	}
	kinds := []string{"a number", "a string", "null", "an array", "a boolean"}
	for i, kind := range kinds {
		row := rows[i+1]
		if row.Err == nil || !strings.Contains(row.Err.Error(), kind) {
			t.Errorf("%s: got error %v, want one naming %s", row.Ref, row.Err, kind)
		}
		if len(row.Values) != 0 {
			t.Errorf("%s: got values %q, want none", row.Ref, row.Values)
		}
	}
	if rows[0].Err != nil || rows[6].Err != nil {
		t.Errorf("got errors %v and %v on the objects, want none", rows[0].Err, rows[6].Err)
	}
}

func TestSource_FieldNamedTwiceBecomesErrRow(t *testing.T) {
	body := `{"data":{"items":[{"voucher.amount":"1","voucher":{"amount":"2"}},{"id":"B"}]}}`
	srv := serve(t, fixed(http.StatusOK, body))
	cfg := baseConfig(srv)
	cfg.Paging.Size = 10
	src, _ := newSource(t, cfg)

	pages, err := readPages(src, "")
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	rows := rowsOf(pages)
	if len(rows) != 2 {
		t.Fatalf("got %d rows, want 2", len(rows))
	}
	if rows[0].Err == nil || !strings.Contains(rows[0].Err.Error(), "voucher.amount") {
		t.Errorf("got error %v, want one naming voucher.amount", rows[0].Err)
	}
	if rows[1].Err != nil {
		t.Errorf("got error %v on the second row, want none", rows[1].Err)
	}
}

func TestSource_BadBodyRetriedThenFails(t *testing.T) {
	tests := []struct {
		name, records, body, want string
	}{
		{"not JSON", "data.items", `{"data":{"items":[{"id":"A"}`,
			"the body is not valid JSON: unexpected EOF"},
		{"more after the value", "data.items", `{"data":{"items":[]}} {}`,
			"the body has more after its JSON value"},
		{"records missing", "data.items", `{"items":[]}`, `the body has no "data.items"`},
		{"records not an array", "data.items", `{"data":{"items":{"id":"A"}}}`,
			`"data.items" in the body is an object, not an array of records`},
		{"records null", "data.items", `{"data":{"items":null}}`,
			`"data.items" in the body is null, not an array of records`},
		{"body not an array", "", `{"id":"A"}`,
			"the body is an object, not an array of records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, fixed(http.StatusOK, tt.body))
			cfg := baseConfig(srv)
			cfg.Records = tt.records
			src, clock := newSource(t, cfg)

			pages, err := readPages(src, "")
			if len(pages) != 0 {
				t.Errorf("got %d pages, want none", len(pages))
			}

			want := "GET " + testPath + ": " + tt.want + " after 3 attempts"
			checkRemoteError(t, err, want, http.StatusOK, 3)
			if got := len(clock.waits()); got != 2 {
				t.Errorf("got %d waits, want 2", got)
			}
		})
	}
}

// checkRemoteError checks that err is a RemoteError with the given text,
// status and attempts.
func checkRemoteError(t *testing.T, err error, want string, status, attempts int) {
	t.Helper()

	var re *RemoteError
	if !errors.As(err, &re) {
		t.Fatalf("got error %v, want a RemoteError", err)
	}
	if got := err.Error(); got != want {
		t.Errorf("got error %q, want %q", got, want)
	}
	if re.Status != status {
		t.Errorf("got status %d, want %d", re.Status, status)
	}
	if re.Attempts != attempts {
		t.Errorf("got %d attempts, want %d", re.Attempts, attempts)
	}
}
