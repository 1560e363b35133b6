package fleet_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/lambdatest"
	"github.com/curfew/curfew/internal/sources"
)

// listOrg is an organisation in moto with a non-production and a production unit, one
// account in each, and a map that lists one production account and finds the rest.
type listOrg struct {
	m                *accounts.Map
	store            accountlist.Store
	nonProd, prod    string
	feature, billing string
}

func newListOrg(t *testing.T, extraUnit string) *listOrg {
	t.Helper()
	s := emulator.Shared(t)
	org := s.NewOrg(t, "")
	mgmt, root := org.Management, org.Root
	o := &listOrg{}
	o.nonProd, o.prod = org.Unit(root, "non-production"), org.Unit(root, "production")
	o.feature, o.billing = org.Account("Feature X", o.nonProd), org.Account("Billing", o.prod)
	var more []string
	if extraUnit != "" {
		// An id of the organisation's root that no unit has: ParentNotFoundException.
		more = append(more, fmt.Sprintf("{id: ou-%s-%s, environment: non-production, regions: [%s], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}", strings.Split(root, "-")[1], extraUnit, west))
	}
	identity := emulator.NewAccountID()
	var err error
	o.m, err = accounts.Parse(emulator.OrgMap{Region: west, ExternalID: "curfew-test", People: identity, Shop: emulator.NewAccountID(),
		Management: mgmt, NonProduction: o.nonProd, Production: o.prod, MoreUnits: more}.YAML())
	if err != nil {
		t.Fatal(err)
	}
	client := emulator.S3(s.Account(t, identity, west))
	o.store = accountlist.Store{Client: client, Bucket: accountlist.Bucket(o.m), Owner: identity}
	emulator.Bucket(t, client, o.store.Bucket)
	return o
}

func (o *listOrg) handler(t *testing.T, kind history.Kind, store accountlist.Store) fleet.Handler {
	base := emulator.Shared(t).BaseConfig(west)
	return fleet.Handler{
		Kind: kind, Map: o.m, Connect: fleet.AssumeRoles(base, o.m.ExternalID), AccountList: &store,
		Sources: func(runID string) []sources.Source { return sources.ForRun(base, o.m, runID) },
	}
}

// Every run publishes every account it knew, listed and found, with Organizations' names
// and what it decided; the CLI reads the same object.
func TestRunPublishesTheAccountsItKnew(t *testing.T) {
	t.Parallel()
	o := newListOrg(t, "")
	for _, kind := range []history.Kind{history.Shutdown, history.Restart} {
		rep := runHandler(t, o.handler(t, kind, o.store), `{"trigger":"schedule"}`)
		if rep.AccountListError != "" || rep.Failed() {
			t.Fatalf("%s: %+v", kind, rep)
		}
		l, err := o.store.Get(t.Context(), o.m)
		if err != nil {
			t.Fatal(err)
		}
		shop := o.m.Accounts[1]
		want := []accountlist.Account{
			{ID: shop.ID, Name: "shop", Environment: accounts.Production, From: "accounts[1]", Listed: true, Regions: []string{west}, Reason: "production: never swept"},
			{ID: o.feature, Name: "Feature X", Environment: accounts.NonProduction, From: "organization.ous[0] (" + o.nonProd + ")", Regions: []string{west}, Swept: true},
			{ID: o.billing, Name: "Billing", Environment: accounts.Production, From: "organization.ous[1] (" + o.prod + ")", Regions: []string{west}, Reason: "production: never swept"},
		}
		if l.RunID != rep.RunID || l.Kind != string(kind) || !l.Published.Equal(rep.Started) || !slices.EqualFunc(l.Accounts, want, equalAccount) {
			t.Errorf("%s published %+v, want run %s at %s with %+v", kind, l, rep.RunID, rep.Started, want)
		}
	}
}

func equalAccount(a, b accountlist.Account) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Environment == b.Environment && a.From == b.From && a.Listed == b.Listed &&
		slices.Equal(a.Regions, b.Regions) && a.Swept == b.Swept && a.Reason == b.Reason && a.Inactive == b.Inactive
}

// failingPut lets reads through and refuses every write, as S3 would with an outage.
type failingPut struct{ accountlist.S3API }

func (failingPut) PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	return nil, errors.New("injected: put refused")
}

// A failed write of the list costs the list only: the run stops what it found, says the
// list was not published, and is not failed by it.
func TestFailedPublicationLeavesTheRunAlone(t *testing.T) {
	t.Parallel()
	o := newListOrg(t, "")
	client := ec2.NewFromConfig(emulator.Shared(t).Account(t, o.feature, west))
	instance := emulator.RunInstance(t, client)
	broken := o.store
	broken.Client = failingPut{o.store.Client}
	rep := runHandler(t, o.handler(t, history.Shutdown, broken), `{"trigger":"schedule"}`)
	if !strings.Contains(rep.AccountListError, "injected: put refused") || !strings.Contains(rep.AccountListError, accountlist.Key) {
		t.Errorf("accountListError %q, want the failed put named", rep.AccountListError)
	}
	if rep.Failed() || rep.Totals.Stopped != 1 || len(rep.Results) != 1 || rep.Results[0].Resources[0].ID != instance {
		t.Errorf("the run did not stop the found account's instance: %+v", rep)
	}
	if _, err := o.store.Get(t.Context(), o.m); !errors.Is(err, accountlist.ErrNotPublished) {
		t.Errorf("get after the failed put: %v, want ErrNotPublished", err)
	}
}

// A run that could not read a unit publishes nothing: the complete list of the run before
// stays, and the report says why.
func TestIncompleteRunKeepsTheLastList(t *testing.T) {
	t.Parallel()
	o := newListOrg(t, "")
	first := runHandler(t, o.handler(t, history.Shutdown, o.store), `{"trigger":"schedule","dryRun":true}`)
	if first.AccountListError != "" {
		t.Fatalf("first run: %s", first.AccountListError)
	}
	bad := newListOrg(t, "zzzzzzzz")
	bad.store = o.store // the same bucket: only the map differs
	rep := runHandler(t, bad.handler(t, history.Shutdown, o.store), `{"trigger":"schedule","dryRun":true}`)
	if !strings.Contains(rep.AccountListError, "not published") || !strings.Contains(rep.AccountListError, "ParentNotFoundException") {
		t.Errorf("accountListError %q, want not published for the missing unit", rep.AccountListError)
	}
	l, err := o.store.Get(t.Context(), o.m)
	if err != nil {
		t.Fatal(err)
	}
	if l.RunID != first.RunID || len(l.Accounts) != 3 {
		t.Errorf("the list is run %s's with %d accounts, want the first run's (%s) with 3", l.RunID, len(l.Accounts), first.RunID)
	}
}

// A request may name an account found in a unit by its id: the run visits it if it finds
// it swept, and says why not otherwise; a map without units still refuses the id.
func TestRunOnAFoundAccountByID(t *testing.T) {
	t.Parallel()
	o := newListOrg(t, "")
	client := ec2.NewFromConfig(emulator.Shared(t).Account(t, o.feature, west))
	emulator.RunInstance(t, client)
	h := o.handler(t, history.Shutdown, o.store)
	rep := runHandler(t, h, fmt.Sprintf(`{"accounts":[%q],"regions":[%q],"dryRun":true}`, o.feature, west))
	if len(rep.Results) != 1 || rep.Results[0].Account != o.feature || rep.Totals.WouldStop != 1 {
		t.Errorf("request for %s: %+v", o.feature, rep)
	}
	unknown := emulator.NewAccountID()
	rep = runHandler(t, h, fmt.Sprintf(`{"accounts":[%q,%q],"dryRun":true}`, o.billing, unknown))
	if len(rep.Results) != 0 {
		t.Errorf("request for a production and an unknown account visited %+v", rep.Results)
	}
	why := map[string]string{}
	for _, n := range rep.Accounts {
		why[n.Account] = n.Reason
	}
	if !strings.Contains(why[o.billing], "production: never swept") || !strings.Contains(why[unknown], "no unit of the map holds this account") {
		t.Errorf("notes %+v, want billing production and %s not found", rep.Accounts, unknown)
	}
	if _, err := h.Handle(t.Context(), []byte(`{"accounts":["feature-x"]}`)); !errors.Is(err, fleet.ErrInvalidPayload) {
		t.Errorf("a name that is neither listed nor an id: %v", err)
	}
}

func TestPayloadFoundIDsOnlyWithUnits(t *testing.T) {
	m, err := accounts.Load("../../accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (fleet.Payload{Accounts: []string{"999999999999"}}).Targets(m); !errors.Is(err, fleet.ErrInvalidPayload) {
		t.Errorf("an id with a map without units: %v", err)
	}
}

// The built curfew-shutdown, run as Lambda runs it, publishes the list to the bucket its
// map names: the wiring of lambdas/shutdown, not only the handler's.
func TestBuiltShutdownPublishesTheList(t *testing.T) {
	t.Parallel()
	o := newListOrg(t, "")
	ctx := t.Context()
	home := emulator.Shared(t).Account(t, o.store.Owner, west)
	creds, err := home.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bucket := "curfew-runs-" + o.store.Owner
	emulator.Bucket(t, emulator.S3(home), bucket)
	shutdown := lambdatest.Start(t, "shutdown", o.m, map[string]string{
		"AWS_ENDPOINT_URL": emulator.Shared(t).URL, "AWS_REGION": west, "AWS_ACCESS_KEY_ID": creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey, "AWS_SESSION_TOKEN": creds.SessionToken,
		"AWS_LAMBDA_FUNCTION_TIMEOUT": "120", "CURFEW_BUCKET": bucket,
	})
	raw, err := shutdown.Invoke(ctx, `{"dryRun":true}`)
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, shutdown.Output())
	}
	var rep fleet.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	l, err := o.store.Get(ctx, o.m)
	if err != nil || l.RunID != rep.RunID || len(l.Accounts) != 3 || rep.AccountListError != "" {
		t.Errorf("list %+v (%v) after run %s (%s)", l, err, rep.RunID, rep.AccountListError)
	}
}
