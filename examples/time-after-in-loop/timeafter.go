// Package timeafter consumes events with an idle timeout: once with time.After in the loop
// (time-after-in-loop, a leak before Go 1.23), once with one reusable timer, once with one deadline.
package timeafter

import "time"

type Event struct{ ID string }

const idle = 30 * time.Second

// Consume is broken before Go 1.23: every event allocates a 30-second timer that stays in memory until
// it fires.
func Consume(events <-chan Event, handle func(Event)) {
	for {
		select {
		case ev := <-events:
			handle(ev)
		case <-time.After(idle):
			return
		}
	}
}

// ConsumeFixed reuses one timer, stopping, draining and resetting it before each wait.
func ConsumeFixed(events <-chan Event, handle func(Event)) {
	timer := time.NewTimer(idle)
	defer timer.Stop()
	for {
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(idle)
		select {
		case ev := <-events:
			handle(ev)
		case <-timer.C:
			return
		}
	}
}

// Collect waits at most d in total: one time.After before the loop is one timer.
func Collect(events <-chan Event, d time.Duration) []Event {
	var out []Event
	deadline := time.After(d)
	for {
		select {
		case ev := <-events:
			out = append(out, ev)
		case <-deadline:
			return out
		}
	}
}
