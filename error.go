// Package fundhub holds the domain of the natural-resources fund monitoring
// hub: regions, funds, allocations, projects, performance targets, execution
// reports and the sync records of the connectors that feed them.
//
// The package imports only the standard library and the decimal type. Storage
// lives in postgres/, the GraphQL edge in graph/, each kind of source in
// connectors/<kind>/, and cmd/fundhub wires them together.
package fundhub

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Error codes carried by *Error. The GraphQL edge maps each one to the
// extensions.code of the error it returns.
const (
	ENOTFOUND        = "NOT_FOUND"
	EINVALID         = "BAD_USER_INPUT"
	ECONFLICT        = "CONFLICT"
	EFORBIDDEN       = "FORBIDDEN"
	EUNAUTHENTICATED = "UNAUTHENTICATED"
	ETOOMANY         = "TOO_MANY_ATTEMPTS"
	EINTERNAL        = "INTERNAL"
)

// Error is the one error type of the domain. Code says what kind of failure it
// is; Field names the input field at fault for EINVALID; Message is safe to
// show to a client. Any other error reaching the edge is internal.
type Error struct {
	Code    string
	Field   string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}

	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error that names the offending field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{
		Code:    EINVALID,
		Field:   field,
		Message: fmt.Sprintf(format, args...),
	}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Code
	}

	return EINTERNAL
}

// ErrorMessage returns the client-safe message of err: the message of an
// *Error, or a generic text for anything else so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}

	return "internal error"
}

// ErrorField returns the field named by the *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}

	return ""
}

// Errors is several faults found at once, such as every fault of a report
// checked before it is submitted, so the filing unit fixes them in one go.
// ErrorCode, ErrorMessage and ErrorField of an Errors read its first fault;
// the GraphQL edge reports each fault as an error of its own.
type Errors []*Error

// Error implements the error interface, joining the faults.
func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}

	return strings.Join(msgs, "; ")
}

// Unwrap returns the faults, so errors.As finds the first *Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}

	return out
}

// Err returns es as an error, or nil when it holds no fault: a nil Errors
// stored in an error interface would not compare equal to nil.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}

	return es
}

// Text limits of what officials type: names and titles are a line, notes
// and details a few paragraphs.
const (
	MaxNameLength = 200
	MaxTextLength = 4000
)

// CheckLength returns an EINVALID error naming field when s is longer than
// max characters.
func CheckLength(field, s string, max int) error {
	if n := len([]rune(s)); n > max {
		return Invalid(field, "is %d characters long; at most %d", n, max)
	}

	return nil
}

// Fen reports whether amount is whole fen: yuan with at most two decimals,
// as money is kept. A finer amount is refused, never rounded.
func Fen(amount decimal.Decimal) bool { return amount.Equal(amount.Round(2)) }
