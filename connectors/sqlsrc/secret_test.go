package sqlsrc

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"fundhub/connectors"
)

func TestSource_MissingEnvNamesVariable(t *testing.T) {
	tests := []struct {
		name  string
		unset bool
	}{
		{"unset", true},
		{"empty", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(dsnEnv, "")
			if tt.unset {
				os.Unsetenv(dsnEnv)
			}
			s := newSource(t, config(`SELECT * FROM items`, "updated_at", "id", 0))

			err := s.Read(context.Background(), "", func(connectors.Page) error { return nil })

			if !errors.Is(err, ErrNoDSN) {
				t.Errorf("got error %v, want ErrNoDSN", err)
			}
			if err == nil || !strings.Contains(err.Error(), dsnEnv) {
				t.Errorf("got error %v, want one naming %s", err, dsnEnv)
			}
		})
	}
}

func TestSource_ErrorsHideDSN(t *testing.T) {
	const password = `Hunter2-"p@ss w0rd`
	const escaped = "Hunter2-%22p%40ss%20w0rd"
	live, _ := newDatabase(t)
	u, err := url.Parse(live)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword("postgres", password)

	tests := []struct {
		name  string
		dsn   string
		query string
	}{
		{"URL that does not parse", "postgres://fundhub:" + escaped + "@[::1/db", ""},
		{"socket that does not exist", "host=/nonexistent/sqlsrc user=fundhub " +
			`password='Hunter2-"p@ss w0rd' dbname=x sslmode=disable connect_timeout=2`, ""},
		{"password in URL query", "postgres:///x?host=/nonexistent/sqlsrc&password=" +
			escaped + "&sslmode=disable", ""},
		{"query error on a live database", u.String(), `SELECT * FROM missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(dsnEnv, tt.dsn)
			query := tt.query
			if query == "" {
				query = `SELECT 1 AS id, now() AS at`
			}
			s := newSource(t, config(query, "at", "id", 0))

			err := s.Read(context.Background(), "", func(connectors.Page) error { return nil })

			if err == nil {
				t.Fatal("got no error, want one")
			}
			checkHidden(t, err.Error(), tt.dsn, password, escaped)
		})
	}
}

// checkHidden fails the test when msg holds one of secrets, raw or quoted.
func checkHidden(t *testing.T, msg string, secrets ...string) {
	t.Helper()

	for _, s := range secrets {
		q := strconv.Quote(s)
		if strings.Contains(msg, s) || strings.Contains(msg, q[1:len(q)-1]) {
			t.Errorf("got error %q, want one without %q", msg, s)
		}
	}
	if strings.Contains(msg, "Hunter2") {
		t.Errorf("got error %q, want one without the password", msg)
	}
}

func TestRedactor_HidesEveryForm(t *testing.T) {
	const dsn = `postgres://u:s%40cr%22t@db.example/x?sslmode=disable`
	r := newRedactor("SRC_DSN", dsn)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"whole string", fmt.Errorf("cannot open %s", dsn), "cannot open $SRC_DSN"},
		{"quoted string", fmt.Errorf("parse %q: bad", dsn), `parse "$SRC_DSN": bad`},
		{"raw password", errors.New("user u, password s%40cr%22t"), "user u, password ***"},
		{"decoded password", errors.New(`password s@cr"t`), "password ***"},
		{"quoted password", fmt.Errorf("password %q", `s@cr"t`), `password "***"`},
		{"nothing secret", errors.New("no route to host"), "no route to host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.redact(tt.err).Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRedactor_KeepsErrorWithoutSecret(t *testing.T) {
	r := newRedactor("SRC_DSN", "host=/tmp password=secret")
	err := fmt.Errorf("querying: %w", context.Canceled)

	if got := r.redact(err); got != err {
		t.Errorf("got %v, want the error unchanged", got)
	}
}

func TestPasswords(t *testing.T) {
	tests := []struct {
		dsn  string
		want []string
	}{
		{"postgres://u:pw@h/db", []string{"pw"}},
		{"postgresql://u:p%3Aw@h/db?password=two&x=1", []string{"p%3Aw", "two"}},
		{"postgres://u@h/db", nil},
		{"host=h password=pw dbname=d", []string{"pw", "pw"}},
		{`host=h password = 'p w\'x' dbname=d`, []string{`'p w\'x'`, `p w'x`}},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			got := passwords(tt.dsn)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPasswords_FindsThemInMalformedStrings(t *testing.T) {
	tests := []string{
		" postgres://app:Sup3rS3cretPW@/src?host=/run",
		"POSTGRES://app:Sup3rS3cretPW@localhost/src",
		"postgresql://app@localhost/src?password=Sup3rS3cretPW&sslmode=disable",
		"host=/run user=app password=Sup3rS3cretPW dbname=src",
		"host=/run password='Sup3rS3cretPW' dbname=src",
	}
	for _, dsn := range tests {
		found := false
		for _, p := range passwords(dsn) {
			if strings.Trim(p, "'") == "Sup3rS3cretPW" {
				found = true
			}
		}
		if !found {
			t.Errorf("passwords(%q): got %q, want the password found", dsn, passwords(dsn))
		}
	}
}
