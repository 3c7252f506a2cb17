// Package waitgroup fetches URLs concurrently and waits for all of them: once with wg.Add inside the
// goroutines it counts (wg-add-in-goroutine), and once the correct way.
package waitgroup

import (
	"io"
	"net/http"
	"sync"
)

// maxFetches bounds how many requests run at once.
const maxFetches = 8

// Sizes returns the body size of each URL. Broken: wg.Wait can run before any goroutine has called
// wg.Add, see a zero counter and return while the fetches are still running, so sizes is read while it
// is being written.
func Sizes(client *http.Client, urls []string) map[string]int64 {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		sem   = make(chan struct{}, maxFetches)
		sizes = make(map[string]int64, len(urls))
	)
	for _, u := range urls {
		sem <- struct{}{}
		go func(u string) {
			wg.Add(1)
			defer wg.Done()
			defer func() { <-sem }()
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
		sem   = make(chan struct{}, maxFetches)
		sizes = make(map[string]int64, len(urls))
	)
	for _, u := range urls {
		sem <- struct{}{}
		wg.Add(1)
		go func(u string) {
			defer wg.Done()
			defer func() { <-sem }()
			n := fetchSize(client, u)
			mu.Lock()
			sizes[u] = n
			mu.Unlock()
		}(u)
	}
	wg.Wait()
	return sizes
}

// Crawler starts one goroutine per page (at most maxFetches at a time) and counts them in a field.
// Broken: the Add sits in the started method, so Wait may return before crawl has begun.
type Crawler struct {
	Client *http.Client
	wg     sync.WaitGroup
	mu     sync.Mutex
	sem    chan struct{}
	seen   map[string]int64
}

func (c *Crawler) Start(urls []string) {
	c.seen = make(map[string]int64)
	c.sem = make(chan struct{}, maxFetches)
	for _, u := range urls {
		c.sem <- struct{}{}
		go c.crawl(u)
	}
}

func (c *Crawler) crawl(u string) {
	c.wg.Add(1)
	defer c.wg.Done()
	defer func() { <-c.sem }()
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

// FetchAll is correct: a coordinator goroutine adds for the workers it starts itself, before starting
// each one, and the caller waits for the coordinator on a WaitGroup of its own.
func FetchAll(client *http.Client, urls []string, workers int) {
	jobs := make(chan string)
	var outer sync.WaitGroup
	outer.Add(1)
	go func() {
		defer outer.Done()
		var inner sync.WaitGroup
		for i := 0; i < workers; i++ {
			inner.Add(1)
			go func() {
				defer inner.Done()
				for u := range jobs {
					fetchSize(client, u)
				}
			}()
		}
		inner.Wait()
	}()
	for _, u := range urls {
		jobs <- u
	}
	close(jobs)
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
