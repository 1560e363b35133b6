package snoozelink

import (
	"context"
	"errors"
	"html"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/snooze"
)

// A link for an account the map does not list is applied only when the last run found
// it, active, in units the map sweeps (the published account list); production units,
// suspended accounts, accounts the list does not hold, a list that cannot be read or a
// map without units refuse it, before any call to the account.
func TestLinksOfAccountsFoundInUnits(t *testing.T) {
	om := emulator.OrgMap{Region: "eu-west-1", ExternalID: "curfew-units", People: "900000000010", Shop: "900000000011", Management: "900000000012",
		NonProduction: "ou-ab12-cd34ef56", Production: "ou-ab12-cd34ef57"}
	m, err := accounts.Parse(om.YAML())
	if err != nil {
		t.Fatal(err)
	}
	const dev, prod, gone = "900000000020", "900000000021", "900000000022"
	now := time.Date(2026, 11, 25, 19, 35, 0, 0, time.UTC) // the map's stop: 20:00 UTC
	key := []byte(strings.Repeat("k", MinKey))
	list := accountlist.List{Accounts: []accountlist.Account{
		{ID: dev, Environment: accounts.NonProduction, From: "organization.ous[0] (ou-ab12-cd34ef56)", Swept: true, Regions: []string{"eu-west-1"}},
		{ID: prod, Environment: accounts.Production, From: "organization.ous[1] (ou-ab12-cd34ef57)", Regions: []string{"eu-west-1"}},
		{ID: gone, Environment: accounts.NonProduction, From: "organization.ous[0] (ou-ab12-cd34ef56)", Swept: true, Inactive: true},
	}}
	tests := []struct {
		name, account string
		found         func(context.Context) (accountlist.List, error)
		status        int
		says          string
	}{
		{"found in a swept unit", dev, func(context.Context) (accountlist.List, error) { return list, nil }, http.StatusOK, "kept up"},
		{"found in the production unit", prod, func(context.Context) (accountlist.List, error) { return list, nil }, http.StatusForbidden, "its account is not one the map sweeps"},
		{"suspended", gone, func(context.Context) (accountlist.List, error) { return list, nil }, http.StatusForbidden, "its account is not one the map sweeps"},
		{"not in the list", "900000000023", func(context.Context) (accountlist.List, error) { return list, nil }, http.StatusForbidden, "its account is not one the map sweeps"},
		{"list unreadable", dev, func(context.Context) (accountlist.List, error) { return accountlist.List{}, errors.New("no list") }, http.StatusServiceUnavailable, "could not reach its records"},
		{"no list", dev, nil, http.StatusForbidden, "its account is not one the map sweeps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bucket := &memS3{objects: map[string][]byte{}}
			issuer, err := NewIssuer(key, bucket, "curfew-runs", "https://links.example.test/")
			if err != nil {
				t.Fatal(err)
			}
			u, err := issuer.Issue(t.Context(), Link{Account: tc.account, AccountID: tc.account, Stop: time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC),
				Until: time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), Sent: now.Add(-5 * time.Minute),
				Resources: []Target{{Type: history.EC2Instance, Region: "eu-west-1", ID: "i-0123456789abcdef0"}}})
			if err != nil {
				t.Fatal(err)
			}
			rec := &tagRecorder{}
			connected := 0
			h := &Handler{Map: m, Key: key, Store: Store{Client: bucket, Bucket: "curfew-runs"}, Logger: slog.New(slog.DiscardHandler), Found: tc.found,
				Now: func() time.Time { return now },
				Connect: func(a accounts.Account, _ string) snooze.Clients {
					connected++
					return snooze.Clients{EC2: rec, RDS: rec}
				}}
			token := strings.TrimPrefix(u, "https://links.example.test/?t=")
			resp, _ := h.Handle(t.Context(), events.LambdaFunctionURLRequest{Body: "t=" + token,
				RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST", SourceIP: "192.0.2.1"}}})
			if resp.StatusCode != tc.status || !strings.Contains(html.UnescapeString(resp.Body), tc.says) {
				t.Errorf("%d, want %d saying %q\n%s", resp.StatusCode, tc.status, tc.says, resp.Body)
			}
			if ok := tc.status == http.StatusOK; (connected > 0) != ok || (rec.writes > 0) != ok {
				t.Errorf("%d connections, %d tag writes", connected, rec.writes)
			}
		})
	}
}
