package rules

import (
	"context"
	"errors"
	"time"
)

// ping's early return skips cancel, so the timer lives until the deadline.
func ping(ctx context.Context, alive func(context.Context) bool) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	if !alive(ctx) {
		return errors.New("no answer")
	}
	cancel()
	return nil
}

func pingCorrectly(ctx context.Context, alive func(context.Context) bool) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if !alive(ctx) {
		return errors.New("no answer")
	}
	return nil
}
