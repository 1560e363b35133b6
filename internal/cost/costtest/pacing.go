package costtest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

// StillClock is a cost.Clock that never moves and never sleeps: it records each wait,
// which pacing measures from the same now, so that the waits are the requests' start
// times and the longest is when the last paced request would start.
type StillClock struct {
	now   time.Time
	mu    sync.Mutex
	waits []time.Duration
}

// NewStillClock returns a StillClock that reads now.
func NewStillClock(now time.Time) *StillClock { return &StillClock{now: now} }

// Now is the clock's one instant.
func (c *StillClock) Now() time.Time { return c.now }

// Sleep records d and returns at once.
func (c *StillClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	return nil
}

// Waits returns the waits asked of the clock so far, in the order asked.
func (c *StillClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// Longest is the longest wait asked of the clock so far; zero for none.
func (c *StillClock) Longest() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var longest time.Duration
	for _, d := range c.waits {
		longest = max(longest, d)
	}
	return longest
}

// LinkedAccounts returns the LINKED_ACCOUNT values of a Cost Explorer filter, alone or
// in an And; nil when it names none.
func LinkedAccounts(f *types.Expression) []string {
	if f == nil {
		return nil
	}
	if f.Dimensions != nil && f.Dimensions.Key == types.DimensionLinkedAccount {
		return f.Dimensions.Values
	}
	for _, e := range f.And {
		if ids := LinkedAccounts(&e); ids != nil {
			return ids
		}
	}
	return nil
}
