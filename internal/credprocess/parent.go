package credprocess

import (
	"context"
	"errors"
	"os"
	"time"
)

// ErrParentGone is the cause of a context WatchParent ended.
var ErrParentGone = errors.New("the program that ran curfew credentials has ended")

// parentPoll is how often WatchParent looks.
const parentPoll = 100 * time.Millisecond

// WatchParent returns a context that ends when the process that started this one ends
// (the SDK killed it, or its `sh -c` after 60 seconds): its parent id changes when the
// kernel hands an orphan to init or a subreaper. A credential_process then stops at
// once, whatever it waits for, and leaves no orphan behind and no lock held.
func WatchParent(ctx context.Context) (context.Context, context.CancelFunc) {
	return watchParent(ctx, os.Getppid, parentPoll)
}

func watchParent(ctx context.Context, ppid func() int, every time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	parent := ppid()
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if ppid() != parent {
					cancel(ErrParentGone)
					return
				}
			}
		}
	}()
	return ctx, func() { cancel(context.Canceled) }
}
