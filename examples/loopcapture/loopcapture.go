// Package loopcapture shows loop variables captured by goroutines and deferred closures. This module
// says go 1.21, where one variable is shared by every iteration (loop-var-capture); from Go 1.22 each
// iteration has its own and the same code is correct.
package loopcapture

import (
	"fmt"
	"os"
	"sync"
)

// maxSends bounds how many notifications are in flight at once.
const maxSends = 4

// Notify sends one message per user. Broken: the goroutines may all see the last user.
func Notify(users []string, send func(user, msg string)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxSends)
	for _, u := range users {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			send(u, "your report is ready")
		}()
	}
	wg.Wait()
}

// NotifyFixed copies the variable per iteration.
func NotifyFixed(users []string, send func(user, msg string)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxSends)
	for _, u := range users {
		u := u
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			send(u, "your report is ready")
		}()
	}
	wg.Wait()
}

// Shards processes shard i of n in parallel. Broken: the capture is not the goroutine's only
// statement (go vet checks only the last statement of the loop body), and every goroutine may see i == n.
func Shards(n int, process func(shard, of int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = process(i, n)
		}()
		fmt.Fprintf(os.Stderr, "started shard %d\n", i)
	}
	wg.Wait()
	return errs
}

// ShardsFixed passes the variable as an argument.
func ShardsFixed(n int, process func(shard, of int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = process(i, n)
		}(i)
		fmt.Fprintf(os.Stderr, "started shard %d\n", i)
	}
	wg.Wait()
	return errs
}

// RemoveAll deletes temporary files when it returns. Broken: every deferred closure removes the last path.
func RemoveAll(paths []string) {
	for _, p := range paths {
		defer func() {
			os.Remove(p)
		}()
	}
}
