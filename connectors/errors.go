package connectors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fundhub"
)

// SourceError is a failure of the system a connector reads: a missing
// folder, a file that is not a workbook, a header that cannot be found. Its
// text describes the source, not the hub, so it is shown to the people who
// manage the connector.
type SourceError struct {
	Connector string
	Err       error
}

// Error implements the error interface.
func (e *SourceError) Error() string {
	return fmt.Sprintf("reading source of %s: %v", e.Connector, e.Err)
}

// Unwrap returns the underlying error.
func (e *SourceError) Unwrap() error { return e.Err }

// loadError is a failure of the hub's own storage while loading a batch.
// Its text may hold SQL and stays in the server's log.
type loadError struct{ err error }

func (e *loadError) Error() string { return "loading batch: " + e.err.Error() }
func (e *loadError) Unwrap() error { return e.err }

func isLoadError(err error) bool {
	var le *loadError
	return errors.As(err, &le)
}

// publicMessage is what a run records as its error: enough for the people
// who manage the connector to act, and nothing of the hub's internals.
func publicMessage(err error, limit time.Duration) string {
	var se *SourceError
	var fe *fundhub.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("the run exceeded its time limit of %s", limit)
	case errors.Is(err, context.Canceled):
		return "the run was cancelled, as the server stopped or the run was called off"
	case errors.As(err, &se):
		return se.Error()
	case errors.As(err, &fe):
		return fe.Message
	}

	return "internal error while loading rows; the server's log has the details"
}
