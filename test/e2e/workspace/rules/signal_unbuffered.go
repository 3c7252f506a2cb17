package rules

import (
	"os"
	"os/signal"
)

// waitForInterrupt can miss the signal: Notify does not block on a full (here: unbuffered) channel.
func waitForInterrupt() os.Signal {
	sigs := make(chan os.Signal)
	signal.Notify(sigs, os.Interrupt)
	return <-sigs
}
