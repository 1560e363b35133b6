package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/fleet"
)

// monthWeeks is how far back the demo's month starts from the cost report it ends with.
const monthWeeks = 4

// month is the demo's timeline: the last time the deployed cost report schedule fired,
// and the nights of the four weeks before it, each the instant the stop schedule fires
// and the instant the start schedule fires after it. The deployed schedules never fire
// in moto: the demo runs their functions with their clocks at those instants.
type month struct {
	stop, start, report *schedule
	nights              []nightAt
	reportAt            time.Time
}

// nightAt is one night: when curfew stops and when the morning start follows.
type nightAt struct{ stop, morning time.Time }

// planMonth finds the deployed stop, start and cost report schedules and the instants
// they fire at in the month before now. Each deployed expression must be the one of the
// map's cron it was made from, whose days and time the instants are computed with.
func (d *Demo) planMonth(now time.Time) (month, error) {
	var m month
	for _, f := range []struct {
		function string
		cron     *accounts.Cron
		into     **schedule
	}{
		{accounts.ShutdownFunction, &d.m.Schedule.Stop, &m.stop},
		{accounts.RestartFunction, d.m.Schedule.Start, &m.start},
		{accounts.CostReportFunction, &d.m.CostReport.Cron, &m.report},
	} {
		arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", d.m.HomeRegion, d.m.HomeAccount().ID, f.function)
		for i, s := range d.schedules {
			if s.target == arn && f.cron != nil && s.expression == f.cron.Expression() {
				*f.into = &d.schedules[i]
			}
		}
		if *f.into == nil {
			return m, fmt.Errorf("no deployed schedule invokes %s as the map's schedule says", f.function)
		}
	}
	loc, err := time.LoadLocation(m.stop.timezone)
	if err != nil {
		return m, err
	}
	var ok bool
	if m.reportAt, ok = d.m.CostReport.Prev(now, loc); !ok {
		return m, fmt.Errorf("the cost report schedule %s never fires", m.report.expression)
	}
	for t := m.reportAt.AddDate(0, 0, -7*monthWeeks); ; {
		if t, ok = d.m.Schedule.Stop.Next(t, loc); !ok || !t.Before(m.reportAt) {
			break
		}
		morning, ok := d.m.Schedule.Start.Next(t, loc)
		if !ok || morning.After(m.reportAt) {
			break
		}
		m.nights = append(m.nights, nightAt{stop: t, morning: morning})
	}
	if len(m.nights) == 0 {
		return m, fmt.Errorf("no night between %s and the cost report at %s", m.reportAt.AddDate(0, 0, -7*monthWeeks), m.reportAt)
	}
	return m, nil
}

// replay runs every night of the month but the last as the deployed schedules would:
// curfew-shutdown with the stop schedule's input, its clock at the stop, then
// curfew-restart with the start schedule's input, its clock at the morning. The
// functions write the run history the cost report reads. It prints a line per week.
func (d *Demo) replay(ctx context.Context, w io.Writer, m month) error {
	type week struct {
		monday         string
		nights         int
		stopped, start int
	}
	var weeks []week
	for _, n := range m.nights[:len(m.nights)-1] {
		stop, err := d.runAt(ctx, accounts.ShutdownFunction, "shutdown", n.stop, m.stop.input)
		if err != nil {
			return err
		}
		start, err := d.runAt(ctx, accounts.RestartFunction, "restart", n.morning, m.start.input)
		if err != nil {
			return err
		}
		monday := n.stop.AddDate(0, 0, -(int(n.stop.Weekday())+6)%7).Format("Mon 2 Jan")
		if len(weeks) == 0 || weeks[len(weeks)-1].monday != monday {
			weeks = append(weeks, week{monday: monday})
		}
		last := &weeks[len(weeks)-1]
		last.nights++
		last.stopped += stop.Totals.Stopped
		last.start += start.Totals.Started
		d.summary.stopped += stop.Totals.Stopped
		d.summary.started += start.Totals.Started
	}
	for _, wk := range weeks {
		fmt.Fprintf(w, "week of %s: %d nights, %d stopped, %d started\n", wk.monday, wk.nights, wk.stopped, wk.start)
	}
	return nil
}

// runAt runs a function under the RIE with its clock at at, invokes it with input and
// returns its report; a run that reports failures is an error.
func (d *Demo) runAt(ctx context.Context, function, folder string, at time.Time, input string) (fleet.Report, error) {
	f, _, err := d.startFunction(ctx, io.Discard, function, folder, at, "")
	if err != nil {
		return fleet.Report{}, err
	}
	defer f.Close()
	answer, err := f.Invoke(ctx, input)
	if err != nil {
		return fleet.Report{}, fmt.Errorf("invoke %s at %s: %w\n%s", function, at, err, f.Output())
	}
	var rep fleet.Report
	if err := json.Unmarshal(answer, &rep); err != nil {
		return rep, fmt.Errorf("decode the report of %s at %s: %w", function, at, err)
	}
	if rep.Failed() {
		return rep, fmt.Errorf("%w: %s at %s reported failures\n%s", ErrCheck, function, at.Format(time.RFC3339), f.Output())
	}
	return rep, nil
}
