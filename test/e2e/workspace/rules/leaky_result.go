package rules

import (
	"errors"
	"time"
)

// lookup's goroutine blocks forever on its send once the timeout has won.
func lookup(resolve func() string, d time.Duration) (string, error) {
	ch := make(chan string)
	go func() {
		ch <- resolve()
	}()
	select {
	case addr := <-ch:
		return addr, nil
	case <-time.After(d):
		return "", errors.New("lookup timed out")
	}
}
