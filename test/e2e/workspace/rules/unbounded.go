package rules

import "sync"

// handleAll starts one goroutine per request, however many arrive.
func handleAll(reqs []string, handle func(string)) {
	var wg sync.WaitGroup
	for _, r := range reqs {
		wg.Add(1)
		go func(r string) {
			defer wg.Done()
			handle(r)
		}(r)
	}
	wg.Wait()
}
