package rules

import "sync"

// notifyShards runs under go 1.21 (go.mod), where every goroutine shares the one loop variable.
func notifyShards(notify func(shard int)) {
	var wg sync.WaitGroup
	for shard := 0; shard < 8; shard++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			notify(shard)
		}()
	}
	wg.Wait()
}
