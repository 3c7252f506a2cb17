package fixall

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"sync"
	"time"
)

type Service struct {
	wg sync.WaitGroup
}

// Start counts its workers from inside them.
func (s *Service) Start(ctx context.Context, jobs <-chan string, handle func(string)) {
	for i := 0; i < 4; i++ {
		go func() {
			s.wg.Add(1)
			defer s.wg.Done()
			for j := range jobs {
				handle(j)
			}
		}()
	}
}

// Lookup leaks its goroutine when the timeout wins.
func (s *Service) Lookup(resolve func() string) (string, error) {
	ch := make(chan string)
	go func() { ch <- resolve() }()
	select {
	case v := <-ch:
		return v, nil
	case <-time.After(time.Second):
		return "", errors.New("timeout")
	}
}

// Run can miss the interrupt, and an early return leaks the timeout context.
func (s *Service) Run(ctx context.Context, ready func(context.Context) bool) error {
	stop := make(chan os.Signal)
	signal.Notify(stop, os.Interrupt)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	if !ready(ctx) {
		return errors.New("not ready")
	}
	cancel()
	<-stop
	s.wg.Wait()
	return nil
}
