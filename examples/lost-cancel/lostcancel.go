// Package lostcancel queries a store with deadlines: once losing the cancel func (lost-cancel), and once
// releasing every derived context on every path.
package lostcancel

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

type Store struct {
	db      *sql.DB
	timeout time.Duration
}

// Count is broken: the cancel func is discarded, so the context and its timer live until the timeout
// expires, long after the query has returned.
func (s *Store) Count(table string) (int, error) {
	ctx, _ := context.WithTimeout(context.Background(), s.timeout)
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	return n, err
}

// Ping is broken: the early return skips cancel().
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	if s.db == nil {
		return errors.New("store: no database")
	}
	err := s.db.PingContext(ctx)
	cancel()
	return err
}

// CountFixed defers the cancel func right after creating the context.
func (s *Store) CountFixed(ctx context.Context, table string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	return n, err
}

// Scoped hands the cancel func to the caller, who owns the context's lifetime.
func (s *Store) Scoped(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, s.timeout)
}
