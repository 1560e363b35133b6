package invoke

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// frames are the spinner's, one per tick.
var frames = []string{"|", "/", "-", `\`}

// describeWidth bounds Describe's text, so that the progress line with its spinner and
// time ("| ", ": 9m59s so far"; the functions time out at 10 minutes) fits an 80-column
// terminal: a line that wraps cannot be rewritten in place.
const describeWidth = 64

// Describe says what a run is doing for the progress line: the function, where it runs,
// what it does (stopping, starting, a dry run over) and the accounts it was sent to, as
// many names as fit and then how many more; none named is every non-production account
// (the function knows which: the map's, and those it finds in organisational units).
// They are the accounts the run visits, not those it has finished: a synchronous
// invocation answers once, at the end.
func Describe(function, where, doing string, accounts []string) string {
	head := fmt.Sprintf("%s in %s: %s ", function, where, doing)
	for shown := len(accounts); shown > 0; shown-- {
		text := head + strings.Join(accounts[:shown], ", ")
		if rest := len(accounts) - shown; rest > 0 {
			text += fmt.Sprintf(" and %d more", rest)
		}
		if len([]rune(text)) <= describeWidth || shown == 1 {
			return text
		}
	}
	return head + "every non-production account"
}

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
			// \033[K clears what a longer line before left at its end.
			fmt.Fprintf(w, "\r%s %s: %s so far\033[K", frames[i%len(frames)], what, time.Since(start).Round(time.Second))
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
