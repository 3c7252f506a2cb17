package rules

// report sends the summary on a channel it has already closed, which panics.
func report(results chan int, items []int) {
	for _, it := range items {
		results <- it
	}
	close(results)
	results <- -1
}
