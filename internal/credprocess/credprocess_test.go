package credprocess

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// The context ends as soon as the parent id changes (the parent died and the kernel
// handed this process to init or a subreaper), with ErrParentGone as its cause.
func TestWatchParentEndsWithTheParent(t *testing.T) {
	var parent atomic.Int64
	parent.Store(4242)
	ctx, stop := watchParent(context.Background(), func() int { return int(parent.Load()) }, time.Millisecond)
	defer stop()
	select {
	case <-ctx.Done():
		t.Fatal("ended while the parent lives")
	case <-time.After(20 * time.Millisecond):
	}
	parent.Store(1)
	select {
	case <-ctx.Done():
		if !errors.Is(context.Cause(ctx), ErrParentGone) {
			t.Errorf("cause = %v, want ErrParentGone", context.Cause(ctx))
		}
	case <-time.After(time.Second):
		t.Fatal("did not end when the parent went")
	}
}

// A profile names its account by its role or its Identity Center account.
func TestProfileAccount(t *testing.T) {
	for _, tt := range []struct {
		p    Profile
		want string
	}{
		{Profile{RoleARN: "arn:aws:iam::222222222222:role/DeveloperAccess"}, "222222222222"},
		{Profile{SSOAccountID: "333333333333"}, "333333333333"},
		{Profile{RoleARN: "DeveloperAccess"}, ""},
		{Profile{}, ""},
	} {
		if got := tt.p.Account(); got != tt.want {
			t.Errorf("%+v.Account() = %q, want %q", tt.p, got, tt.want)
		}
	}
}
