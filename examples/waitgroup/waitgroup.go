// Package waitgroup fetches URLs concurrently and waits for all of them: once with wg.Add inside the
// goroutines it counts (wg-add-in-goroutine), and once the correct way.
package waitgroup

import (
	"io"
	"net/http"
	"sync"
)

// Sizes returns the body size of each URL. Broken: wg.Wait can run before any goroutine has called
// wg.Add, see a zero counter and return while the fetches are still running, so sizes is read while it
// is being written.
func Sizes(client *http.Client, urls []string) map[string]int64 {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		sizes = make(map[string]int64, len(urls))
	)
	for _, u := range urls {
		go func(u string) {
			wg.Add(1)
			defer wg.Done()
			n := fetchSize(client, u)
			mu.Lock()
			sizes[u] = n
			mu.Unlock()
		}(u)
	}
	wg.Wait()
	return sizes
}

// SizesFixed is Sizes done right: the goroutine is counted before it starts.
func SizesFixed(client *http.Client, urls []string) map[string]int64 {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		sizes = make(map[string]int64, len(urls))
	)
	for _, u := range urls {
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			n := fetchSize(client, u)
			mu.Lock()
			sizes[u] = n
			mu.Unlock()
		}(u)
	}
	wg.Wait()
	return sizes
}

// Crawler starts one goroutine per page and counts them in a field. Broken: the Add sits in the
// started method, so Wait may return before crawl has begun.
type Crawler struct {
	Client *http.Client
	wg     sync.WaitGroup
	mu     sync.Mutex
	seen   map[string]int64
}

func (c *Crawler) Start(urls []string) {
	c.seen = make(map[string]int64)
	for _, u := range urls {
		go c.crawl(u)
	}
}

func (c *Crawler) crawl(u string) {
	c.wg.Add(1)
	defer c.wg.Done()
	n := fetchSize(c.Client, u)
	c.mu.Lock()
	c.seen[u] = n
	c.mu.Unlock()
}

// Wait blocks until every page started by Start is done.
func (c *Crawler) Wait() map[string]int64 {
	c.wg.Wait()
	return c.seen
}

// Dispatch is correct: the dispatcher goroutine adds for the workers it launches itself, before
// launching each of them, and the caller waits on a WaitGroup of its own.
func Dispatch(client *http.Client, batches [][]string) {
	var outer sync.WaitGroup
	outer.Add(1)
	go func() {
		defer outer.Done()
		var inner sync.WaitGroup
		for _, batch := range batches {
			inner.Add(len(batch))
			for _, u := range batch {
				go func(u string) {
					defer inner.Done()
					fetchSize(client, u)
				}(u)
			}
		}
		inner.Wait()
	}()
	outer.Wait()
}

func fetchSize(client *http.Client, url string) int64 {
	resp, err := client.Get(url)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	return n
}
