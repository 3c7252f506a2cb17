// Package missingwgdone resizes images concurrently and waits for them: once with a goroutine that can
// return without wg.Done (missing-wg-done), and once the correct way.
package missingwgdone

import (
	"errors"
	"log"
	"sync"
)

type Image struct {
	Path string
	W, H int
}

// ResizeAll is broken: a goroutine that fails returns before wg.Done, so wg.Wait blocks forever.
func ResizeAll(images []Image) {
	var wg sync.WaitGroup
	for _, img := range images {
		wg.Add(1)
		go func(img Image) {
			if err := resize(img); err != nil {
				log.Println(err)
				return
			}
			wg.Done()
		}(img)
	}
	wg.Wait()
}

// ResizeAllFixed defers Done first, so it runs on every path (and bounds the work with a semaphore).
func ResizeAllFixed(images []Image) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, img := range images {
		sem <- struct{}{}
		wg.Add(1)
		go func(img Image) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := resize(img); err != nil {
				log.Println(err)
			}
		}(img)
	}
	wg.Wait()
}

// Pool runs its workers as methods that share the pool's WaitGroup.
type Pool struct {
	jobs chan Image
	wg   sync.WaitGroup
}

// Start is broken: worker stops on the first error without calling Done.
func (p *Pool) Start(n int) {
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.worker()
	}
}

func (p *Pool) worker() {
	for img := range p.jobs {
		if err := resize(img); err != nil {
			return
		}
	}
	p.wg.Done()
}

// StartFixed runs workers that defer Done.
func (p *Pool) StartFixed(n int) {
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.workerFixed()
	}
}

func (p *Pool) workerFixed() {
	defer p.wg.Done()
	for img := range p.jobs {
		if err := resize(img); err != nil {
			log.Println(err)
			return
		}
	}
}

// Wait blocks until every worker has returned.
func (p *Pool) Wait() { p.wg.Wait() }

func resize(img Image) error {
	if img.W <= 0 || img.H <= 0 {
		return errors.New("bad size: " + img.Path)
	}
	return nil
}
