package rules

import (
	"fmt"
	"sync"
)

const workers = 4

// startWorkers counts each worker from inside it, so Wait can return before any of them has started.
func startWorkers(jobs <-chan string) {
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		go func(id int) {
			wg.Add(1)
			defer wg.Done()
			for j := range jobs {
				fmt.Println(id, j)
			}
		}(i)
	}
	wg.Wait()
}

func startWorkersCorrectly(jobs <-chan string) {
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			for j := range jobs {
				fmt.Println(id, j)
			}
		}(i)
	}
	wg.Wait()
}
