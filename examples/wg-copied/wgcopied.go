// Package wgcopied counts page hits from several goroutines: once handing the WaitGroup and the
// Mutex-holding struct around by value (wg-copied), and once by pointer.
package wgcopied

import "sync"

// Hits counts requests per path. Its mutex must be shared, so Hits is used through pointers.
type Hits struct {
	mu     sync.Mutex
	byPath map[string]int
}

func NewHits() *Hits { return &Hits{byPath: map[string]int{}} }

func (h *Hits) Inc(path string) {
	h.mu.Lock()
	h.byPath[path]++
	h.mu.Unlock()
}

// Count is broken: the value receiver copies h.mu, so it reads byPath while Inc writes it.
func (h Hits) Count(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.byPath[path]
}

// record is broken: Done counts down a copy of the WaitGroup, so Replay's Wait never returns.
func record(h *Hits, path string, wg sync.WaitGroup) {
	defer wg.Done()
	h.Inc(path)
}

func Replay(h *Hits, paths []string) {
	var wg sync.WaitGroup
	for i := 0; i < len(paths); i++ {
		wg.Add(1)
		go record(h, paths[i], wg)
	}
	wg.Wait()
}

// CountFixed has a pointer receiver: it locks the same mutex as Inc.
func (h *Hits) CountFixed(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.byPath[path]
}

// recordFixed takes the WaitGroup by pointer, so Done reaches the caller's counter.
func recordFixed(h *Hits, path string, wg *sync.WaitGroup) {
	defer wg.Done()
	h.Inc(path)
}

func ReplayFixed(h *Hits, paths []string) {
	var wg sync.WaitGroup
	for i := 0; i < len(paths); i++ {
		wg.Add(1)
		go recordFixed(h, paths[i], &wg)
	}
	wg.Wait()
}
