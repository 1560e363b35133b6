package snooze

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/curfew/curfew/internal/accounts"
)

// ListRegions lists the snoozed resources of every region, each with its region.
func ListRegions(ctx context.Context, regions []string, clients func(region string) Clients) ([]Snoozed, error) {
	var found []Snoozed
	for _, r := range regions {
		listed, err := List(ctx, clients(r))
		if err != nil {
			return nil, fmt.Errorf("in %s: %w", r, err)
		}
		for i := range listed {
			listed[i].Region = r
		}
		found = append(found, listed...)
	}
	return found, nil
}

// Cancel removes the snooze of r (where names it for a person: "EC2 instance i-0abc in
// staging/eu-west-1"), or says it has none, and when the next stop after now runs.
func Cancel(ctx context.Context, w io.Writer, c Clients, r Resource, where string, s accounts.Schedule, now time.Time) error {
	if !r.Snoozed {
		_, err := fmt.Fprintf(w, "%s is not snoozed: nothing changed\n", where)
		return err
	}
	if err := r.Untag(ctx, c); err != nil {
		return err
	}
	fmt.Fprintf(w, "cancelled the snooze of %s (it was %s=%s)\n", where, accounts.SnoozeUntilTag, r.Until)
	return writeNextStop(w, s, now, "if it is running then, the next stop stops it")
}

// Set snoozes r until then, and says until when, in the schedule's time zone and UTC, and
// when the next stop after that runs; tonight adds which night a --tonight snooze covers.
func Set(ctx context.Context, w io.Writer, c Clients, r Resource, where string, s accounts.Schedule, now, until time.Time, tonight bool) error {
	if err := r.Tag(ctx, c, until.Format(time.RFC3339)); err != nil {
		return err
	}
	fmt.Fprintf(w, "snoozed %s until %s (%s), %s from now: the shutdown leaves it running until then\n",
		where, LocalTime(until, s.Location()), until.Format(time.RFC3339), Rough(until.Sub(now)))
	if tonight {
		stop, _, scheduled, _ := s.Tonight(now)
		how := "the scheduled start that follows it"
		if !scheduled {
			how = "no morning start in the schedule, so " + accounts.DefaultMorning + " the next morning"
		}
		fmt.Fprintf(w, "--tonight: through the stop of %s, until %s\n", LocalTime(stop, s.Location()), how)
	}
	return writeNextStop(w, s, until, "unless snoozed again, it runs until the next stop after that")
}

// writeNextStop says when the first scheduled stop after t runs, in the schedule's time
// zone and UTC: on a Friday, that is the next working day's.
func writeNextStop(w io.Writer, s accounts.Schedule, t time.Time, what string) error {
	stop, ok := s.NextStop(t)
	if !ok {
		_, err := fmt.Fprintf(w, "%s: the schedule has no stop\n", what)
		return err
	}
	_, err := fmt.Fprintf(w, "%s: %s (%s); times in %s\n", what, LocalTime(stop, s.Location()), stop.UTC().Format(time.RFC3339), s.TimeZone)
	return err
}
