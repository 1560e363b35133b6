package invoke

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/problem"
)

// Request is what stop, start and plan are asked to do, as their flags say it.
type Request struct {
	Accounts  []string
	Regions   []string
	Resources []string
	// Empty holds a problem for every filter value that names nothing (Filter).
	Empty  []error
	DryRun bool
}

// Payload checks the accounts, regions and resources against the map before any AWS
// call and returns the function's payload; it reports every problem, not only the
// first. swept returns an account of the map curfew may act in, or why not.
func (in Request) Payload(m *accounts.Map, swept func(string) (accounts.Account, error)) (fleet.Payload, error) {
	var errs []error
	var selected []accounts.Account
	for _, name := range in.Accounts {
		a, err := swept(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		selected = append(selected, a)
	}
	if len(in.Accounts) == 0 {
		selected = m.Swept()
	}
	var known []string
	for _, a := range selected {
		for _, r := range a.Regions {
			if !slices.Contains(known, r) {
				known = append(known, r)
			}
		}
	}
	for _, r := range in.Regions {
		if len(selected) > 0 && !slices.Contains(known, r) {
			errs = append(errs, problem.WithHint(fmt.Errorf("%w: region %q is not swept in %s", problem.ErrInvalidInput, r, names(selected)),
				"use one of %s, or add the region to the account in the account map", strings.Join(known, ", ")))
		}
	}
	for _, id := range in.Resources {
		// Blank ids and commas never get here (Filter).
		if strings.ContainsFunc(id, unicode.IsSpace) {
			errs = append(errs, problem.WithHint(fmt.Errorf("%w: --resource %q is not one resource id", problem.ErrInvalidInput, id),
				"pass one id per --resource: an EC2 instance i-..., an RDS instance or an Aurora cluster identifier"))
		}
	}
	if len(errs) > 0 {
		return fleet.Payload{}, problem.Join(errs)
	}
	return fleet.Payload{Trigger: fleet.Manual, Accounts: in.Accounts, Regions: in.Regions, Resources: in.Resources, DryRun: in.DryRun}, nil
}

func names(as []accounts.Account) string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return strings.Join(out, ", ")
}

// Filter is a filter flag of stop, start and plan (a pflag.Value), repeated or
// comma-separated (--account a,b --account c). A value that names nothing ("", " ",
// "a,") is a problem kept in Empty, never a missing filter: pflag's string slices drop an
// empty value, and `curfew stop --account staging --resource "$ID"` with ID unset then
// acted on every resource of staging.
type Filter struct {
	Flag, What string
	Items      *[]string
	Empty      *[]error
}

// Set adds the items of v, or a problem when one is empty.
func (f Filter) Set(v string) error {
	items := strings.Split(v, ",")
	if !slices.ContainsFunc(items, func(s string) bool { return strings.TrimSpace(s) == "" }) {
		*f.Items = append(*f.Items, items...)
		return nil
	}
	err := fmt.Errorf("%w: %s %q has an empty item", problem.ErrInvalidInput, f.Flag, v)
	if strings.TrimSpace(v) == "" {
		err = fmt.Errorf("%w: %s is empty", problem.ErrInvalidInput, f.Flag)
	}
	*f.Empty = append(*f.Empty, problem.WithHint(err, "name %s, or leave the flag out (an empty value never means every one)", f.What))
	return nil
}

func (f Filter) String() string {
	if f.Items == nil || len(*f.Items) == 0 {
		return ""
	}
	return "[" + strings.Join(*f.Items, ",") + "]"
}

// Type names the flag's values in help.
func (f Filter) Type() string { return "strings" }
