package sqlsrc

import (
	"errors"
	"strings"
	"testing"

	"fundhub/connectors"
)

func TestNew_ChecksQuery(t *testing.T) {
	tests := []struct {
		name  string
		query string
		ok    bool
	}{
		{"select", `SELECT * FROM items`, true},
		{"lower case", `select * from items`, true},
		{"with", `WITH x AS (SELECT 1 AS id) SELECT * FROM x`, true},
		{"leading comments", "-- items\n/* all /* nested */ */ SELECT 1", true},
		{"semicolon in string", `SELECT ';' AS s`, true},
		{"semicolon after doubled quote", `SELECT 'it''s;' AS s`, true},
		{"semicolon in identifier", `SELECT 1 AS "a;""b"`, true},
		{"semicolon in escape string", `SELECT E'\';' AS s`, true},
		{"semicolon in dollar quote", `SELECT $$;$$, $tag$ $$; $tag$ AS s`, true},
		{"semicolon in comments", "SELECT 1 -- ;\n/* ; */", true},
		{"dollar in identifier", `SELECT 1 AS a$1`, true},
		{"semicolon", `SELECT 1;`, false},
		{"second statement", `SELECT 1; DROP TABLE items`, false},
		{"backslash ends a standard string", `SELECT 'a\'; DROP TABLE items; --'`, false},
		{"delete", `DELETE FROM items`, false},
		{"update in comment disguise", "/* SELECT */ UPDATE items SET id = 1", false},
		{"word starting with select", `SELECTION`, false},
		{"parenthesised", `(SELECT 1)`, false},
		{"empty", ``, false},
		{"parameter", `SELECT * FROM items WHERE id = $1`, false},
		{"open string", `SELECT 'abc`, false},
		{"open comment", `SELECT 1 /* /* */`, false},
		{"open dollar quote", `SELECT $x$ abc $y$`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(config(tt.query, "updated_at", "id", 0))

			switch {
			case tt.ok && err != nil:
				t.Errorf("got error %v, want none", err)
			case !tt.ok && !errors.Is(err, ErrQuery):
				t.Errorf("got error %v, want ErrQuery", err)
			}
		})
	}
}

func TestNew_SemicolonErrorSaysWhere(t *testing.T) {
	_, err := New(config(`SELECT 1; DROP TABLE items`, "at", "id", 0))

	want := "';' at byte 8"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got error %v, want one containing %q", err, want)
	}
}

func TestNew_ChecksConfig(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *connectors.SQLConfig)
		want   string
	}{
		{"no driver", func(c *connectors.SQLConfig) { c.Driver = "" }, "driver"},
		{"no dsnEnv", func(c *connectors.SQLConfig) { c.DSNEnv = "" }, "dsnEnv"},
		{"no time column", func(c *connectors.SQLConfig) { c.TimeColumn = "" }, "timeColumn"},
		{"no key column", func(c *connectors.SQLConfig) { c.KeyColumn = "" }, "keyColumn"},
		{"negative batch", func(c *connectors.SQLConfig) { c.BatchSize = -1 }, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(`SELECT 1`, "at", "id", 0)
			tt.change(cfg)

			_, err := New(cfg)

			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestWrapQuery(t *testing.T) {
	cfg := config("SELECT * FROM t -- all", `Changed "At"`, "id", 500)

	first, next := wrapQuery(cfg, 500)

	wantFirst := "SELECT q.*, q.\"id\"::text\nFROM (\nSELECT * FROM t -- all\n) q\n" +
		"WHERE q.\"Changed \"\"At\"\"\" IS NOT NULL AND q.\"id\"::text IS NOT NULL\n" +
		"ORDER BY q.\"Changed \"\"At\"\"\", q.\"id\"::text\nLIMIT 500"
	wantNext := "SELECT q.*, q.\"id\"::text\nFROM (\nSELECT * FROM t -- all\n) q\n" +
		"WHERE (q.\"Changed \"\"At\"\"\", q.\"id\"::text) > ($1, $2)\n" +
		"ORDER BY q.\"Changed \"\"At\"\"\", q.\"id\"::text\nLIMIT 500"
	if first != wantFirst {
		t.Errorf("got first query\n%s\nwant\n%s", first, wantFirst)
	}
	if next != wantNext {
		t.Errorf("got next query\n%s\nwant\n%s", next, wantNext)
	}
}
