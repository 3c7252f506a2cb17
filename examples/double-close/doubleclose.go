// Package doubleclose runs a pool of workers and shuts a server down: once closing a channel more than
// once (double-close), and once the correct way.
package doubleclose

import (
	"errors"
	"sync"
)

type Job struct{ N int }

// Squares starts n workers. Broken: every worker closes results when the jobs run out, so the second
// worker to finish panics with "close of closed channel".
func Squares(jobs <-chan Job, n int) <-chan int {
	results := make(chan int)
	for i := 0; i < n; i++ {
		go func() {
			for j := range jobs {
				results <- j.N * j.N
			}
			close(results)
		}()
	}
	return results
}

// SquaresFixed closes results once, after every worker is done.
func SquaresFixed(jobs <-chan Job, n int) <-chan int {
	results := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- j.N * j.N
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	return results
}

// Copy forwards values until it meets a negative one. Broken: the early exit closes out, and the
// deferred close closes it again on return.
func Copy(in <-chan int, out chan<- int) error {
	defer close(out)
	for v := range in {
		if v < 0 {
			close(out)
			return errors.New("negative value")
		}
		out <- v
	}
	return nil
}

// CopyFixed leaves the close to the defer.
func CopyFixed(in <-chan int, out chan<- int) error {
	defer close(out)
	for v := range in {
		if v < 0 {
			return errors.New("negative value")
		}
		out <- v
	}
	return nil
}

// Server can be stopped from several places (a signal handler, an admin endpoint, a fatal error): the
// close of quit goes through a sync.Once.
type Server struct {
	quit      chan struct{}
	closeOnce sync.Once
}

func NewServer() *Server { return &Server{quit: make(chan struct{})} }

// Stop closes quit at most once, however many callers race to stop the server.
func (s *Server) Stop() {
	s.closeOnce.Do(func() { close(s.quit) })
}

// Done is closed once the server is stopped.
func (s *Server) Done() <-chan struct{} { return s.quit }
