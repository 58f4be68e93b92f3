package main

import (
	"context"
	"errors"
	"log/slog"
)

func runServe(ctx context.Context, logger *slog.Logger, args []string) error {
	return errors.New("serve: not built yet")
}
