// Package future fetches a URL with a timeout: once with an unbuffered result channel
// (leaky-unbuffered-result, the goroutine leaks when the timeout wins), once with a buffered one.
package future

import (
	"context"
	"errors"
	"net/http"
	"time"
)

var ErrTimeout = errors.New("fetch: timeout")

type result struct {
	resp *http.Response
	err  error
}

// Fetch is broken: after the timeout nobody receives from ch, and the goroutine blocks on its send
// forever, holding the response.
func Fetch(url string, d time.Duration) (*http.Response, error) {
	ch := make(chan result)
	go func() {
		resp, err := http.Get(url)
		ch <- result{resp, err}
	}()
	select {
	case r := <-ch:
		return r.resp, r.err
	case <-time.After(d):
		return nil, ErrTimeout
	}
}

// FetchFixed gives the one result a slot, so the send always completes, and lets the request itself
// stop with the context.
func FetchFixed(ctx context.Context, url string) (*http.Response, error) {
	ch := make(chan result, 1)
	go func() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			ch <- result{nil, err}
			return
		}
		resp, err := http.DefaultClient.Do(req)
		ch <- result{resp, err}
	}()
	select {
	case r := <-ch:
		return r.resp, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
