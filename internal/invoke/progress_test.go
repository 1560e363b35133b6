package invoke_test

import (
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/curfew/curfew/internal/invoke"
)

// syncBuffer is a strings.Builder the spinner's goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Issue 28, item 3: a run that answers within the quiet time prints nothing; a longer
// one shows a spinner line with how long it has run, rewritten in place, and clears it.
func TestProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var quick syncBuffer
		stop := invoke.Progress(&quick, "curfew-shutdown runs in identity/eu-west-1", 3*time.Second, time.Second)
		time.Sleep(2 * time.Second)
		stop()
		if quick.String() != "" {
			t.Errorf("a 2-second run printed %q", quick.String())
		}

		var slow syncBuffer
		stop = invoke.Progress(&slow, "curfew-shutdown runs in identity/eu-west-1", 3*time.Second, time.Second)
		time.Sleep(5*time.Second + time.Millisecond)
		stop()
		got := slow.String()
		for _, want := range []string{"\r| curfew-shutdown runs in identity/eu-west-1, 3s so far ", "\r/ curfew-shutdown runs in identity/eu-west-1, 4s so far ", "5s so far", "\r\033[K"} {
			if !strings.Contains(got, want) {
				t.Errorf("progress %q lacks %q", got, want)
			}
		}
		if !strings.HasSuffix(got, "\r\033[K") || strings.Contains(got, "\n") {
			t.Errorf("progress %q does not end by clearing its one line", got)
		}
	})
}
