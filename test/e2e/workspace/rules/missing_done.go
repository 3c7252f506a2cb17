package rules

import "sync"

// warm never calls Done, so Wait never returns.
func warm(load func(shard int)) {
	var wg sync.WaitGroup
	for shard := 0; shard < 8; shard++ {
		wg.Add(1)
		go func(shard int) {
			load(shard)
		}(shard)
	}
	wg.Wait()
}
