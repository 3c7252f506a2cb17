package rules

import "sync"

// drain gets a copy of the WaitGroup: its Done never reaches the caller's, whose Wait blocks forever.
func drain(jobs <-chan int, wg sync.WaitGroup) {
	defer wg.Done()
	for range jobs {
	}
}

func runDrain(jobs <-chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go drain(jobs, wg)
	wg.Wait()
}
