// Package sendafterclose streams parsed records: once sending on the output after closing it
// (send-after-close), and once the correct way.
package sendafterclose

import (
	"fmt"
	"strconv"
)

type Record struct {
	Value int
	Err   error
}

// Parse is broken: on a bad line it closes out and then reports the error on it, which panics with
// "send on closed channel".
func Parse(lines []string, out chan<- Record) {
	for _, l := range lines {
		v, err := strconv.Atoi(l)
		if err != nil {
			close(out)
			out <- Record{Err: fmt.Errorf("line %q: %w", l, err)}
			return
		}
		out <- Record{Value: v}
	}
	close(out)
}

// ParseFixed sends everything first and closes exactly once, when it is done sending.
func ParseFixed(lines []string, out chan<- Record) {
	defer close(out)
	for _, l := range lines {
		v, err := strconv.Atoi(l)
		if err != nil {
			out <- Record{Err: fmt.Errorf("line %q: %w", l, err)}
			return
		}
		out <- Record{Value: v}
	}
}
