package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/accounts"
)

// printNextHolidays says, under a plan, when the next holiday of each account named (all
// swept accounts when none) is and where it comes from: the scheduled morning start does
// not run that day. Accounts with the same next holiday share a line; accounts without
// holidays get none.
func printNextHolidays(w io.Writer, m *accounts.Map, names []string, now time.Time) error {
	var selected []accounts.Account
	for _, name := range names {
		if a, err := sweptAccount(m, name); err == nil {
			selected = append(selected, a)
		}
	}
	if len(names) == 0 {
		selected = m.Swept()
	}
	var lines []string
	byLine := map[string][]string{}
	for _, a := range selected {
		s := m.ScheduleFor(a)
		if len(s.Holidays) == 0 {
			continue
		}
		line := "no holiday within a year"
		if h, ok := s.NextHoliday(now); ok {
			day, _ := time.ParseInLocation(time.DateOnly, h.Date, s.Location())
			line = fmt.Sprintf("%s %s (%s), %s", day.Format("Mon"), h.Date, s.TimeZone, h.Source())
			if s.Start != nil {
				line += ": no scheduled morning start that day"
			}
		}
		if _, seen := byLine[line]; !seen {
			lines = append(lines, line)
		}
		byLine[line] = append(byLine[line], a.Name)
	}
	for _, line := range lines {
		if _, err := fmt.Fprintf(w, "next holiday of %s: %s\n", strings.Join(byLine[line], ", "), line); err != nil {
			return err
		}
	}
	return nil
}
