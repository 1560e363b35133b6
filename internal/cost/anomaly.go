package cost

import (
	"math"
	"slices"
	"time"
)

// The anomaly rule's constants (docs/cost-report.md states the rule whole).
const (
	// AnomalyRatio: a day is anomalous only above this many times its usual spend.
	AnomalyRatio = 2.0
	// AnomalyMADs: and only above its usual spend plus this many robust deviations
	// (median absolute deviation × 1.4826, the standard deviation of normal data).
	AnomalyMADs = 3.0
	// AnomalyFloor: and only when it is at least this much above its usual spend, in the
	// report's currency, so that a few cents of a quiet account never read as alarming.
	AnomalyFloor = 10.0
	// anomalyWeeks is how many of the same weekdays before make the usual spend;
	// anomalyMinWeeks how many of them it needs.
	anomalyWeeks    = 4
	anomalyMinWeeks = 3
)

// Anomaly is an account's day far above its usual spend for that weekday.
type Anomaly struct {
	Account string
	Day     time.Time
	// Cost is the day's spend; Usual the median of the same weekdays before, and
	// Weeks how many of them there were.
	Cost, Usual float64
	Currency    string
	Weeks       int
}

// Anomalies returns the accounts whose yesterday was far above their usual spend, in the
// report's order (see anomalous for the rule).
func (r *Report) Anomalies() []Anomaly {
	var out []Anomaly
	for _, a := range r.Accounts {
		if a.Err != nil || len(a.Daily) == 0 {
			continue
		}
		costs := make([]float64, len(a.Daily))
		for i, d := range a.Daily {
			costs[i] = d.Amount
		}
		start := r.Periods.Chart.Start
		if n := r.Periods.Chart.Days(); n > len(costs) {
			start = start.AddDate(0, 0, n-len(costs))
		}
		if an, ok := anomalous(costs, start); ok {
			an.Account, an.Currency = a.Name, a.Daily[len(a.Daily)-1].Currency
			out = append(out, an)
		}
	}
	return out
}

// anomalous applies the rule to daily costs whose first day is start, the last being the
// day judged. The day is anomalous when it is not the 1st of a month (AWS books a month's
// fees, tax and upfront commitments then: the report says why that day reads high), at
// least anomalyMinWeeks of the same weekday in the anomalyWeeks before are known (the 1st
// of a month left out), and, m being their median and d their median absolute deviation,
// the day costs more than AnomalyRatio × m, more than m + AnomalyMADs × 1.4826 × d, and
// at least m + AnomalyFloor. The same weekdays, not the days just before: the night
// shutdowns make weekends cheap on purpose, so a Saturday left running stands out against
// Saturdays, and a Monday never reads high against a weekend.
func anomalous(costs []float64, start time.Time) (Anomaly, bool) {
	last := len(costs) - 1
	if last < 0 {
		return Anomaly{}, false
	}
	day := start.AddDate(0, 0, last)
	if day.Day() == 1 {
		return Anomaly{}, false
	}
	var usual []float64
	for w := 1; w <= anomalyWeeks; w++ {
		i := last - 7*w
		if i < 0 {
			break
		}
		if start.AddDate(0, 0, i).Day() == 1 {
			continue
		}
		usual = append(usual, costs[i])
	}
	if len(usual) < anomalyMinWeeks {
		return Anomaly{}, false
	}
	m := median(usual)
	dev := make([]float64, len(usual))
	for i, u := range usual {
		dev[i] = math.Abs(u - m)
	}
	d := median(dev)
	y := costs[last]
	fires := y > AnomalyRatio*m && y > m+AnomalyMADs*1.4826*d && y >= m+AnomalyFloor
	return Anomaly{Day: day, Cost: y, Usual: m, Weeks: len(usual)}, fires
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
