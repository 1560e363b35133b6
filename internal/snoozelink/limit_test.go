package snoozelink

import (
	"fmt"
	"testing"
	"time"
)

// Each source gets PerSourceLimit requests a minute and all together OverallLimit; the
// next minute starts afresh.
func TestLimiter(t *testing.T) {
	var l Limiter
	at := time.Date(2026, 11, 25, 18, 35, 0, 0, time.UTC)
	allowed := 0
	for i := range OverallLimit * 2 {
		if l.Allow(fmt.Sprintf("198.51.100.%d", i%50), at) {
			allowed++
		}
	}
	if allowed != OverallLimit {
		t.Errorf("%d requests allowed in a minute from 50 sources, want %d", allowed, OverallLimit)
	}
	if !l.Allow("198.51.100.1", at.Add(time.Minute)) {
		t.Error("a request of the next minute was refused")
	}
	for range PerSourceLimit - 1 {
		l.Allow("198.51.100.1", at.Add(time.Minute))
	}
	if l.Allow("198.51.100.1", at.Add(time.Minute+time.Second)) {
		t.Errorf("request %d of one source in a minute was allowed", PerSourceLimit+1)
	}
	if !l.Allow("198.51.100.2", at.Add(time.Minute+time.Second)) {
		t.Error("another source was refused")
	}
}
