package connectors

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"fundhub"
)

// HTTPConfig is the source of an http connector: a paged JSON API read
// incrementally.
type HTTPConfig struct {
	// URL is the endpoint, without the paging and cursor parameters.
	URL string `json:"url" yaml:"url"`
	// Query holds fixed query parameters added to every request.
	Query map[string]string `json:"query,omitempty" yaml:"query"`
	// Records is the dotted path of the array of records in a response body
	// ("data.items"); empty when the body is the array itself.
	Records string `json:"records,omitempty" yaml:"records"`
	// Paging says how the API splits its answer into pages.
	Paging HTTPPaging `json:"paging" yaml:"paging"`
	// Incremental, when set, makes runs ask only for records changed since
	// the stored cursor.
	Incremental *Incremental `json:"incremental,omitempty" yaml:"incremental"`
	// Auth names the environment variable holding the credential; the
	// credential itself is never written in a config, the database or a log.
	Auth *HTTPAuth `json:"auth,omitempty" yaml:"auth"`
	// Timeout bounds one request (default 30s).
	Timeout Duration `json:"timeout,omitempty" yaml:"timeout"`
	// Retries is how many times a request that timed out or got a 5xx or
	// 429 is tried again (default 5); Backoff is the first wait (default
	// 500ms), doubled on each try, unless the source sends Retry-After.
	Retries int      `json:"retries,omitempty" yaml:"retries"`
	Backoff Duration `json:"backoff,omitempty" yaml:"backoff"`
}

// HTTPPaging describes an API's pages. Mode is one of:
//   - "page": PageParam (default "page", first page FirstPage, default 1)
//     and SizeParam (default "size");
//   - "offset": OffsetParam (default "offset") and LimitParam (default
//     "limit");
//   - "next": the body holds the URL of the next page at NextPath;
//   - "cursor": the body holds an opaque token at NextPath, sent back in
//     CursorParam.
//
// The last page is the one with fewer than Size records, or, for "next" and
// "cursor", the one with no next link or token.
//
// With Incremental, "page" and "offset" ask each page after the first again
// from the first page with the latest time seen: numbered pages shift when
// a record changes during a read (it moves to the end), and asking by
// number would skip the record at the boundary. Records at that time
// already read are skipped by key; a page of nothing new moves on by
// number, past a block of records sharing one time.
type HTTPPaging struct {
	Mode        string `json:"mode" yaml:"mode"`
	Size        int    `json:"size,omitempty" yaml:"size"`
	PageParam   string `json:"pageParam,omitempty" yaml:"pageParam"`
	FirstPage   *int   `json:"firstPage,omitempty" yaml:"firstPage"`
	SizeParam   string `json:"sizeParam,omitempty" yaml:"sizeParam"`
	OffsetParam string `json:"offsetParam,omitempty" yaml:"offsetParam"`
	LimitParam  string `json:"limitParam,omitempty" yaml:"limitParam"`
	NextPath    string `json:"nextPath,omitempty" yaml:"nextPath"`
	CursorParam string `json:"cursorParam,omitempty" yaml:"cursorParam"`
}

// Incremental says how a source marks changes. TimeField and KeyField are
// the record's update time (RFC 3339, any precision, with its zone) and its
// key. SinceParam (http) receives the stored time; the source must answer
// records changed at or after it, ordered by time. Records at exactly the
// stored time that the last run already loaded are recognised by key and
// skipped, so none is read twice and none sharing a timestamp is lost.
type Incremental struct {
	TimeField  string `json:"timeField" yaml:"timeField"`
	KeyField   string `json:"keyField" yaml:"keyField"`
	SinceParam string `json:"sinceParam,omitempty" yaml:"sinceParam"`
}

// HTTPAuth says how to send the credential held in the environment
// variable TokenEnv: in Header (default "Authorization"), after Scheme
// (default "Bearer"; "" sends the token alone).
type HTTPAuth struct {
	TokenEnv string  `json:"tokenEnv" yaml:"tokenEnv"`
	Header   string  `json:"header,omitempty" yaml:"header"`
	Scheme   *string `json:"scheme,omitempty" yaml:"scheme"`
}

// SQLConfig is the source of a sql connector: a query on a database/sql
// source read in batches, incrementally by TimeColumn and KeyColumn.
type SQLConfig struct {
	// Driver is the database/sql driver name ("postgres").
	Driver string `json:"driver" yaml:"driver"`
	// DSNEnv names the environment variable holding the connection string;
	// credentials are never written in a config.
	DSNEnv string `json:"dsnEnv" yaml:"dsnEnv"`
	// Query is a SELECT whose columns the mapping names. The source wraps
	// it to read only rows after the cursor, in cursor order, a batch at a
	// time.
	Query      string `json:"query" yaml:"query"`
	TimeColumn string `json:"timeColumn" yaml:"timeColumn"`
	KeyColumn  string `json:"keyColumn" yaml:"keyColumn"`
	// BatchSize is the rows per page (default 1000).
	BatchSize int `json:"batchSize,omitempty" yaml:"batchSize"`
}

// Duration is a time.Duration written as text ("30s", "500ms") in configs.
type Duration time.Duration

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a duration written as text.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is text such as \"30s\": %w", err)
	}

	return d.set(s)
}

// UnmarshalText reads a duration written as text, for YAML.
func (d *Duration) UnmarshalText(b []byte) error { return d.set(string(b)) }

func (d *Duration) set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("%q is not a duration such as \"30s\"", s)
	}
	*d = Duration(v)

	return nil
}

// Or returns the duration, or def when it is zero.
func (d Duration) Or(def time.Duration) time.Duration {
	if d == 0 {
		return def
	}

	return time.Duration(d)
}

// reservedEnv reports whether an environment variable belongs to the hub
// itself, so no connector may send or use it as a source's credential:
// its own database, its settings, PostgreSQL's client settings.
func reservedEnv(name string) bool {
	return name == "DATABASE_URL" || strings.HasPrefix(name, "FUNDHUB_") ||
		strings.HasPrefix(name, "PG")
}

func (c *HTTPConfig) validate(name string) error {
	if c.Auth != nil && reservedEnv(c.Auth.TokenEnv) {
		return fundhub.Invalid("http.auth.tokenEnv", "connector %s: %s belongs to the hub "+
			"and cannot be a source's credential", name, c.Auth.TokenEnv)
	}
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		return fundhub.Invalid("http.url", "connector %s: http.url is required", name)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fundhub.Invalid("http.url", "connector %s: http.url must be an http or "+
			"https URL", name)
	case c.Paging.Size < 0 || c.Timeout < 0 || c.Backoff < 0:
		return fundhub.Invalid("http.paging.size", "connector %s: sizes and durations "+
			"cannot be negative", name)
	case c.Paging.Mode != "page" && c.Paging.Mode != "offset" &&
		c.Paging.Mode != "next" && c.Paging.Mode != "cursor":
		return fundhub.Invalid("http.paging.mode", "connector %s: paging mode %q is "+
			"not page, offset, next or cursor", name, c.Paging.Mode)
	case (c.Paging.Mode == "next" || c.Paging.Mode == "cursor") && c.Paging.NextPath == "":
		return fundhub.Invalid("http.paging.nextPath", "connector %s: paging mode %s "+
			"needs nextPath", name, c.Paging.Mode)
	case c.Auth != nil && c.Auth.TokenEnv == "":
		return fundhub.Invalid("http.auth.tokenEnv", "connector %s: auth needs tokenEnv, "+
			"the environment variable holding the credential", name)
	}

	return c.Incremental.validate(name, "http")
}

func (i *Incremental) validate(name, kind string) error {
	if i == nil {
		return nil
	}
	if i.TimeField == "" || i.KeyField == "" {
		return fundhub.Invalid(kind+".incremental", "connector %s: incremental reads "+
			"need timeField and keyField", name)
	}

	return nil
}

func (c *SQLConfig) validate(name string) error {
	if reservedEnv(c.DSNEnv) {
		return fundhub.Invalid("sql.dsnEnv", "connector %s: %s belongs to the hub and "+
			"cannot be a source's connection", name, c.DSNEnv)
	}
	q := strings.ToLower(strings.TrimSpace(c.Query))
	switch {
	case c.Driver != "postgres":
		return fundhub.Invalid("sql.driver", "connector %s: sql.driver must be postgres, "+
			"the driver this build carries", name)
	case !strings.HasPrefix(q, "select") && !strings.HasPrefix(q, "with"):
		return fundhub.Invalid("sql.query", "connector %s: sql.query must be a SELECT", name)
	case c.BatchSize < 0:
		return fundhub.Invalid("sql.batchSize", "connector %s: batchSize cannot be negative",
			name)
	case c.DSNEnv == "":
		return fundhub.Invalid("sql.dsnEnv", "connector %s: sql.dsnEnv names the "+
			"environment variable holding the connection string", name)
	case c.Query == "":
		return fundhub.Invalid("sql.query", "connector %s: sql.query is required", name)
	case c.TimeColumn == "" || c.KeyColumn == "":
		return fundhub.Invalid("sql.timeColumn", "connector %s: sql needs timeColumn "+
			"and keyColumn to read incrementally", name)
	}

	return nil
}
