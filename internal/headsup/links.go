package headsup

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/curfew/curfew/internal/cause"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/snoozelink"
)

// MaxResourceLinks: an account with at most this many resources a link can keep up gets a
// link for each of them beside the account's own (one resource alone needs none: the
// account's link is the same).
const MaxResourceLinks = 5

// snoozable reports whether a link can keep a resource of this type up: the link function
// snoozes EC2 instances, RDS instances and Aurora clusters only.
func snoozable(typ string) bool {
	return typ == history.EC2Instance || typ == history.RDSInstance || typ == history.AuroraCluster
}

// issued is one link of an account: what it keeps up, and its URL.
type issued struct {
	// resource is the id of the one resource the link keeps up; empty for the account's.
	resource string
	count    int
	url      string
}

// targets are the resources of a that a link can keep up.
func (a *account) targets() []snoozelink.Target {
	var out []snoozelink.Target
	for _, x := range a.stops {
		if snoozable(x.Type) {
			out = append(out, snoozelink.Target{Type: x.Type, Region: x.region, ID: x.ID})
		}
	}
	return out
}

// issue issues the links of every account, a few accounts at a time: the account's own,
// then one per resource when it has 2 to MaxResourceLinks of them. It returns how many
// were issued and a line for each that was not.
func (h Handler) issue(ctx context.Context, found []*account, now time.Time) (int, []string) {
	log := h.logger()
	var mu sync.Mutex
	var failures []string
	n := 0
	g := new(errgroup.Group)
	g.SetLimit(h.concurrency())
	for _, a := range found {
		ts := a.targets()
		if len(ts) == 0 {
			continue
		}
		g.Go(func() error {
			sets := [][]snoozelink.Target{ts}
			if len(ts) > 1 && len(ts) <= MaxResourceLinks {
				for _, t := range ts {
					sets = append(sets, []snoozelink.Target{t})
				}
			}
			for i, set := range sets {
				url, err := h.Issuer.Issue(ctx, snoozelink.Link{
					Account: a.name, AccountID: a.acct.ID, Resources: set, Stop: a.stop, Until: a.until, Sent: now,
				})
				what := "all of " + a.name
				if i > 0 {
					what = set[0].ID + " in " + a.name
				}
				mu.Lock()
				if err != nil {
					if i == 0 {
						a.linkErr = err
					}
					failures = append(failures, fmt.Sprintf("the link keeping up %s was not issued: %s; `curfew snooze %s RESOURCE-ID --tonight` keeps a resource up",
						what, cause.Of(err), a.name))
					log.ErrorContext(ctx, "link", "action", "issue-link", "outcome", "failed", "account", a.name, "resource", what, "error", err.Error())
				} else {
					n++
					l := issued{count: len(set), url: url}
					if i > 0 {
						l.resource = set[0].ID
					}
					a.links = append(a.links, l)
				}
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	return n, failures
}
