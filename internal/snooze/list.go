package snooze

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/curfew/curfew/internal/table"
)

// Snoozed is one resource carrying the snooze tag. Its JSON form is what `curfew snooze
// --list --json` prints (docs/operations.md).
type Snoozed struct {
	Region string `json:"region"`
	// Type is the engine's name of the kind (history.EC2Instance, ...); Kind a person's.
	Type string `json:"type"`
	Kind string `json:"-"`
	ID   string `json:"id"`
	// Until is the tag's value as written, an RFC 3339 time unless someone wrote another.
	Until string `json:"until"`
	// By is the value of accounts.SnoozedByTag as written; Origin, where the snooze came
	// from ("heads-up link of 19:30"), when By names this snooze's end.
	By     string `json:"-"`
	Origin string `json:"origin,omitempty"`
	// Expired says the time has passed (the next shutdown stops it again); Valid that
	// Until is an RFC 3339 time at all.
	Expired bool `json:"expired"`
	Valid   bool `json:"valid"`
}

// judge fills in Valid and Expired as of now.
func judge(found []Snoozed, now time.Time) []Snoozed {
	for i, s := range found {
		t, err := time.Parse(time.RFC3339, s.Until)
		found[i].Valid = err == nil
		found[i].Expired = err == nil && !t.After(now)
		found[i].Origin = Origin(s.By, s.Until)
	}
	return found
}

// WriteJSON writes the snoozed resources of an account as JSON: {"account": ...,
// "snoozed": [...]}, an empty list when there are none.
func WriteJSON(w io.Writer, account string, found []Snoozed, now time.Time) error {
	if found == nil {
		found = []Snoozed{}
	}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	e.SetEscapeHTML(false)
	return e.Encode(struct {
		Account string    `json:"account"`
		Snoozed []Snoozed `json:"snoozed"`
	}{account, judge(found, now)})
}

// Write lists the snoozed resources with the end of each snooze in the account's own
// time zone (loc), as the snooze itself was set, and the tag's value as written.
func Write(w io.Writer, account string, found []Snoozed, now time.Time, loc *time.Location) error {
	if len(found) == 0 {
		_, err := fmt.Fprintf(w, "nothing in %s is snoozed\n", account)
		return err
	}
	tw := table.New(w)
	tw.Row("REGION", "KIND", "RESOURCE", "SNOOZED UNTIL", "TAG VALUE", "STATUS")
	for _, s := range judge(found, now) {
		until, status := "?", "not an RFC 3339 time"
		if t, err := time.Parse(time.RFC3339, s.Until); err == nil {
			until = LocalTime(t, loc)
			if s.Expired {
				status = "expired: stopped again by the next shutdown"
			} else {
				status = Rough(t.Sub(now)) + " left"
			}
			if s.Origin != "" {
				status += ", kept up by the " + s.Origin
			}
		}
		tw.Row(s.Region, s.Kind, s.ID, until, s.Until, status)
	}
	return tw.Flush()
}
