// Package shutdown shows who may close a channel. A consumer that closes the channel its producer still
// sends on makes the producer panic (close-by-receiver); the correct versions let the sender close, stop
// the producer with a separate done channel, or close after wg.Wait() for all senders.
package shutdown

import (
	"errors"
	"sync"
)

var errNegative = errors.New("negative reading")

// FirstNegative consumes readings until a negative one. Broken: closing ch to "stop the producer"
// makes the producer's next send panic with "send on closed channel".
func FirstNegative(readings []int) error {
	ch := make(chan int)
	go func() {
		for _, r := range readings {
			ch <- r
		}
	}()
	for r := range ch {
		if r < 0 {
			close(ch)
			return errNegative
		}
	}
	return nil
}

// FirstNegativeFixed lets the producer own ch (it closes it after its last send) and gives the consumer
// a done channel to say stop.
func FirstNegativeFixed(readings []int) error {
	ch := make(chan int)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(ch)
		for _, r := range readings {
			select {
			case ch <- r:
			case <-done:
				return
			}
		}
	}()
	for r := range ch {
		if r < 0 {
			return errNegative
		}
	}
	return nil
}

// Collector receives events sent by other goroutines through Publish. Broken: Stop is a receiver-side
// method that closes the channel Publish sends on.
type Collector struct {
	events chan string
	log    []string
}

func NewCollector() *Collector {
	c := &Collector{events: make(chan string)}
	go c.run()
	return c
}

func (c *Collector) Publish(e string) {
	c.events <- e
}

func (c *Collector) run() {
	for e := range c.events {
		c.log = append(c.log, e)
		if e == "stop" {
			close(c.events)
			return
		}
	}
}

// Squares is the worker-pool collector done right: results is closed after wg.Wait() for all of its
// senders, so no send can follow the close, and jobs is closed by the goroutine that sends on it.
func Squares(nums []int, workers int) []int {
	jobs := make(chan int)
	results := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range jobs {
				results <- n * n
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, n := range nums {
			jobs <- n
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	var out []int
	for r := range results {
		out = append(out, r)
	}
	return out
}
