package snoozelink

import (
	"sync"
	"time"
)

// Limits of the link function's requests, per minute: a person clicks a few times; a
// scanner or an attacker guessing tokens is slowed down before any AWS call.
const (
	PerSourceLimit = 20
	OverallLimit   = 300
	// maxSources bounds the memory of the per-source counts within one minute; sources
	// beyond it share the overall limit only.
	maxSources = 10000
)

// Limiter counts requests per source IP and overall in fixed one-minute windows, in
// memory: each warm instance of the function limits what reaches it.
type Limiter struct {
	mu      sync.Mutex
	window  time.Time
	overall int
	sources map[string]int
}

// Allow counts one request from source at now and says whether it may go on.
func (l *Limiter) Allow(source string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := now.Truncate(time.Minute); !w.Equal(l.window) || l.sources == nil {
		l.window, l.overall, l.sources = w, 0, map[string]int{}
	}
	if l.overall >= OverallLimit {
		return false
	}
	n, known := l.sources[source]
	if n >= PerSourceLimit {
		return false
	}
	if known || len(l.sources) < maxSources {
		l.sources[source] = n + 1
	}
	l.overall++
	return true
}
