package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
)

// unlisted returns the names that are not accounts of the map, when the map finds
// accounts in organisational units: those may be found accounts, by id or by name.
func (a *app) unlisted(names ...string) []string {
	if a.m.Organization == nil {
		return nil
	}
	var out []string
	for _, n := range names {
		if _, ok := a.m.Account(n); !ok {
			out = append(out, n)
		}
	}
	return out
}

// withFoundNames returns a.m with the list's found accounts, and names with each found
// account's id or Organizations name replaced by its profile name, the name the map with
// them knows it by; a name the list does not hold is an error saying how to refresh it.
func (a *app) withFoundNames(l accountlist.List, names []string) (*accounts.Map, []string, error) {
	out := slices.Clone(names)
	var errs []error
	for i, n := range names {
		if _, ok := a.m.Account(n); ok {
			continue
		}
		found, err := l.Lookup(a.m, n)
		if err != nil {
			errs = append(errs, withHint(fmt.Errorf("%w: %w", ErrUnknownAccount, err),
				"use a name of the map, or an id or name of an account found in its units (curfew console lists them); an account created since that run is known after the next one: `curfew plan --profile operator` runs one that changes nothing"))
			continue
		}
		out[i] = found.Name
	}
	return l.WithFound(a.m), out, joinProblems(errs)
}

// foundInvoke is what stop, start and plan know of accounts found in units: the map to
// check the request against, and the home account's connection when reading the list
// needed it (nil otherwise, made later as before).
type foundInvoke struct {
	m   *accounts.Map
	cfg *aws.Config
}

// forInvoke reads the published list through connect (the invoking profile: curfew-operator
// may read it) when an --account is not in the map, and turns the found ones into profile
// names in accountNames.
func (a *app) forInvoke(ctx context.Context, accountNames *[]string, connect func() (aws.Config, error)) (foundInvoke, error) {
	if len(a.unlisted(*accountNames...)) == 0 {
		return foundInvoke{m: a.m}, nil
	}
	cfg, err := connect()
	if err != nil {
		return foundInvoke{}, err
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
	l, err := accountlist.Store{Client: client, Bucket: accountlist.Bucket(a.m), Owner: a.m.HomeAccount().ID}.Get(ctx, a.m)
	if errors.Is(err, accountlist.ErrInvalidList) {
		return foundInvoke{}, invalidListError(err, a.m, "nothing was invoked")
	}
	if err != nil {
		return foundInvoke{}, withHint(fmt.Errorf("%w: %w", ErrNoAccountList, err),
			"every shutdown and restart publishes it (`curfew plan` runs one that changes nothing); or name accounts of the map only; nothing was changed")
	}
	m, names, err := a.withFoundNames(l, *accountNames)
	if err != nil {
		return foundInvoke{}, err
	}
	*accountNames = names
	return foundInvoke{m: m, cfg: &cfg}, nil
}

// ids are the payload's accounts: found ones by id, the only name the functions know them by.
func (f foundInvoke) ids(listed *accounts.Map, names []string) []string {
	out := slices.Clone(names)
	for i, n := range names {
		if _, ok := listed.Account(n); !ok {
			a, _ := f.m.Account(n)
			out[i] = a.ID
		}
	}
	return out
}

// connection returns the connection forInvoke made, or makes it.
func (f foundInvoke) connection(connect func() (aws.Config, error)) (aws.Config, error) {
	if f.cfg != nil {
		return *f.cfg, nil
	}
	return connect()
}

// forSnooze returns the map that knows the account curfew snooze is given, and its name
// there: a.m as is, unless the account is not in it and the map finds accounts in units;
// then the published list is read as the developer (identity profile, MFA).
func (a *app) forSnooze(ctx context.Context, account string) (*accounts.Map, string, error) {
	if len(a.unlisted(account)) == 0 {
		return a.m, account, nil
	}
	l, err := a.readAccountList(ctx, listReader{}.orIdentity(a))
	if err != nil {
		return nil, "", err
	}
	m, names, err := a.withFoundNames(l, []string{account})
	if err != nil {
		return nil, "", err
	}
	return m, names[0], nil
}
