package fleet

import (
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/sources"
)

func TestDecodePayload(t *testing.T) {
	tests := []struct {
		name, in string
		want     Payload
		wantErr  bool
	}{
		{"empty", ``, Payload{Trigger: Manual}, false},
		{"null", `null`, Payload{Trigger: Manual}, false},
		{"object", `{}`, Payload{Trigger: Manual}, false},
		{"schedule", `{"trigger":"schedule"}`, Payload{Trigger: Schedule}, false},
		{"everything", `{"trigger":"manual","accounts":["a"],"regions":["r"],"resources":["i-1"],"dryRun":true}`,
			Payload{Trigger: Manual, Accounts: []string{"a"}, Regions: []string{"r"}, Resources: []string{"i-1"}, DryRun: true}, false},
		{"unknown field", `{"dryrun":true,"force":true}`, Payload{}, true},
		{"trailing object", `{} {}`, Payload{}, true},
		{"trailing garbage", `{}x`, Payload{}, true},
		{"wrong type", `{"dryRun":"yes"}`, Payload{}, true},
		{"array", `[]`, Payload{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodePayload([]byte(tc.in))
			if (err != nil) != tc.wantErr || tc.wantErr && !errors.Is(err, ErrInvalidPayload) {
				t.Fatalf("err = %v, want error %v wrapping ErrInvalidPayload", err, tc.wantErr)
			}
			if !tc.wantErr && (got.Trigger != tc.want.Trigger || got.DryRun != tc.want.DryRun ||
				!slices.Equal(got.Accounts, tc.want.Accounts) || !slices.Equal(got.Regions, tc.want.Regions) ||
				!slices.Equal(got.Resources, tc.want.Resources)) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestTargets(t *testing.T) {
	m, err := accounts.Load("../../accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pairs := func(ts []Target) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Account.Name+"/"+t.Region)
		}
		return out
	}
	tests := []struct {
		name string
		p    Payload
		want []string
	}{
		{"everything swept", Payload{}, []string{"staging/eu-west-1", "staging/eu-central-1", "sandbox/eu-west-1"}},
		{"one account", Payload{Accounts: []string{"sandbox"}}, []string{"sandbox/eu-west-1"}},
		{"one region", Payload{Regions: []string{"eu-central-1"}}, []string{"staging/eu-central-1"}},
		{"account named twice", Payload{Accounts: []string{"staging", "staging"}, Regions: []string{"eu-west-1"}}, []string{"staging/eu-west-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.p.Targets(m)
			if err != nil || !slices.Equal(pairs(got), tc.want) {
				t.Errorf("Targets = %v, %v; want %v", pairs(got), err, tc.want)
			}
		})
	}
	// Every problem is reported, not only the first.
	_, err = Payload{Accounts: []string{"nope", "production", "identity"}, Regions: []string{"us-east-1"}}.Targets(m)
	want := `invalid payload: account "nope" is not in the account map
account "production" is production: curfew never touches production
account "identity" is production: curfew never touches production
region "us-east-1" is not a region of no selected account`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

// Issue 26, item 12: an empty filter, or an empty name in one, is refused by the function
// itself before it connects to any account, never read as "everything".
func TestPayloadRefusesEmptyFilters(t *testing.T) {
	m, err := accounts.Load("../../accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ payload, want string }{
		{`{"accounts":[""]}`, "accounts[0] is empty"},
		{`{"accounts":["staging"," "]}`, "accounts[1] is empty"},
		{`{"regions":[""]}`, "regions[0] is empty"},
		{`{"accounts":["staging"],"resources":[""]}`, "resources[0] is empty"},
		{`{"accounts":[],"dryRun":true}`, "accounts is an empty list"},
		{`{"regions":[]}`, "regions is an empty list"},
		{`{"accounts":["staging"],"resources":[]}`, "resources is an empty list"},
		{`{"units":[]}`, "units is an empty list"},
		{`{"units":[""]}`, "units[0] is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.payload, func(t *testing.T) {
			h := Handler{Kind: history.Shutdown, Map: m, Logger: slog.New(slog.DiscardHandler), Connect: func(string) ClientsFunc {
				t.Fatalf("payload %s connects to the accounts", tt.payload)
				return nil
			}}
			_, err := h.Handle(t.Context(), []byte(tt.payload))
			if !errors.Is(err, ErrInvalidPayload) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Handle(%s) = %v, want ErrInvalidPayload saying %q", tt.payload, err, tt.want)
			}
		})
	}
}

// A region of a non-production unit may be asked for without an account filter; Within
// selects among the accounts a run resolved, never adding one the run did not sweep.
func TestPayloadWithUnits(t *testing.T) {
	m, err := accounts.Load("../../accounts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m.Organization = &accounts.Organization{ManagementAccount: "identity", OUs: []accounts.OU{
		{ID: "ou-ab12-nonprod1", Environment: accounts.NonProduction, Regions: []string{"us-east-1"}},
		{ID: "ou-ab12-producti", Environment: accounts.Production, Regions: []string{"ap-south-1"}},
	}}
	if _, err := (Payload{Regions: []string{"us-east-1"}}).Targets(m); err != nil {
		t.Errorf("a non-production unit's region: %v", err)
	}
	if _, err := (Payload{Regions: []string{"ap-south-1"}}).Targets(m); err == nil {
		t.Error("a production unit's region was accepted")
	}
	staging, _ := m.Account("staging")
	found := m.Organization.OUs[0].Account("999999999999")
	swept := sources.Resolved{Swept: []accounts.Account{staging, found}, Units: map[string]string{"999999999999": m.Organization.OUs[0].ID}}
	targets := Payload{Regions: []string{"us-east-1"}}.Within(swept)
	if len(targets) != 1 || targets[0].Account.ID != "999999999999" {
		t.Errorf("region filter over found accounts: %+v", targets)
	}
	targets = Payload{Accounts: []string{"staging", "sandbox"}}.Within(swept)
	var got []string
	for _, tg := range targets {
		got = append(got, tg.Account.Name+"/"+tg.Region)
	}
	// sandbox is named but this run did not resolve it as swept: it is not visited.
	if want := []string{"staging/eu-west-1", "staging/eu-central-1"}; !slices.Equal(got, want) {
		t.Errorf("account filter: %v, want %v", got, want)
	}

	// A schedule of a unit names it: the run sweeps the accounts it finds there, beside the
	// accounts named, and no other.
	if _, err := (Payload{Units: []string{"ou-ab12-nonprod1"}, Regions: []string{"us-east-1"}}).Targets(m); err != nil {
		t.Errorf("a non-production unit and its region: %v", err)
	}
	_, err = Payload{Units: []string{"ou-ab12-producti", "ou-ab12-unknown1"}}.Targets(m)
	wantErr := `invalid payload: unit "ou-ab12-producti" is production: curfew never touches production
unit "ou-ab12-unknown1" is not in the account map's organization.ous`
	if err == nil || err.Error() != wantErr {
		t.Errorf("units refused:\n%v\nwant:\n%s", err, wantErr)
	}
	if _, err := (Payload{Units: []string{"ou-ab12-nonprod1"}, Regions: []string{"ap-south-1"}}).Targets(m); err == nil {
		t.Error("a production unit's region was accepted for a non-production unit's run")
	}
	got = nil
	for _, tg := range (Payload{Accounts: []string{"sandbox"}, Units: []string{"ou-ab12-nonprod1"}}).Within(swept) {
		got = append(got, tg.Account.Name+"/"+tg.Region)
	}
	if want := []string{"999999999999/us-east-1"}; !slices.Equal(got, want) {
		t.Errorf("unit filter: %v, want %v", got, want)
	}
	if targets := (Payload{Units: []string{"ou-ab12-other01"}}).Within(swept); len(targets) != 0 {
		t.Errorf("another unit's run visits %+v", targets)
	}
}
