package rules

// produce closes out twice: the deferred close panics.
func produce(n int, out chan<- int) {
	defer close(out)
	for i := 0; i < n; i++ {
		out <- i
	}
	close(out)
}
