package fleet_test

import (
	"testing"

	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/fleet"
)

// Every AssumeRole of a run leaves from the home account, so at hundreds of accounts STS
// throttles them together (bench part 5 saw 616 throttled at 500 accounts). A throttled
// AssumeRole is retried within the first call that needs the credentials: the SDK fetches
// credentials inside that call's retry loop, so each of its MaxAttempts tries AssumeRole
// again (with the base config's own attempts each), and the account is still swept.
func TestThrottledAssumeRoleIsRetried(t *testing.T) {
	t.Parallel()
	f := newTestFleet(t)
	staging := f.account("staging").ID
	// More throttles than the emulator config's two attempts, fewer than MaxAttempts.
	rep, p := f.shutdownThrough(faultproxy.AssumeRoleInto(staging, faultproxy.Rule{Kind: faultproxy.Error, Code: "Throttling", Times: 4}))
	for _, res := range rep.Results {
		if res.Status != fleet.Done {
			t.Errorf("%s/%s: %s %s", res.Account, res.Region, res.Status, res.Error)
		}
	}
	if got := p.Count("", "sts", "AssumeRole"); got < 5 {
		t.Errorf("%d AssumeRole calls, want the 4 throttled ones retried", got)
	}
}
