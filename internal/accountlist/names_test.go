package accountlist_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
)

func found(id, name string) accountlist.Account {
	return accountlist.Account{ID: id, Name: name, Environment: accounts.NonProduction, Regions: []string{"eu-west-1"}, Swept: true}
}

func names(as []accounts.Account) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}

func TestFoundNames(t *testing.T) {
	m := &accounts.Map{Identity: "people", Accounts: []accounts.Account{
		{Name: "people", ID: "111111111111"}, {Name: "shop-4444", ID: "222222222222"},
	}}
	tests := []struct {
		name string
		list []accountlist.Account
		want []string
	}{
		{"sanitised, with the end of the id", []accountlist.Account{found("555555555555", "  Feature X (team A)!! ")}, []string{"feature-x-team-a-5555"}},
		{"no name: the id", []accountlist.Account{found("555555555555", "")}, []string{"555555555555"}},
		{"only symbols: the id", []accountlist.Account{found("555555555555", "***")}, []string{"555555555555"}},
		{"long names are cut", []accountlist.Account{found("555555555555", strings.Repeat("ab", 30))}, []string{strings.Repeat("ab", 20) + "-5555"}},
		{"a name of the map: the whole id", []accountlist.Account{found("900000004444", "Shop")}, []string{"shop-900000004444"}},
		{"two found alike: the whole ids", []accountlist.Account{found("900000001234", "dev"), found("800000001234", "dev")},
			[]string{"dev-900000001234", "dev-800000001234"}},
		{"listed, in the map, or suspended: none", []accountlist.Account{
			{ID: "222222222222", Name: "shop-4444", Listed: true}, found("111111111111", "people"),
			{ID: "333333333333", Name: "gone", Inactive: true}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names(accountlist.List{Accounts: tt.list}.Found(m)); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// A found account keeps its name when other accounts appear or go: names are per account.
func TestFoundNamesAreStable(t *testing.T) {
	m := &accounts.Map{}
	before := accountlist.List{Accounts: []accountlist.Account{found("555555555555", "Feature X")}}
	after := accountlist.List{Accounts: []accountlist.Account{found("666666666666", "Feature X"), found("555555555555", "Feature X"), found("777777777777", "Other")}}
	b, a := names(before.Found(m)), names(after.Found(m))
	if b[0] != "feature-x-5555" || a[1] != b[0] || a[0] != "feature-x-6666" {
		t.Errorf("before %q, after %q: feature-x-5555 must keep its name", b, a)
	}
}

func TestLookup(t *testing.T) {
	m := &accounts.Map{}
	l := accountlist.List{RunID: "r1", Accounts: []accountlist.Account{found("555555555555", "Feature X"), found("666666666666", "Twin"), found("777777777777", "Twin")}}
	for _, s := range []string{"555555555555", "feature-x-5555", "Feature X"} {
		if a, err := l.Lookup(m, s); err != nil || a.ID != "555555555555" {
			t.Errorf("Lookup(%q) = %+v, %v", s, a, err)
		}
	}
	if _, err := l.Lookup(m, "Twin"); err == nil || !strings.Contains(err.Error(), "give the id") {
		t.Errorf("Lookup of a shared name: %v", err)
	}
	if _, err := l.Lookup(m, "nope"); err == nil || !strings.Contains(err.Error(), "run r1") {
		t.Errorf("Lookup of an unknown name: %v", err)
	}
}
