package accountlist_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/sources"
)

// The published list is checked value by value against the map; each refusal names the
// entry, on one line, with what is not printable escaped.
func TestValidate(t *testing.T) {
	m := &accounts.Map{Identity: "people", HomeRegion: "eu-west-1", ExtraRegions: []string{"eu-south-9"},
		Accounts: []accounts.Account{
			{Name: "people", ID: "111111111111", Environment: accounts.Production},
			{Name: "shop", ID: "222222222222", Environment: accounts.NonProduction, Regions: []string{"eu-central-1"}},
		},
		Organization: &accounts.Organization{OUs: []accounts.OU{{ID: "ou-ab12-nonprod1", Environment: accounts.NonProduction, Regions: []string{"us-east-1"}}}},
	}
	valid := func() accountlist.List {
		return accountlist.List{RunID: "20261127T190000Z-1a2b3c", Kind: "shutdown", Published: time.Date(2026, 11, 27, 19, 0, 0, 0, time.UTC), Accounts: []accountlist.Account{
			{ID: "222222222222", Name: "shop", Environment: accounts.NonProduction, From: "accounts[1]", Listed: true, Regions: []string{"eu-central-1"}, Swept: true},
			{ID: "333333333333", Name: "Feature X (team A)", Environment: accounts.Production, From: "organization.ous[0] (ou-ab12-nonprod1)", Regions: []string{"us-east-1", "eu-west-1", "eu-south-9"},
				Reason: `Organizations says the account "Feature X" is SUSPENDED: skipped`},
		}}
	}
	tests := []struct {
		name string
		edit func(l *accountlist.List)
		want []string
	}{
		{"valid", func(*accountlist.List) {}, nil},
		{"no accounts", func(l *accountlist.List) { l.Accounts = nil }, nil},
		{"id of 11 digits", func(l *accountlist.List) { l.Accounts[1].ID = "33333333333" }, []string{`accounts[1].id "33333333333" is not 12 digits`}},
		{"id twice", func(l *accountlist.List) { l.Accounts[1].ID = "222222222222" }, []string{`accounts[1].id "222222222222" is also the id of accounts[0]`}},
		{"unknown environment", func(l *accountlist.List) { l.Accounts[0].Environment = "staging" }, []string{`accounts[0].environment "staging" is not production or non-production`}},
		{"region the map does not name", func(l *accountlist.List) { l.Accounts[1].Regions[1] = "ap-south-1" }, []string{`accounts[1].regions[1] "ap-south-1" is not a region of the account map`}},
		{"terminal escape in the run id", func(l *accountlist.List) { l.RunID = "r1\x1b[2J" }, []string{`runId "r1\x1b[2J" is not a run id`}},
		{"newline in the kind", func(l *accountlist.List) { l.Kind = "shutdown\nx" }, []string{`kind "shutdown\nx" is not a kind of run`}},
		{"right-to-left override in a name", func(l *accountlist.List) { l.Accounts[1].Name = "Feature\u202eX" }, []string{`accounts[1].name "Feature\u202eX" holds a character that is not printable`}},
		{"carriage return in a reason", func(l *accountlist.List) { l.Accounts[1].Reason = "skipped\r" }, []string{"accounts[1].reason"}},
		{"newline in why an account was unreachable", func(l *accountlist.List) { l.Accounts[1].Unreachable = "AccessDenied\ncredential_process = sh" }, []string{"accounts[1].unreachable"}},
		{"escape in a child unit note", func(l *accountlist.List) {
			l.Units = []sources.Note{{From: "organization.ous[0]", Outcome: sources.Skipped, Reason: "child unit \x1b[2J"}}
		}, []string{"units[0].reason"}},
		{"a long value is cut", func(l *accountlist.List) { l.Accounts[0].ID = strings.Repeat("1", 1000) }, []string{`accounts[0].id "` + strings.Repeat("1", 60) + `"... is not 12 digits`}},
		{"many problems, one line", func(l *accountlist.List) {
			for range 8 {
				l.Accounts = append(l.Accounts, accountlist.Account{ID: "x", Environment: accounts.NonProduction})
			}
		}, []string{"accounts[2].id", "accounts[6].id", "and 3 more"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := valid()
			tt.edit(&l)
			err := l.Validate(m)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v, want none", err)
				}
				return
			}
			if !errors.Is(err, accountlist.ErrInvalidList) || strings.ContainsAny(err.Error(), "\n\r\x1b") {
				t.Fatalf("Validate: %q, want one line wrapping ErrInvalidList", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate: %v\nwant it to say %s", err, w)
				}
			}
		})
	}
}
