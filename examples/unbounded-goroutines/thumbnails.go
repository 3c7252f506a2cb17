// Package thumbnails renders a thumbnail per uploaded image: once with a goroutine per image
// (unbounded-goroutines), and twice with a bound — a semaphore and a fixed pool of workers.
package thumbnails

import (
	"fmt"
	"sync"
)

type Image struct {
	Path string
}

func render(img Image) string { return fmt.Sprintf("thumb:%s", img.Path) }

// Render starts one goroutine per image: a batch of 50 000 uploads means 50 000 goroutines decoding
// images at once.
func Render(images []Image) []string {
	out := make([]string, len(images))
	var wg sync.WaitGroup
	for i, img := range images {
		wg.Add(1)
		go func(i int, img Image) {
			defer wg.Done()
			out[i] = render(img)
		}(i, img)
	}
	wg.Wait()
	return out
}

// RenderLimited acquires a slot of a channel semaphore before each go statement: at most limit
// goroutines exist at a time.
func RenderLimited(images []Image, limit int) []string {
	out := make([]string, len(images))
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i, img := range images {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int, img Image) {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = render(img)
		}(i, img)
	}
	wg.Wait()
	return out
}

// RenderPool starts a fixed number of workers that take indexes from a channel.
func RenderPool(images []Image, workers int) []string {
	out := make([]string, len(images))
	idx := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				out[i] = render(images[i])
			}
		}()
	}
	for i := range images {
		idx <- i
	}
	close(idx)
	wg.Wait()
	return out
}
