package rules

import (
	"log"
	"time"
)

// consume allocates a timer for every event it handles.
func consume(events <-chan string, handle func(string)) {
	for {
		select {
		case ev := <-events:
			handle(ev)
		case <-time.After(30 * time.Second):
			log.Println("idle, exiting")
			return
		}
	}
}
