// Package signals waits for a shutdown signal: once on an unbuffered channel (signal-unbuffered, the
// signal can be dropped), once on a buffered one.
package signals

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Serve is broken: signal.Notify does not block, so a SIGTERM that arrives before the receive below is
// ready is dropped and the server never shuts down.
func Serve(srv *http.Server) error {
	go srv.ListenAndServe()
	stop := make(chan os.Signal)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	return srv.Close()
}

// ServeFixed buffers one signal, as the os/signal documentation asks, and shuts down gracefully.
func ServeFixed(srv *http.Server) error {
	go srv.ListenAndServe()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stop)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}
