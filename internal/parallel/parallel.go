// Package parallel runs independent pieces of work on every processor.
package parallel

import (
	"runtime"
	"sync"
)

// Each calls f(0) … f(n-1) on as many goroutines as there are processors,
// handing out indexes in order, and returns once every call has returned.
// Callers write each result to its own index, so results keep their order.
func Each(n int, f func(i int)) {
	work := make(chan int)
	var wg sync.WaitGroup
	for k := 0; k < min(n, runtime.GOMAXPROCS(0)); k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
}
