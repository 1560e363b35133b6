package main

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
)

// Issue 16, item 3, "done when": at 07:30 on a Wednesday in Madrid a developer snoozes
// one instance with --tonight and tries the other the old way, --until 12h, which would
// end at 19:30, before the stop: since issue 28 (item 5) that is refused as a snooze that
// changes nothing. That night's scheduled stop (20:00, the engine against moto at that
// time) stops the unsnoozed one and skips the other as snoozed; the next morning's
// scheduled restart (07:30) starts the first again and leaves the snoozed one as it was:
// running, its snooze tag unchanged, no curfew mark.
func TestSnoozeTonightSurvivesTheNightAndTheMorning(t *testing.T) {
	s, mapPath, ids := developerWorld(t)
	m, err := accounts.Load(mapPath)
	if err != nil {
		t.Fatal(err)
	}
	ec2c := ec2.NewFromConfig(s.Account(t, ids["staging"], "eu-west-1"))
	instances := runInstances(t, ec2c, 2)
	tonight, twelve := instances[0], instances[1]

	morning := time.Date(2026, 11, 25, 6, 30, 0, 0, time.UTC) // 07:30 in Madrid
	for _, args := range [][]string{{tonight, "--tonight"}, {twelve, "--until", "12h"}} {
		r := curfewWith(t, strings.NewReader("123456\n"), func(a *app) { a.now = func() time.Time { return morning } },
			append([]string{"--map", mapPath, "snooze", "staging"}, args...)...)
		if args[1] == "--until" {
			if !errors.Is(r.err, ErrInvalidInput) || !strings.Contains(r.err.Error(), "before the next stop at Wednesday 25 Nov 2026 20:00 CET") {
				t.Errorf("snooze %v at 07:30: %v, want it refused as ending before the stop", args, r.err)
			}
			continue
		}
		if r.err != nil {
			t.Fatalf("snooze %v: %v\n%s", args, r.err, r.stderr)
		}
		if args[1] == "--tonight" && !strings.Contains(r.stdout, "until Thursday 26 Nov 2026 07:30 CET (2026-11-26T06:30:00Z), 24h from now") {
			t.Errorf("snooze --tonight at 07:30 says:\n%s", r.stdout)
		}
	}
	_, tagsBefore := emulator.InstanceState(t, ec2c, tonight)

	engine := func(kind history.Kind, at time.Time) fleet.Report {
		t.Helper()
		h := fleet.Handler{Kind: kind, Map: m, Now: func() time.Time { return at }, Logger: slog.New(slog.DiscardHandler),
			Connect: fleet.AssumeRoles(s.Account(t, ids["identity"], m.HomeRegion), m.ExternalID)}
		rep, err := h.Run(t.Context(), fleet.Payload{Trigger: fleet.Schedule, Accounts: []string{"staging"}, Regions: []string{"eu-west-1"}})
		if err != nil || rep.Failed() {
			t.Fatalf("%s at %v: %v %+v", kind, at, err, rep)
		}
		return rep
	}
	actions := func(rep fleet.Report) map[string]fleet.Resource {
		out := map[string]fleet.Resource{}
		for _, res := range rep.Results {
			for _, r := range res.Resources {
				out[r.ID] = r
			}
		}
		return out
	}

	night := actions(engine(history.Shutdown, time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC))) // 20:00 in Madrid
	if r := night[tonight]; r.Action != fleet.Skipped || !strings.Contains(r.Reason, "snoozed until 2026-11-26T06:30:00Z") {
		t.Errorf("the night's stop did %+v to the --tonight instance, want it skipped as snoozed", r)
	}
	if r := night[twelve]; r.Action != fleet.Stopped {
		t.Errorf("the night's stop did %+v to the --until 12h instance, want it stopped", r)
	}
	if state, _ := emulator.InstanceState(t, ec2c, tonight); state != ec2types.InstanceStateNameRunning {
		t.Errorf("after the night's stop the --tonight instance is %s", state)
	}

	day := actions(engine(history.Restart, time.Date(2026, 11, 26, 6, 30, 0, 0, time.UTC))) // 07:30 in Madrid
	if r := day[twelve]; r.Action != fleet.Started {
		t.Errorf("the morning's restart did %+v to the --until 12h instance, want it started", r)
	}
	if r, ok := day[tonight]; ok && r.Action != fleet.Skipped {
		t.Errorf("the morning's restart did %+v to the --tonight instance", r)
	}
	state, tagsAfter := emulator.InstanceState(t, ec2c, tonight)
	if state != ec2types.InstanceStateNameRunning || len(tagsAfter) != len(tagsBefore) {
		t.Errorf("after the morning the --tonight instance is %s with tags %v, want running with %v", state, tagsAfter, tagsBefore)
	}
	for k, v := range tagsBefore {
		if tagsAfter[k] != v {
			t.Errorf("tag %s = %q after the morning, was %q", k, tagsAfter[k], v)
		}
	}
	for _, mark := range []string{accounts.StoppedAtTag, accounts.StoppedByRunTag} {
		if v, ok := tagsAfter[mark]; ok {
			t.Errorf("the --tonight instance carries curfew's mark %s=%s", mark, v)
		}
	}
}
