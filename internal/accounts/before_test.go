package accounts_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
)

// A heads-up runs its stop's Cron moved back by headsUp.before: the same days while it
// stays on the same day, the days before once it crosses midnight, whatever the days'
// form (range, list, a range that wraps the week, every day).
func TestCronBefore(t *testing.T) {
	for _, tc := range []struct {
		at     string
		days   []string
		before time.Duration
		want   accounts.Cron
		expr   string
	}{
		{"20:00", []string{"MON-FRI"}, 30 * time.Minute, accounts.Cron{At: "19:30", Days: []string{"MON-FRI"}}, "cron(30 19 ? * MON,TUE,WED,THU,FRI *)"},
		{"00:10", []string{"MON-FRI"}, 30 * time.Minute, accounts.Cron{At: "23:40", Days: []string{"SUN-THU"}}, "cron(40 23 ? * SUN,MON,TUE,WED,THU *)"},
		{"00:30", []string{"MON-FRI"}, 30 * time.Minute, accounts.Cron{At: "00:00", Days: []string{"MON-FRI"}}, "cron(0 0 ? * MON,TUE,WED,THU,FRI *)"},
		{"01:00", []string{"MON", "WED", "FRI"}, 4 * time.Hour, accounts.Cron{At: "21:00", Days: []string{"SUN", "TUE", "THU"}}, "cron(0 21 ? * SUN,TUE,THU *)"},
		{"00:05", []string{"SAT-MON"}, 5 * time.Minute, accounts.Cron{At: "00:00", Days: []string{"SAT-MON"}}, "cron(0 0 ? * SUN,MON,SAT *)"},
		{"00:05", []string{"SAT-MON"}, 10 * time.Minute, accounts.Cron{At: "23:55", Days: []string{"FRI-SUN"}}, "cron(55 23 ? * SUN,FRI,SAT *)"},
		{"00:00", []string{"SUN"}, time.Minute, accounts.Cron{At: "23:59", Days: []string{"SAT"}}, "cron(59 23 ? * SAT *)"},
		{"02:00", []string{"SUN-SAT"}, 3 * time.Hour, accounts.Cron{At: "23:00", Days: []string{"SUN-SAT"}}, "cron(0 23 ? * SUN,MON,TUE,WED,THU,FRI,SAT *)"},
		{"00:15", []string{"TUE-SAT", "MON"}, 45 * time.Minute, accounts.Cron{At: "23:30", Days: []string{"SUN-FRI"}}, "cron(30 23 ? * SUN,MON,TUE,WED,THU,FRI *)"},
		{"00:15", []string{"MON-TUE", "THU-FRI"}, time.Hour, accounts.Cron{At: "23:15", Days: []string{"SUN-MON", "WED-THU"}}, "cron(15 23 ? * SUN,MON,WED,THU *)"},
	} {
		got, err := accounts.Cron{At: tc.at, Days: tc.days}.Before(tc.before)
		if err != nil {
			t.Errorf("%s %v, %s before: %v", tc.at, tc.days, tc.before, err)
			continue
		}
		if got.At != tc.want.At || !slices.Equal(got.Days, tc.want.Days) {
			t.Errorf("%s %v, %s before = %s %v, want %s %v", tc.at, tc.days, tc.before, got.At, got.Days, tc.want.At, tc.want.Days)
		}
		if e := got.Expression(); e != tc.expr {
			t.Errorf("%s %v, %s before: Expression() = %s, want %s", tc.at, tc.days, tc.before, e, tc.expr)
		}
	}
}

// Every run of a Cron moved back by d comes exactly d before a run of the Cron, and the
// other way round, for every day of a week of a time zone without daylight saving.
func TestCronBeforeRunsAheadOfEachRun(t *testing.T) {
	loc := time.UTC
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, loc) // a Monday
	for _, c := range []accounts.Cron{
		{At: "00:10", Days: []string{"MON-FRI"}},
		{At: "03:59", Days: []string{"SAT-MON"}},
		{At: "20:00", Days: []string{"WED"}},
	} {
		for _, d := range []time.Duration{5 * time.Minute, 30 * time.Minute, 4 * time.Hour} {
			b, err := c.Before(d)
			if err != nil {
				t.Fatal(err)
			}
			for t0 := monday; t0.Before(monday.AddDate(0, 0, 7)); {
				stop, ok := c.Next(t0, loc)
				if !ok {
					t.Fatalf("%v never runs", c)
				}
				heads, _ := b.Next(stop.Add(-d-time.Minute), loc)
				if !heads.Equal(stop.Add(-d)) {
					t.Errorf("%v, %s before: the run before the stop of %s is at %s, want %s", c, d, stop, heads, stop.Add(-d))
				}
				t0 = stop
			}
		}
	}
}

// A bad Cron or a duration that is no whole number of minutes is refused.
func TestCronBeforeRefuses(t *testing.T) {
	for _, tc := range []struct {
		c      accounts.Cron
		before time.Duration
		says   string
	}{
		{accounts.Cron{At: "25:00", Days: []string{"MON"}}, time.Minute, "24-hour"},
		{accounts.Cron{At: "20:00", Days: []string{"MOONDAY"}}, time.Minute, "not a day"},
		{accounts.Cron{At: "20:00"}, time.Minute, "no day"},
		{accounts.Cron{At: "20:00", Days: []string{"MON"}}, 90 * time.Second, "whole number of minutes"},
		{accounts.Cron{At: "20:00", Days: []string{"MON"}}, -time.Minute, "whole number of minutes"},
	} {
		if _, err := tc.c.Before(tc.before); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%v.Before(%s) = %v, want an error saying %q", tc.c, tc.before, err, tc.says)
		}
	}
}

// headsUp.before is a whole number of minutes between the bounds; every bad value is named
// by its field, and a good one is what HeadsUpBefore returns (the default without one; off
// without owners or with headsUp.off).
func TestHeadsUpValidation(t *testing.T) {
	for _, tc := range []struct {
		before string
		reason string
	}{
		{"soon", "not a duration"},
		{"30", "not a duration"},
		{"4m", "outside 5m0s to 4h"},
		{"4h1m", "outside 5m0s to 4h"},
		{"-30m", "outside"},
		{"30m30s", "whole number of minutes"},
	} {
		m := example(t)
		m.HeadsUp = &accounts.HeadsUp{Before: tc.before}
		t.Run(tc.before, func(t *testing.T) { wantOnlyProblem(t, m.Validate(), "headsUp.before", tc.reason) })
	}
	for _, tc := range []struct {
		headsUp *accounts.HeadsUp
		owners  bool
		want    time.Duration
		on      bool
	}{
		{nil, true, accounts.DefaultHeadsUpBefore, true},
		{&accounts.HeadsUp{}, true, accounts.DefaultHeadsUpBefore, true},
		{&accounts.HeadsUp{Before: "5m"}, true, 5 * time.Minute, true},
		{&accounts.HeadsUp{Before: "1h15m"}, true, 75 * time.Minute, true},
		{&accounts.HeadsUp{Before: "4h"}, true, 4 * time.Hour, true},
		{&accounts.HeadsUp{Before: "45m", Off: true}, true, 0, false},
		{&accounts.HeadsUp{Before: "45m"}, false, 0, false},
	} {
		m := example(t)
		m.HeadsUp = tc.headsUp
		if !tc.owners {
			for i := range m.Accounts {
				m.Accounts[i].Owners = nil
			}
		}
		if err := m.Validate(); err != nil {
			t.Errorf("%+v: %v", tc.headsUp, err)
			continue
		}
		if d, on := m.HeadsUpBefore(); d != tc.want || on != tc.on {
			t.Errorf("%+v, owners %v: HeadsUpBefore() = %s, %v, want %s, %v", tc.headsUp, tc.owners, d, on, tc.want, tc.on)
		}
	}
}

// headsUp.slackSigningSecret names a parameter of its own under /curfew/, never a URL,
// the link key or an owner's webhook; SlackSigningSecret returns it only while the
// heads-up is on.
func TestSlackSigningSecretValidation(t *testing.T) {
	for _, tc := range []struct{ secret, reason string }{
		{"https://hooks.slack.com/x", "not an SSM parameter name"},
		{"slack-secret", "not an SSM parameter name"},
		{"/other/slack", "not an SSM parameter name"},
		{"/curfew/heads-up/slack secret", "not an SSM parameter name"},
		{accounts.HeadsUpKeyParameter, "curfew's own parameter"},
		{"/curfew/owners/sandbox", "curfew's own parameter"},
	} {
		m, err := accounts.Load(exampleMap)
		if err != nil {
			t.Fatal(err)
		}
		m.HeadsUp = &accounts.HeadsUp{SlackSigningSecret: tc.secret}
		t.Run(tc.secret, func(t *testing.T) { wantOnlyProblem(t, m.Validate(), "headsUp.slackSigningSecret", tc.reason) })
	}
	const good = "/curfew/heads-up/slack-signing-secret"
	for _, tc := range []struct {
		headsUp *accounts.HeadsUp
		want    string
	}{
		{nil, ""},
		{&accounts.HeadsUp{}, ""},
		{&accounts.HeadsUp{SlackSigningSecret: good}, good},
		{&accounts.HeadsUp{SlackSigningSecret: good, Off: true}, ""},
	} {
		m, err := accounts.Load(exampleMap)
		if err != nil {
			t.Fatal(err)
		}
		m.HeadsUp = tc.headsUp
		if err := m.Validate(); err != nil {
			t.Errorf("%+v: %v", tc.headsUp, err)
		}
		if got := m.SlackSigningSecret(); got != tc.want {
			t.Errorf("%+v: SlackSigningSecret() = %q, want %q", tc.headsUp, got, tc.want)
		}
	}
}
