// Package pipeline is a three-stage pipeline (generate → square → merge) driven by a context. Stages whose
// sends ignore the context leak their goroutines once the consumer stops reading (send-without-cancel);
// the *Ctx versions select on ctx.Done() and exit.
package pipeline

import (
	"context"
	"sync"
)

// Generate emits nums. Broken: when the consumer returns early, the goroutine blocks on out <- n forever,
// although ctx says when to stop.
func Generate(ctx context.Context, nums ...int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for _, n := range nums {
			out <- n
		}
	}()
	return out
}

// Square squares what it receives. Broken the same way; checking ctx.Err() first does not help, the
// send itself can still block.
func Square(ctx context.Context, in <-chan int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for n := range in {
			if ctx.Err() != nil {
				return
			}
			out <- n * n
		}
	}()
	return out
}

// GenerateCtx is Generate done right: every send can give up when ctx is canceled.
func GenerateCtx(ctx context.Context, nums ...int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for _, n := range nums {
			select {
			case out <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// SquareCtx is Square done right.
func SquareCtx(ctx context.Context, in <-chan int) <-chan int {
	out := make(chan int)
	go func() {
		defer close(out)
		for n := range in {
			select {
			case out <- n * n:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// Merge fans in several channels. Correct: the forwarding send selects on ctx.Done(), and the output is
// closed once every forwarder has finished.
func Merge(ctx context.Context, cs ...<-chan int) <-chan int {
	out := make(chan int)
	var wg sync.WaitGroup
	wg.Add(len(cs))
	for _, c := range cs {
		go func(c <-chan int) {
			defer wg.Done()
			for n := range c {
				select {
				case out <- n:
				case <-ctx.Done():
					return
				}
			}
		}(c)
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// SumFirst reads only the first k results and cancels the rest: with GenerateCtx and SquareCtx every
// goroutine exits; with Generate and Square two of them would leak on each call.
func SumFirst(parent context.Context, k int, nums ...int) int {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	sum := 0
	for v := range Merge(ctx, SquareCtx(ctx, GenerateCtx(ctx, nums...))) {
		sum += v
		if k--; k == 0 {
			break
		}
	}
	return sum
}

// Results runs at most limit jobs at a time and collects one result per job into a channel buffered
// for all of them: no send can block, so no select is needed even though a context is in scope.
func Results(ctx context.Context, jobs []int, limit int, work func(context.Context, int) int) []int {
	results := make(chan int, len(jobs))
	sem := make(chan struct{}, limit)
	for _, j := range jobs {
		sem <- struct{}{}
		go func(j int) {
			defer func() { <-sem }()
			results <- work(ctx, j)
		}(j)
	}
	out := make([]int, 0, len(jobs))
	for range jobs {
		out = append(out, <-results)
	}
	return out
}
