package sources

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/assume"
)

// OrganizationsAPI is the calls the organisation source makes.
type OrganizationsAPI interface {
	organizations.ListAccountsForParentAPIClient
	organizations.ListOrganizationalUnitsForParentAPIClient
}

var _ OrganizationsAPI = (*organizations.Client)(nil)

// Organization finds the accounts of the map's organisational units, listing each unit
// once per run.
type Organization struct {
	Map    *accounts.Map
	Client OrganizationsAPI
}

// maxAttempts raises the standard retryer's attempts: Organizations allows a few calls
// per second per organisation, and a run must not lose a unit to throttling.
const maxAttempts = 10

// ForRun returns the sources of one run of m: the accounts list and, when m has an
// organization, its units, read as OrganizationReaderRole with the map's ExternalId and
// the session name curfew-<runID>.
func ForRun(base aws.Config, m *accounts.Map, runID string) []Source {
	srcs := []Source{Listed{Map: m}}
	if m.Organization == nil {
		return srcs
	}
	cfg := assume.Role(base, m.OrganizationReaderARN(), "curfew-"+runID, m.ExternalID)
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = maxAttempts })
	}
	cfg.RetryMaxAttempts = maxAttempts
	return append(srcs, Organization{Map: m, Client: organizations.NewFromConfig(cfg)})
}

// sourceError is a failure of the whole organisation source, naming its field.
type sourceError struct {
	field string
	err   error
}

func (e *sourceError) Error() string { return e.err.Error() }
func (e *sourceError) Unwrap() error { return e.err }

// Field names the part of the map the source was reading.
func (e *sourceError) Field() string { return e.field }

// Find lists the direct member accounts of every unit (ListAccountsForParent, paginated).
// A unit that does not exist is a note and contributes no account; any other failure
// fails the whole source, since an account missing from the answer could be one that was
// moved into a production unit.
func (o Organization) Find(ctx context.Context) ([]Found, []Note, error) {
	var found []Found
	var notes []Note
	for i, u := range o.Map.Organization.OUs {
		field := fmt.Sprintf("organization.ous[%d]", i)
		from := fmt.Sprintf("%s (%s)", field, u.ID)
		var unit []Found
		missing := false
		pages := organizations.NewListAccountsForParentPaginator(o.Client, &organizations.ListAccountsForParentInput{ParentId: aws.String(u.ID)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			var notFound *types.ParentNotFoundException
			if errors.As(err, &notFound) {
				notes = append(notes, Note{From: field + ".id", Outcome: Error,
					Reason: fmt.Sprintf("the organisation has no unit %s (ParentNotFoundException): nothing is swept there; correct the id", u.ID)})
				unit, missing = nil, true
				break
			}
			if err != nil {
				return nil, notes, &sourceError{field: "organization", err: fmt.Errorf("list the accounts of %s as %s: %w", from, o.Map.OrganizationReaderARN(), err)}
			}
			for _, a := range page.Accounts {
				unit = append(unit, Found{Account: u.Account(aws.ToString(a.Id)), From: from, Unit: u.ID, Name: aws.ToString(a.Name), Inactive: inactive(a)})
			}
		}
		found = append(found, unit...)
		if !missing {
			notes = append(notes, o.childUnits(ctx, u, from)...)
		}
	}
	return found, notes, nil
}

// childUnits says which units under u the map does not list: their accounts are never
// swept (only a unit's direct accounts are), and a person must know. A failure to list
// them is a note too: it changes nothing that is swept.
func (o Organization) childUnits(ctx context.Context, u accounts.OU, from string) []Note {
	var notes []Note
	pages := organizations.NewListOrganizationalUnitsForParentPaginator(o.Client, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(u.ID)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			var ae smithy.APIError
			code := "no answer"
			if errors.As(err, &ae) {
				code = ae.ErrorCode()
			}
			return append(notes, Note{From: from, Outcome: Skipped,
				Reason: fmt.Sprintf("its child units could not be listed (%s): accounts in units under it are not swept, and this run cannot name them; deploy curfew-organization again", code)})
		}
		for _, c := range page.OrganizationalUnits {
			id := aws.ToString(c.Id)
			if slices.ContainsFunc(o.Map.Organization.OUs, func(mapped accounts.OU) bool { return mapped.ID == id }) {
				continue
			}
			notes = append(notes, Note{From: from, Outcome: Skipped,
				Reason: fmt.Sprintf("child unit %s (%s) is not in the map: its accounts are not swept; list it in organization.ous with its environment to sweep them", id, aws.ToString(c.Name))})
		}
	}
	return notes
}

// inactive says why Organizations' account cannot be visited, or "" when it is active.
// State replaces the deprecated Status; either may be the only one set.
func inactive(a types.Account) string {
	state := string(a.State)
	if state == "" {
		state = string(a.Status)
	}
	if state == string(types.AccountStateActive) {
		return ""
	}
	return fmt.Sprintf("Organizations says the account %q is %s", aws.ToString(a.Name), state)
}
