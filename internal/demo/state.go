package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
)

// State is the fleet at the demo's three moments, by resource name.
type State struct {
	Before  map[string]Observed `json:"before"`
	Night   map[string]Observed `json:"night"`
	Morning map[string]Observed `json:"morning"`
	// Stops lists what the night must stop and the morning start again.
	Stops []string `json:"stops"`
	// StoppedByPerson lists what was stopped before the night by a person.
	StoppedByPerson []string `json:"stoppedByPerson"`
}

// CheckNight checks the state after the night against the state before it: exactly the
// resources to stop are stopped and marked, everything else is as it was, unmarked.
func (s State) CheckNight() []string {
	var problems []string
	for name, before := range s.Before {
		after, ok := s.Night[name]
		switch {
		case !ok:
			problems = append(problems, name+": not observed after the night")
		case slices.Contains(s.Stops, name):
			if after.Running() || !after.Marked {
				problems = append(problems, fmt.Sprintf("%s: %s, marked %v after the night, want stopped and marked", name, after.State, after.Marked))
			}
		case after.State != before.State || after.Marked:
			problems = append(problems, fmt.Sprintf("%s: %s, marked %v after the night, want %s as before, unmarked", name, after.State, after.Marked, before.State))
		}
	}
	slices.Sort(problems)
	return problems
}

// CheckMorning checks the state after the morning: exactly what ran before the night runs
// again (a group or service with exactly the capacity it had), what a person stopped is
// still stopped, and no mark is left.
func (s State) CheckMorning() []string {
	var problems []string
	for name, before := range s.Before {
		after, ok := s.Morning[name]
		switch {
		case !ok:
			problems = append(problems, name+": not observed after the morning")
		case after.Running() != before.Running() || after.State != before.State || after.Capacity != before.Capacity:
			problems = append(problems, fmt.Sprintf("%s: %s %s after the morning, want %s %s as before the night", name, after.State, after.Capacity, before.State, before.Capacity))
		case after.Marked:
			problems = append(problems, name+": still marked after the morning")
		}
	}
	slices.Sort(problems)
	return problems
}

// keep observes the fleet, keeps what it saw in the state as into (the night's, the
// morning's), writes the state and returns what it saw.
func (d *Demo) keep(ctx context.Context, into *map[string]Observed) (map[string]Observed, error) {
	seen, err := d.observe(ctx)
	if err != nil {
		return nil, err
	}
	*into = seen
	return seen, d.writeState()
}

// writeState writes the observed fleet to Options.State, when set.
func (d *Demo) writeState() error {
	if d.opts.State == "" {
		return nil
	}
	data, err := jsonIndent(d.state)
	if err != nil {
		return err
	}
	return os.WriteFile(d.opts.State, data, 0o644)
}

func jsonIndent(v any) ([]byte, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
