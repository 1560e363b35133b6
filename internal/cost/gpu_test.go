package cost_test

import (
	"testing"

	"github.com/curfew/curfew/internal/history"
)

// A g5.xlarge stopped for the weekend is priced (1.006 USD an hour in us-east-1), not
// counted as hours "not priced": GPU sizes are typically the largest saving.
func TestSavingsPriceGPUSizes(t *testing.T) {
	only := []history.Pair{staging}
	gpu := func(action string, day, hour int) history.Change {
		c := change(staging, "i-gpu", action, nov(day, hour, 0), nov(6, 7, 0))
		c.Size = "g5.xlarge"
		return c
	}
	runs := []history.Run{
		scheduled(history.Shutdown, nov(6, 19, 0), only, gpu(history.Stopped, 6, 19)),
		scheduled(history.Restart, nov(9, 7, 0), only, gpu(history.Started, 9, 7)),
	}
	s := estimate(runs, pairingStart, pairingEnd)
	if len(s.Accounts) != 1 || s.Accounts[0].UnpricedHours != 0 || !near(s.Total(), 60*1.006) {
		t.Errorf("accounts = %+v, want 60 h priced at 1.006 USD", s.Accounts)
	}
}
