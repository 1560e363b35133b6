package fleet

import (
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/sources"
)

// Status is how far a run got in one account×region.
type Status string

// The statuses of an account×region.
const (
	// Done: every resource was looked at; some may still have failed (see Resources).
	Done Status = "done"
	// Failed: the account×region could not be (fully) looked at, e.g. a describe call failed.
	Failed Status = "failed"
	// NotReached: the run stopped before this pair (or within it) to answer before the
	// Lambda deadline.
	NotReached Status = "not-reached"
	// Holiday: a scheduled restart on a holiday of the account; nothing was started.
	Holiday Status = "holiday"
)

// Action is what a run did, or would do, to one resource.
type Action string

// The actions on a resource.
const (
	Stopped    Action = "stopped"
	Started    Action = "started"
	WouldStop  Action = "would-stop"
	WouldStart Action = "would-start"
	Skipped    Action = "skipped"
	// NotStopped: the shutdown found the resource up but in a transitional state (an
	// instance pending, a database backing-up or modifying) in which it cannot be stopped;
	// the next shutdown run stops it if it is up by then.
	NotStopped Action = "not-stopped"
	// LeftStopped: the restart found a resource curfew stopped stopped again by someone
	// else after the shutdown; it is left stopped and its mark removed.
	LeftStopped Action = "left-stopped"
	// ActionFailed: the stop or start (or its mark) failed; see Error.
	ActionFailed Action = "failed"
)

// Report is the answer of the shutdown and restart functions: what one run did, per
// account×region. Its JSON form is stable; the CLI prints it.
type Report struct {
	RunID   string       `json:"runId"`
	Kind    history.Kind `json:"kind"` // "shutdown" or "restart"
	Trigger Trigger      `json:"trigger"`
	DryRun  bool         `json:"dryRun"`
	Started time.Time    `json:"started"`
	// Results has one entry per account×region visited, in account-map order.
	Results []Result `json:"results"`
	// Accounts says why each account found by organisational unit but not visited was
	// left alone, and what went wrong finding accounts (an error fails the run).
	Accounts []sources.Note `json:"accounts,omitempty"`
	Totals   Totals         `json:"totals"`
	// HistoryError is set when the run summary could not be written to the history bucket.
	HistoryError string `json:"historyError,omitempty"`
	// AccountListError says why the run did not publish the accounts it knew (package
	// accountlist): a source it could not read, or a failed write.
	AccountListError string `json:"accountListError,omitempty"`
}

// Result is what a run did in one account×region.
type Result struct {
	Account string `json:"account"` // account name in the map
	Region  string `json:"region"`
	Status  Status `json:"status"`
	// Reason explains a holiday or not-reached status.
	Reason string `json:"reason,omitempty"`
	// Error is set when Status is failed (or not-reached with work cut off).
	Error     string     `json:"error,omitempty"`
	Resources []Resource `json:"resources"`
}

// Resource is what a run did, or would do, to one resource.
type Resource struct {
	Type string `json:"type"` // history.EC2Instance, history.RDSInstance, history.AuroraCluster, AutoScalingGroup, ECSService or EKSNodegroup
	ID   string `json:"id"`
	// Size is the instance type or DB instance class; empty for a cluster.
	Size   string `json:"size,omitempty"`
	Action Action `json:"action"`
	// Reason says why a resource was skipped, or notes something about a stop or start
	// (an expired or unreadable snooze, a stale mark removed).
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`

	// at is when the stop or start call succeeded, for the run history.
	at time.Time
	// count is how many instances or tasks a group, node group or service ran, for the
	// run history.
	count int
	// up and launched tell the run history that the resource was found running again
	// while marked, and when it was last started (history.Change.Up and Launched): the
	// evidence the cost report ends a stop with.
	up       bool
	launched time.Time
	// dims are what the resource's price depends on, for the run history.
	dims history.Dimensions
	// members are an Aurora cluster's member DB instance classes (history.Change.Members).
	members []string
}

// Totals counts the resources by action and the account×region pairs by status.
type Totals struct {
	Stopped         int `json:"stopped"`
	Started         int `json:"started"`
	WouldStop       int `json:"wouldStop"`
	WouldStart      int `json:"wouldStart"`
	Skipped         int `json:"skipped"`
	NotStopped      int `json:"notStopped"`
	LeftStopped     int `json:"leftStopped"`
	Failed          int `json:"failed"`
	Pairs           int `json:"pairs"`
	PairsFailed     int `json:"pairsFailed"`
	PairsNotReached int `json:"pairsNotReached"`
	PairsHoliday    int `json:"pairsHoliday"`
	// AccountsSkipped and AccountErrors count the notes of Accounts by outcome.
	AccountsSkipped int `json:"accountsSkipped"`
	AccountErrors   int `json:"accountErrors"`
}

// Failed reports whether anything went wrong: a resource failed, an account×region
// failed or was not reached, or the accounts of the run could not all be settled. A
// holiday, or an account skipped by design, is not a failure.
func (r Report) Failed() bool {
	t := r.Totals
	return t.Failed > 0 || t.PairsFailed > 0 || t.PairsNotReached > 0 || t.AccountErrors > 0
}

// count fills in Totals from Results.
func (r *Report) count() {
	t := Totals{Pairs: len(r.Results)}
	for _, n := range r.Accounts {
		switch n.Outcome {
		case sources.Skipped:
			t.AccountsSkipped++
		case sources.Error:
			t.AccountErrors++
		}
	}
	for _, res := range r.Results {
		switch res.Status {
		case Failed:
			t.PairsFailed++
		case NotReached:
			t.PairsNotReached++
		case Holiday:
			t.PairsHoliday++
		}
		for _, x := range res.Resources {
			switch x.Action {
			case Stopped:
				t.Stopped++
			case Started:
				t.Started++
			case WouldStop:
				t.WouldStop++
			case WouldStart:
				t.WouldStart++
			case Skipped:
				t.Skipped++
			case NotStopped:
				t.NotStopped++
			case LeftStopped:
				t.LeftStopped++
			case ActionFailed:
				t.Failed++
			}
		}
	}
	r.Totals = t
}

// changes lists every resource the run reported on, for the run history: what it stopped
// or started, and what it skipped, left stopped or failed on, which the cost report needs
// to tell how each stop ended and what the skips cost.
func (r Report) changes() []history.Change {
	var out []history.Change
	for _, res := range r.Results {
		for _, x := range res.Resources {
			at := x.at
			if at.IsZero() {
				at = r.Started
			}
			out = append(out, history.Change{
				Account: res.Account, Region: res.Region, Type: x.Type, ID: x.ID, Size: x.Size,
				Count: x.count, At: at, Action: string(x.Action), Reason: x.Reason,
				Up: x.up, Launched: x.launched, Dimensions: x.dims, Members: x.members,
			})
		}
	}
	return out
}

// visits lists the account×region pairs the run visited and how far it got, for the run
// history.
func (r Report) visits() []history.Visit {
	out := make([]history.Visit, len(r.Results))
	for i, res := range r.Results {
		out[i] = history.Visit{Pair: history.Pair{Account: res.Account, Region: res.Region}, Status: string(res.Status)}
	}
	return out
}

// sweptPairs lists every account×region the map swept when the run began, for the run
// history; nil when the run could not settle its accounts, so that an account it failed to
// find is not taken for one that left the sweep.
func sweptPairs(rep Report, swept []accounts.Account) []history.Pair {
	if rep.Totals.AccountErrors > 0 {
		return nil
	}
	var out []history.Pair
	for _, a := range swept {
		for _, region := range a.Regions {
			out = append(out, history.Pair{Account: a.Name, Region: region})
		}
	}
	return out
}
