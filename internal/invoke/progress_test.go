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
// one shows one line with what runs and how long it has run, rewritten in place, and
// clears it.
func TestProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		what := invoke.Describe("curfew-shutdown", "identity/eu-west-1", "stopping", []string{"staging", "sandbox"})
		var quick syncBuffer
		stop := invoke.Progress(&quick, what, 3*time.Second, time.Second)
		time.Sleep(2 * time.Second)
		stop()
		if quick.String() != "" {
			t.Errorf("a 2-second run printed %q", quick.String())
		}

		var slow syncBuffer
		stop = invoke.Progress(&slow, what, 3*time.Second, time.Second)
		time.Sleep(5*time.Second + time.Millisecond)
		stop()
		got := slow.String()
		for _, want := range []string{
			"\r| curfew-shutdown in identity/eu-west-1: stopping staging, sandbox: 3s so far\033[K",
			"\r/ curfew-shutdown in identity/eu-west-1: stopping staging, sandbox: 4s so far\033[K",
			"5s so far", "\r\033[K",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("progress %q lacks %q", got, want)
			}
		}
		if !strings.HasSuffix(got, "\r\033[K") || strings.Contains(got, "\n") {
			t.Errorf("progress %q does not end by clearing its one line", got)
		}
	})
}

// The line names the accounts the run was sent to while they fit an 80-column terminal
// (with the spinner and the time), then how many more: a wrapped line cannot be
// rewritten in place.
func TestDescribe(t *testing.T) {
	many := []string{"staging", "sandbox", "qa", "perf", "dev-eu", "dev-us", "data-lab", "ml-sandbox", "demo"}
	tests := []struct {
		name     string
		accounts []string
		want     string
	}{
		{"one account", []string{"staging"}, "curfew-restart in home/eu-west-1: starting staging"},
		{"all fit", []string{"staging", "sandbox"}, "curfew-restart in home/eu-west-1: starting staging, sandbox"},
		{"too many to name", many, "curfew-restart in home/eu-west-1: starting staging and 8 more"},
		{"one name too long to fit", []string{strings.Repeat("x", 60), "qa"}, "curfew-restart in home/eu-west-1: starting " + strings.Repeat("x", 60) + " and 1 more"},
		{"none named", nil, "curfew-restart in home/eu-west-1: starting every non-production account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := invoke.Describe("curfew-restart", "home/eu-west-1", "starting", tt.accounts)
			if got != tt.want {
				t.Errorf("Describe = %q, want %q", got, tt.want)
			}
			if line := "| " + got + ": 9m59s so far"; len(line) > 80 && len(tt.accounts) > 0 && len(tt.accounts[0]) < 40 {
				t.Errorf("the line %q is %d columns, over 80", line, len(line))
			}
		})
	}
}
