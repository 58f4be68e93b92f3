package sqlsrc

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"fundhub/connectors"
)

// ErrQuery is wrapped by the error New returns for a query it will not
// wrap: one that does not start with SELECT or WITH, holds a ';' outside
// quotes and comments, leaves a quote or comment open, or has a parameter
// ($1) of its own.
var ErrQuery = errors.New("query is not a single SELECT statement")

// wrapQuery returns the query of a run's first batch and that of the batches
// after a cursor, whose parameters are the cursor's time and key. Rows
// without a time or key have no place in that order and are left out; see
// nullsQuery.
func wrapQuery(c *connectors.SQLConfig, size int) (first, next string) {
	t := "q." + pq.QuoteIdentifier(c.TimeColumn)
	k := "q." + pq.QuoteIdentifier(c.KeyColumn) + "::text"

	// The query ends on a line of its own: a final "--" comment must not
	// swallow the closing parenthesis.
	from := fmt.Sprintf("SELECT q.*, %s\nFROM (\n%s\n) q\n", k, c.Query)
	order := fmt.Sprintf("ORDER BY %s, %s\nLIMIT %d", t, k, size)
	placed := fmt.Sprintf("WHERE %s IS NOT NULL AND %s IS NOT NULL\n", t, k)
	where := fmt.Sprintf("WHERE (%s, %s) > ($1, $2)\n", t, k)

	return from + placed + order, from + where + order
}

// nullsQuery returns the query of the keys of up to limit rows without a
// time or key, which no cursor can place.
func nullsQuery(c *connectors.SQLConfig, limit int) string {
	t := "q." + pq.QuoteIdentifier(c.TimeColumn)
	k := "q." + pq.QuoteIdentifier(c.KeyColumn)

	return fmt.Sprintf("SELECT %s::text\nFROM (\n%s\n) q\nWHERE %s IS NULL OR %s IS NULL\n"+
		"LIMIT %d", k, c.Query, t, k, limit)
}

// checkQuery returns an error wrapping ErrQuery unless q is one SELECT or
// WITH statement, which wrapQuery can put in a FROM clause.
func checkQuery(q string) error {
	for i := 0; i < len(q); {
		j, err := skipQuoted(q, i)
		if err != nil {
			return err
		}
		if j > i {
			i = j
			continue
		}

		switch {
		case q[i] == ';':
			return fmt.Errorf("%w: it holds a ';' at byte %d; give one statement "+
				"without a semicolon", ErrQuery, i)
		case q[i] == '$' && i+1 < len(q) && isDigit(q[i+1]) && !afterIdent(q, i):
			return fmt.Errorf("%w: it holds a parameter at byte %d; the source "+
				"binds its own", ErrQuery, i)
		}
		i++
	}

	word := leadingWord(q[skipBlank(q):])
	if !strings.EqualFold(word, "select") && !strings.EqualFold(word, "with") {
		return fmt.Errorf("%w: it starts with %q, want SELECT or WITH", ErrQuery, word)
	}

	return nil
}

// skipBlank returns the index of the first byte of q that is neither space
// nor part of a comment.
func skipBlank(q string) int {
	i := 0
	for i < len(q) {
		rest := q[i:]
		switch {
		case strings.ContainsRune(" \t\r\n\f\v", rune(q[i])):
			i++
		case strings.HasPrefix(rest, "--") || strings.HasPrefix(rest, "/*"):
			j, err := skipQuoted(q, i)
			if err != nil {
				return i
			}
			i = j
		default:
			return i
		}
	}

	return i
}

// leadingWord returns the letters at the start of s.
func leadingWord(s string) string {
	n := 0
	for n < len(s) && isLetter(s[n]) {
		n++
	}

	return s[:n]
}

// skipQuoted returns the index just past the string, quoted identifier,
// dollar-quoted string or comment that starts at q[i], or i when none does.
func skipQuoted(q string, i int) (int, error) {
	rest := q[i:]
	switch {
	case strings.HasPrefix(rest, "--"):
		if n := strings.IndexByte(rest, '\n'); n >= 0 {
			return i + n + 1, nil
		}
		return len(q), nil
	case strings.HasPrefix(rest, "/*"):
		return skipComment(q, i)
	case q[i] == '\'':
		// E'...' strings take backslash escapes; others, with
		// standard_conforming_strings on, do not.
		escapes := i > 0 && (q[i-1] == 'e' || q[i-1] == 'E') && !afterIdent(q, i-1)
		return skipDelimited(q, i, '\'', escapes)
	case q[i] == '"':
		return skipDelimited(q, i, '"', false)
	case q[i] == '$':
		return skipDollar(q, i)
	}

	return i, nil
}

// skipDelimited skips the text quoted by quote at q[i], where a doubled
// quote stands for itself.
func skipDelimited(q string, i int, quote byte, escapes bool) (int, error) {
	for j := i + 1; j < len(q); j++ {
		switch {
		case escapes && q[j] == '\\':
			j++
		case q[j] == quote && j+1 < len(q) && q[j+1] == quote:
			j++
		case q[j] == quote:
			return j + 1, nil
		}
	}

	return 0, unterminated("quote", i)
}

// skipComment skips the block comment at q[i]; block comments nest.
func skipComment(q string, i int) (int, error) {
	depth := 0
	for j := i; j+1 < len(q); {
		switch q[j : j+2] {
		case "/*":
			depth++
			j += 2
		case "*/":
			depth--
			j += 2
			if depth == 0 {
				return j, nil
			}
		default:
			j++
		}
	}

	return 0, unterminated("comment", i)
}

// skipDollar skips the dollar-quoted string ($$...$$ or $tag$...$tag$) at
// q[i], if one starts there: a '$' inside an identifier or before a
// parameter number starts none.
func skipDollar(q string, i int) (int, error) {
	if afterIdent(q, i) || (i+1 < len(q) && isDigit(q[i+1])) {
		return i, nil
	}

	j := i + 1
	for j < len(q) && isTagByte(q[j]) {
		j++
	}
	if j >= len(q) || q[j] != '$' {
		return i, nil
	}

	tag := q[i : j+1]
	end := strings.Index(q[j+1:], tag)
	if end < 0 {
		return 0, unterminated("dollar quote "+tag, i)
	}

	return j + 1 + end + len(tag), nil
}

func unterminated(what string, at int) error {
	return fmt.Errorf("%w: the %s at byte %d is not closed", ErrQuery, what, at)
}

// afterIdent reports whether q[i] follows a byte of an identifier, of which
// it would then be part.
func afterIdent(q string, i int) bool {
	return i > 0 && (isTagByte(q[i-1]) || q[i-1] == '$')
}

func isTagByte(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_' || c >= 0x80
}

func isLetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
