package sqlsrc

import (
	"database/sql"
	"maps"
	"testing"
)

func TestSource_ValuesAreExactText(t *testing.T) {
	db := setup(t, `CREATE TABLE funds (
		id bigint,
		updated_at timestamptz,
		amount numeric(20, 2),
		tiny numeric,
		note text,
		approved boolean,
		withdrawn boolean,
		due date,
		local_at timestamp,
		ratio double precision,
		"地区" text,
		blob bytea,
		missing numeric
	)`, `INSERT INTO funds VALUES (
		1, '2024-03-01 08:30:00.123456+08', 12345678901234567.89,
		0.000000000000000000001, NULL, true, false, '2024-02-29',
		'2024-03-01 08:30:00.000001', 0.1, '北京', '\xdeadbeef', NULL
	)`)
	// The zone of a timestamptz is the connection's; a new connection of the
	// source takes the database's.
	var name string
	if err := db.QueryRow(`SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	exec(t, db, `ALTER DATABASE "`+name+`" SET timezone TO 'Asia/Shanghai'`)
	s := newSource(t, config(`SELECT * FROM funds`, "updated_at", "id", 0))

	pages := readPages(t, s, "")

	want := map[string]string{
		"id":         "1",
		"updated_at": "2024-03-01T08:30:00.123456+08:00",
		"amount":     "12345678901234567.89",
		"tiny":       "0.000000000000000000001",
		"note":       "",
		"approved":   "true",
		"withdrawn":  "false",
		"due":        "2024-02-29",
		"local_at":   "2024-03-01T08:30:00.000001Z",
		"ratio":      "0.1",
		"地区":         "北京",
		"blob":       `\xdeadbeef`,
		"missing":    "",
	}
	if len(pages) != 1 || len(pages[0].Rows) != 1 {
		t.Fatalf("got pages %v, want one row", refs(pages))
	}
	row := pages[0].Rows[0]
	if row.Ref != "sql:1" {
		t.Errorf("got ref %q, want %q", row.Ref, "sql:1")
	}
	if !maps.Equal(row.Values, want) {
		t.Errorf("got values %v, want %v", row.Values, want)
	}
}

// TestText_MatchesPostgres checks the text of values lib/pq decodes against
// PostgreSQL's own text of them.
func TestText_MatchesPostgres(t *testing.T) {
	_, db := newDatabase(t)
	exprs := []string{
		`0.1::float8`, `-0::float8`, `1e15::float8`, `123456789012345::float8`,
		`1.5e-7::float8`, `0.0001::float8`, `1e100::float8`, `1.7976931348623157e308::float8`,
		`'NaN'::float8`, `'Infinity'::float8`, `'-Infinity'::float8`, `0.1::float4`,
		`123456::float4`, `1234567::float4`, `3.4028235e38::float4`, `1e-5::float4`,
		`12345678901234567.89::numeric`, `'NaN'::numeric`, `9223372036854775807::int8`,
		`(-32768)::int2`, `true`, `'2024-02-29'::date`, `'\x00ff'::bytea`, `''::bytea`,
		`'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid`, `'{"a": [1, 2.50]}'::jsonb`,
		`interval '1 day 02:03:04.5'`, `ARRAY[1.10, NULL]::numeric[]`, `'infinity'::timestamptz`,
		`'12:34:56.789'::time`,
	}
	for _, expr := range exprs {
		t.Run(expr, func(t *testing.T) {
			got, want := textOf(t, db, expr)
			if got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// textOf returns text's text of the value of expr, and PostgreSQL's.
func textOf(t *testing.T, db *sql.DB, expr string) (string, string) {
	t.Helper()

	rows, err := db.Query(`SELECT ` + expr + `, (` + expr + `)::text`)
	if err != nil {
		t.Fatalf("selecting %s: %v", expr, err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}

	var v any
	var want string
	if !rows.Next() {
		t.Fatalf("selecting %s: no row: %v", expr, rows.Err())
	}
	if err := rows.Scan(&v, &want); err != nil {
		t.Fatal(err)
	}

	return text(v, types[0].DatabaseTypeName()), want
}
