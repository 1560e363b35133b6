package main

import (
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
)

// Under a plan, the next holiday of each account and the calendar it comes from; accounts
// sharing it share a line, and the day is the schedule's.
func TestPlanSaysTheNextHoliday(t *testing.T) {
	m, err := accounts.Load("../../accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		now   time.Time
		names []string
		want  string
	}{
		{"every swept account", time.Date(2026, 12, 7, 18, 30, 0, 0, time.UTC), nil,
			"next holiday of staging, sandbox: Tue 2026-12-08 (Europe/Madrid), Inmaculada Concepción, calendar ES (Spain): no scheduled morning start that day\n"},
		// 23:30 UTC on 8 December is already the 9th in Madrid: the 8th is past.
		{"the schedule's day", time.Date(2026, 12, 8, 23, 30, 0, 0, time.UTC), nil,
			"next holiday of staging: Fri 2026-12-25 (Europe/Madrid), Navidad, calendar ES (Spain): no scheduled morning start that day\n" +
				"next holiday of sandbox: Thu 2026-12-24 (Europe/Madrid), a date of the account map: no scheduled morning start that day\n"},
		{"one account, years on", time.Date(2030, 4, 1, 8, 0, 0, 0, time.UTC), []string{"sandbox"},
			"next holiday of sandbox: Fri 2030-04-19 (Europe/Madrid), Viernes Santo, calendar ES (Spain): no scheduled morning start that day\n"},
	}
	for _, tt := range tests {
		var out strings.Builder
		if err := printNextHolidays(&out, m, tt.names, tt.now); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.want {
			t.Errorf("%s:\n%s\nwant\n%s", tt.name, out.String(), tt.want)
		}
	}
}
