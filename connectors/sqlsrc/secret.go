package sqlsrc

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ErrNoDSN is wrapped by the error Read returns when the environment
// variable SQLConfig.DSNEnv is unset or empty. The error names the variable.
var ErrNoDSN = errors.New("connection string not set")

// lookupDSN returns the connection string held by the environment variable
// env.
func lookupDSN(env string) (string, error) {
	dsn := os.Getenv(env)
	if dsn == "" {
		return "", fmt.Errorf("environment variable %s is unset or empty: %w", env, ErrNoDSN)
	}

	return dsn, nil
}

// redactor hides a connection string and its passwords in error texts, as
// database/sql, lib/pq and net/url may quote them. The zero redactor hides
// nothing.
type redactor struct {
	hide *strings.Replacer
}

// newRedactor returns a redactor that writes the connection string held in
// env as "$env" and its passwords as "***", in each form an error may quote
// them: raw, %q-escaped and URL-decoded.
func newRedactor(env, dsn string) *redactor {
	var pairs []string
	for _, s := range forms(dsn) {
		pairs = append(pairs, s, "$"+env)
	}
	var secrets []string
	for _, p := range passwords(dsn) {
		secrets = append(secrets, forms(p)...)
	}
	slices.SortStableFunc(secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, s := range secrets {
		pairs = append(pairs, s, "***")
	}

	return &redactor{hide: strings.NewReplacer(pairs...)}
}

// redact returns err, or a new error of the same text with the secrets
// hidden when the text holds one; the new error wraps nothing, since what it
// would wrap still tells the secret.
func (r *redactor) redact(err error) error {
	if err == nil || r.hide == nil {
		return err
	}

	msg := err.Error()
	hidden := r.hide.Replace(msg)
	if hidden == msg {
		return err
	}

	return errors.New(hidden)
}

// forms returns s as it is and URL-decoded, each also %q-escaped, without
// repeats or empty strings, longest first.
func forms(s string) []string {
	out := []string{s}
	if u, err := url.PathUnescape(s); err == nil {
		out = append(out, u)
	}
	if u, err := url.QueryUnescape(s); err == nil {
		out = append(out, u)
	}
	for _, f := range out {
		q := strconv.Quote(f)
		out = append(out, q[1:len(q)-1])
	}

	slices.Sort(out)
	out = slices.DeleteFunc(slices.Compact(out), func(s string) bool { return s == "" })
	// Longest first: where several match at one place in a text, the
	// replacer takes the first, and the whole secret must win over a part.
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(len(b), len(a)) })

	return out
}

// kvPassword finds the password of a key=value connection string, quoted
// or not.
var kvPassword = regexp.MustCompile(`password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)`)

// urlPassword finds the password in the user information of a URL, with
// any scheme spelling and wherever the URL starts in the text.
var urlPassword = regexp.MustCompile(`://[^:/@\s]*:([^@\s]*)@`)

// queryPassword finds a password given as a query parameter of a URL.
var queryPassword = regexp.MustCompile(`[?&]password=([^&\s]*)`)

// passwords returns every password written in a connection string, in any
// of its forms, however malformed the rest is: in the user information or
// the query of a URL, or after password= in the key=value form. Looking
// for all of them, rather than parsing one form, keeps a password masked
// in a string the driver itself could not parse.
func passwords(dsn string) []string {
	var out []string
	for _, m := range urlPassword.FindAllStringSubmatch(dsn, -1) {
		out = append(out, m[1])
	}
	for _, m := range queryPassword.FindAllStringSubmatch(dsn, -1) {
		out = append(out, m[1])
	}
	if strings.Contains(dsn, "://") {
		return out
	}
	for _, m := range kvPassword.FindAllStringSubmatch(dsn, -1) {
		out = append(out, m[1], unquoteKV(m[1]))
	}

	return out
}

// unquoteKV returns a quoted value of a key=value connection string
// without its quotes and escapes.
func unquoteKV(v string) string {
	if len(v) < 2 || v[0] != '\'' {
		return v
	}

	var b strings.Builder
	for i := 1; i < len(v)-1; i++ {
		if v[i] == '\\' && i+1 < len(v)-1 {
			i++
		}
		b.WriteByte(v[i])
	}

	return b.String()
}
