package main

import (
	"fmt"
	"io"
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
	for _, n := range m.NextHolidays(selected, now) {
		if _, err := fmt.Fprintln(w, n.Line()); err != nil {
			return err
		}
	}
	return nil
}
