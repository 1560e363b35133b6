package fleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/sources"
)

// Trigger says who asked for a run.
type Trigger string

// The triggers of a run. Only a scheduled restart honours holidays.
const (
	Schedule Trigger = "schedule"
	Manual   Trigger = "manual"
)

// ErrInvalidPayload is wrapped by every error about a payload; nothing was called in AWS.
var ErrInvalidPayload = errors.New("invalid payload")

// Payload is the event of the shutdown and restart functions, from the schedule, the CLI
// or `aws lambda invoke`. Every filter is optional: one left out (or null) means
// everything swept; an empty list, or an empty name in one, is refused, never read as
// everything (a script's `"resources": [$ID]` with ID unset must not stop every resource).
type Payload struct {
	// Trigger is "schedule" or "manual" (the default).
	Trigger Trigger `json:"trigger,omitempty"`
	// Accounts are account names of the map, or ids of accounts found in its units; each
	// must be swept (non-production, shutdown on).
	Accounts []string `json:"accounts,omitempty"`
	// Units are organisational units of the map (ou-…): the run also sweeps every account
	// found in them this run, as the schedules of a unit ask. Each must be swept
	// (non-production, shutdown on).
	Units []string `json:"units,omitempty"`
	// Regions must be regions of the selected accounts.
	Regions []string `json:"regions,omitempty"`
	// Resources are EC2 instance ids, RDS instance or Aurora cluster identifiers, Auto
	// Scaling group names, ECS services as cluster/service and EKS node groups as
	// cluster/node group.
	Resources []string `json:"resources,omitempty"`
	// DryRun reports what would happen and changes nothing.
	DryRun bool `json:"dryRun,omitempty"`
}

// Target is one account×region a run visits.
type Target struct {
	Account accounts.Account
	Region  string
}

// DecodePayload reads a payload strictly: unknown fields and trailing data are errors. An
// empty or null event is the default payload: a manual run over everything swept.
func DecodePayload(data []byte) (Payload, error) {
	var p Payload
	if trimmed := bytes.TrimSpace(data); len(trimmed) == 0 || string(trimmed) == "null" {
		p.Trigger = Manual
		return p, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Payload{}, fmt.Errorf("%w: %w", ErrInvalidPayload, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Payload{}, fmt.Errorf("%w: trailing data after the JSON object", ErrInvalidPayload)
	}
	if p.Trigger == "" {
		p.Trigger = Manual
	}
	return p, nil
}

// Targets checks the payload against the account map and returns the account×region
// pairs to visit among its listed accounts, in map order. It reports every problem, not
// only the first, and makes no AWS call: a production account is refused here, whatever
// the payload says. Accounts found by organisational unit are not known yet: Within
// selects among the accounts a run resolved.
func (p Payload) Targets(m *accounts.Map) ([]Target, error) {
	var problems []error
	if p.Trigger != Schedule && p.Trigger != Manual && p.Trigger != "" {
		problems = append(problems, fmt.Errorf("trigger %q is not %q or %q", p.Trigger, Schedule, Manual))
	}
	problems = append(problems, emptyFilters(p)...)
	selected := m.Swept()
	byUnit := len(p.Accounts) == 0 && len(p.Units) == 0
	if len(p.Accounts) > 0 || len(p.Units) > 0 {
		selected = nil
		for _, name := range p.Accounts {
			a, ok := m.Account(name)
			switch {
			case blank(name): // emptyFilters said so
			case !ok && foundID(m, name):
				byUnit = true // an account found in a unit: the run checks it (Within)
			case !ok:
				problems = append(problems, fmt.Errorf("account %q is not in the account map", name))
			case a.IsProduction():
				problems = append(problems, fmt.Errorf("account %q is production: curfew never touches production", name))
			case !a.ShutdownEnabled():
				problems = append(problems, fmt.Errorf("account %q has the shutdown off in the account map", name))
			case slices.ContainsFunc(selected, func(s accounts.Account) bool { return s.Name == name }):
			default:
				selected = append(selected, a)
			}
		}
	}
	problems = append(problems, p.checkUnits(m)...)
	// Without an account filter, or with an account found in a unit, the accounts of the
	// non-production units may be selected too; with units named, those units' accounts.
	// Their regions are the units'.
	withUnits := slices.Clone(selected)
	for _, u := range m.SweptUnits() {
		if byUnit || slices.Contains(p.Units, u.ID) {
			withUnits = append(withUnits, u.Account(u.ID))
		}
	}
	for _, r := range p.Regions {
		if !blank(r) && !slices.ContainsFunc(withUnits, func(a accounts.Account) bool { return slices.Contains(a.Regions, r) }) {
			problems = append(problems, fmt.Errorf("region %q is not a region of %s", r, names(withUnits)))
		}
	}
	for _, id := range p.Resources {
		if !blank(id) && strings.ContainsAny(id, " ,") {
			problems = append(problems, fmt.Errorf("resource %q is not one resource id", id))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPayload, errors.Join(problems...))
	}
	return p.pairs(selected), nil
}

// checkUnits checks the payload's units against the map: each must be a unit of the
// map's organization whose accounts are swept.
func (p Payload) checkUnits(m *accounts.Map) []error {
	var problems []error
	for _, id := range p.Units {
		var unit *accounts.OU
		if m.Organization != nil {
			if i := slices.IndexFunc(m.Organization.OUs, func(u accounts.OU) bool { return u.ID == id }); i >= 0 {
				unit = &m.Organization.OUs[i]
			}
		}
		switch {
		case unit == nil:
			problems = append(problems, fmt.Errorf("unit %q is not in the account map's organization.ous", id))
		case unit.Environment == accounts.Production:
			problems = append(problems, fmt.Errorf("unit %q is production: curfew never touches production", id))
		case !unit.Account(id).ShutdownEnabled():
			problems = append(problems, fmt.Errorf("unit %q has the shutdown off in the account map", id))
		}
	}
	return problems
}

// emptyFilters returns a problem for every filter that is an empty list and every empty
// name in one.
func emptyFilters(p Payload) []error {
	var problems []error
	for _, f := range []struct {
		field, what string
		values      []string
	}{{"accounts", "an account", p.Accounts}, {"units", "a unit", p.Units}, {"regions", "a region", p.Regions}, {"resources", "a resource id", p.Resources}} {
		if f.values != nil && len(f.values) == 0 {
			problems = append(problems, fmt.Errorf("%s is an empty list: name %s, or leave %s out", f.field, f.what, f.field))
		}
		for i, v := range f.values {
			if blank(v) {
				problems = append(problems, fmt.Errorf("%s[%d] is empty: name %s", f.field, i, f.what))
			}
		}
	}
	return problems
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// Within returns the account×region pairs of the payload among the accounts a run
// resolved as swept: all of them without an account or unit filter, else those the
// payload names that are still swept, then those found in the units it names (Targets
// has checked the names against the map).
func (p Payload) Within(resolved sources.Resolved) []Target {
	swept := resolved.Swept
	if len(p.Accounts) == 0 && len(p.Units) == 0 {
		return p.pairs(swept)
	}
	var selected []accounts.Account
	add := func(a accounts.Account) {
		if !slices.ContainsFunc(selected, func(s accounts.Account) bool { return s.ID == a.ID }) {
			selected = append(selected, a)
		}
	}
	for _, name := range p.Accounts {
		if i := slices.IndexFunc(swept, func(a accounts.Account) bool { return a.Name == name }); i >= 0 {
			add(swept[i])
		}
	}
	for _, a := range resolved.InUnits(p.Units) {
		add(a)
	}
	return p.pairs(selected)
}

// pairs returns the account×region pairs of selected that the region filter lets through.
func (p Payload) pairs(selected []accounts.Account) []Target {
	var targets []Target
	for _, a := range selected {
		for _, r := range a.Regions {
			if len(p.Regions) == 0 || slices.Contains(p.Regions, r) {
				targets = append(targets, Target{Account: a, Region: r})
			}
		}
	}
	return targets
}

// wants reports whether the payload's resource filter lets id through.
func (p Payload) wants(id string) bool {
	return len(p.Resources) == 0 || slices.Contains(p.Resources, id)
}

func names(as []accounts.Account) string {
	if len(as) == 0 {
		return "no selected account"
	}
	n := make([]string, len(as))
	for i, a := range as {
		n[i] = a.Name
	}
	return "the selected accounts (" + strings.Join(n, ", ") + ")"
}
