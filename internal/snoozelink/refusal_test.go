package snoozelink_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/snoozelink"
)

// Issue 30, item 3: the function refuses, with a plain page and a 4xx, and without
// touching the account: a validly signed link for a production account or an account the
// shutdown leaves alone (no AWS call at all), a link whose record was changed in the
// bucket, an expired link, a link for another night, a link with no record, and a forged
// one. GET and POST alike; nothing is tagged.
func TestLinkRefusals(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	staging := w.ec2("staging")
	web, other := emulator.RunInstance(t, staging), emulator.RunInstance(t, staging)
	prodWeb := emulator.RunInstance(t, w.ec2("production"))
	target := func(id string) snoozelink.Target {
		return snoozelink.Target{Type: history.EC2Instance, Region: west, ID: id}
	}

	production := w.issue(w.link("production", target(prodWeb)))
	archive := w.issue(w.link("archive", target("i-0123456789abcdef0")))
	altered := w.issue(w.link("staging", target(web)))
	changed := w.link("staging", target(other))
	body, _ := json.Marshal(changed)
	if _, err := w.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(w.bucket), Key: aws.String(snoozelink.LinkKey(linkID(t, altered))),
		Body: strings.NewReader(string(body))}); err != nil {
		t.Fatal(err)
	}
	lastNight := w.link("staging", target(web))
	lastNight.Stop, lastNight.Until, lastNight.Sent = stopAt.Add(-24*time.Hour), morning.Add(-24*time.Hour), sent.Add(-24*time.Hour)
	expired := w.issue(lastNight)
	tomorrow := w.link("staging", target(web))
	tomorrow.Stop, tomorrow.Until, tomorrow.Sent = stopAt.Add(24*time.Hour), morning.Add(24*time.Hour), sent.Add(24*time.Hour)
	anotherNight := w.issue(tomorrow)
	unrecorded := w.issue(w.link("staging", target(web)))
	if _, err := w.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(w.bucket), Key: aws.String(snoozelink.LinkKey(linkID(t, unrecorded)))}); err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(w.issue(w.link("staging", target(web))), "?t=eyJ", "?t=eyK", 1)

	invoke, proxy := w.linkFunction()
	tests := []struct {
		name, link string
		status     int
		says       string
		// noCall: not a single AWS call, not even to the history bucket; the others read
		// the bucket (the function runs with the home account's own credentials) and
		// nothing else.
		noCall bool
	}{
		{"production", production, http.StatusForbidden, "production is a production account, which curfew never touches", true},
		{"not swept", archive, http.StatusForbidden, "the shutdown leaves archive alone", true},
		{"record altered", altered, http.StatusForbidden, "its record was changed since the heads-up signed it", false},
		{"expired", expired, http.StatusGone, "it has expired", true},
		{"another night", anotherNight, http.StatusForbidden, "it is for another night than the next stop", false},
		{"no record", unrecorded, http.StatusNotFound, "curfew has no record of it", false},
		{"forged", forged, http.StatusForbidden, "its signature does not match", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			proxy.Clear()
			checkPage(t, "GET", invoke(ctx, get(t, tc.link)), tc.status, tc.says, "Next: ")
			checkPage(t, "POST", invoke(ctx, post(t, tc.link)), tc.status, tc.says, "Next: ")
			calls := proxy.Calls()
			if tc.noCall && len(calls) != 0 {
				t.Errorf("%d AWS calls: %+v", len(calls), calls)
			}
			for _, c := range calls {
				if c.Service != "s3" {
					t.Errorf("a call beyond the history bucket: %s %s in %s", c.Service, c.Action, c.Account)
				}
			}
		})
	}
	for _, id := range []string{web, other} {
		if _, tags := emulator.InstanceState(t, staging, id); tags[accounts.SnoozeUntilTag] != "" {
			t.Errorf("%s was tagged: %v", id, tags)
		}
	}
	if _, tags := emulator.InstanceState(t, w.ec2("production"), prodWeb); len(tags) != 0 {
		t.Errorf("production's instance was tagged: %v", tags)
	}
}
