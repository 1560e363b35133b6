package demo

import (
	"maps"
	"testing"
)

func TestChecks(t *testing.T) {
	before := map[string]Observed{
		"web":      {Name: "web", State: "running"},
		"db":       {Name: "db", State: "available"},
		"by-hand":  {Name: "by-hand", State: "stopped"},
		"prod-web": {Name: "prod-web", Account: "production", State: "running"},
		"asg":      {Name: "asg", State: "running", Capacity: "1/2/4"},
	}
	with := func(changes ...Observed) map[string]Observed {
		m := maps.Clone(before)
		for _, c := range changes {
			m[c.Name] = c
		}
		return m
	}
	night := with(Observed{Name: "web", State: "stopped", Marked: true}, Observed{Name: "db", State: "stopped", Marked: true})
	tests := []struct {
		name           string
		night, morning map[string]Observed
		nightProblems  int
		morningProblem int
	}{
		{"as curfew does it", night, before, 0, 0},
		{"production stopped", with(night["web"], night["db"], Observed{Name: "prod-web", Account: "production", State: "stopped"}), before, 1, 0},
		{"stopped but not marked", with(night["web"], Observed{Name: "db", State: "stopped"}), before, 1, 0},
		{"one left running", with(night["web"]), before, 1, 0},
		{"person's instance started", night, with(Observed{Name: "by-hand", State: "running"}), 0, 1},
		{"mark left", night, with(Observed{Name: "web", State: "running", Marked: true}), 0, 1},
		{"not started again", night, with(night["db"]), 0, 1},
		{"group back at another capacity", night, with(Observed{Name: "asg", State: "running", Capacity: "1/1/4"}), 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := State{Before: before, Night: tt.night, Morning: tt.morning, Stops: []string{"web", "db"}}
			if got := s.CheckNight(); len(got) != tt.nightProblems {
				t.Errorf("CheckNight = %q, want %d problem(s)", got, tt.nightProblems)
			}
			if got := s.CheckMorning(); len(got) != tt.morningProblem {
				t.Errorf("CheckMorning = %q, want %d problem(s)", got, tt.morningProblem)
			}
		})
	}
}
