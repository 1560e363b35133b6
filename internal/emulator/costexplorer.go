package emulator

import (
	"context"
	"slices"
	"sync"
	"time"

	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

// LinkedAccounts returns the LINKED_ACCOUNT values of a Cost Explorer filter, alone or in
// an And: the accounts an in-process Cost Explorer answers a query for.
func LinkedAccounts(f *cetypes.Expression) []string {
	if f == nil {
		return nil
	}
	if f.Dimensions != nil && f.Dimensions.Key == cetypes.DimensionLinkedAccount {
		return f.Dimensions.Values
	}
	for _, e := range f.And {
		if ids := LinkedAccounts(&e); ids != nil {
			return ids
		}
	}
	return nil
}

// StillClock is the clock of a paced Cost Explorer reader (cost.Clock) that never moves
// and never sleeps: it records each wait, which pacing measures from the same now, so
// that the waits are the requests' start times.
type StillClock struct {
	At    time.Time
	mu    sync.Mutex
	waits []time.Duration
}

// Now is At.
func (c *StillClock) Now() time.Time { return c.At }

// Sleep records d and returns at once.
func (c *StillClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	return nil
}

// Waits returns the waits asked of the clock, in the order they were asked.
func (c *StillClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// Longest returns the longest wait asked of the clock: when the last paced request
// would start.
func (c *StillClock) Longest() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Max(append([]time.Duration{0}, c.waits...))
}
