package rules

// firstNegative closes the channel it receives from; the producer's next send panics.
func firstNegative(nums []int) int {
	ch := make(chan int)
	go func() {
		for _, n := range nums {
			ch <- n
		}
	}()
	for v := range ch {
		if v < 0 {
			close(ch)
			return v
		}
	}
	return 0
}

func sumAll(nums []int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for _, n := range nums {
			ch <- n
		}
	}()
	total := 0
	for v := range ch {
		total += v
	}
	return total
}
