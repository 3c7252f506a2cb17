package rules

import "context"

// forward blocks forever on its send once the reader of out has gone away.
func forward(ctx context.Context, in <-chan string, out chan<- string) {
	go func() {
		for s := range in {
			out <- s
		}
	}()
	<-ctx.Done()
}

func forwardCorrectly(ctx context.Context, in <-chan string, out chan<- string) {
	go func() {
		for s := range in {
			select {
			case out <- s:
			case <-ctx.Done():
				return
			}
		}
	}()
	<-ctx.Done()
}
