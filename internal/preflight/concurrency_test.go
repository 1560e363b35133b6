package preflight

import (
	"strings"
	"testing"
)

// curfew reserves no concurrency (issue 19: a reservation of 1 per function failed to
// deploy where a new account's limit is 10), so a new account passes; only an account
// whose unreserved pool cannot run curfew's functions at once is a problem.
func TestConcurrencyNeedsNoReservation(t *testing.T) {
	tests := []struct {
		name              string
		limit, unreserved int
		status            Status
		detail            string
	}{
		{"a new account's limit of 10", 10, 10, OK, "curfew reserves none. A new account's limit is shared"},
		{"the usual limit of 1000", 1000, 1000, OK, "concurrency limit 1000, 1000 unreserved; curfew reserves none"},
		{"a pool others have reserved away", 1000, 2, Problem, "only 2 unreserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrg(t, nil)
			home := o.target(t, "identity")
			lambdaSettings(o.proxy, o.ids["identity"], tt.limit, tt.unreserved)
			got := concurrency{}.Run(t.Context(), home)
			if len(got) != 1 || got[0].Status != tt.status || !strings.Contains(got[0].Detail, tt.detail) {
				t.Errorf("%d/%d: %+v, want %s containing %q", tt.limit, tt.unreserved, got, tt.status, tt.detail)
			}
		})
	}
}
