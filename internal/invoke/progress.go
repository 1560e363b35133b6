package invoke

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// frames are the spinner's, one per tick.
var frames = []string{"|", "/", "-", `\`}

// Progress shows that a run is still going: after quiet, and every tick after, it
// rewrites one line on w (a terminal's stderr) with a spinner, what is running and how
// long it has run. The returned stop clears that line and returns once nothing more is
// written; a run that ends within quiet prints nothing at all.
func Progress(w io.Writer, what string, quiet, tick time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		wait := time.NewTimer(quiet)
		defer wait.Stop()
		select {
		case <-done:
			return
		case <-wait.C:
		}
		t := time.NewTicker(tick)
		defer t.Stop()
		for i := 0; ; i++ {
			fmt.Fprintf(w, "\r%s %s, %s so far ", frames[i%len(frames)], what, time.Since(start).Round(time.Second))
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(done) })
		wg.Wait()
	}
}
