module example.com/goroutine-guard/examples

// Go 1.21: loop variables are still shared by all iterations, so loopcapture/ shows that pitfall too.
go 1.21
