package costtest_test

import (
	"slices"
	"testing"
	"time"

	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/curfew/curfew/internal/cost/costtest"
)

// The accounts of a filter are its LINKED_ACCOUNT values, alone or inside an And; a
// filter without them, or none, names no account.
func TestLinkedAccounts(t *testing.T) {
	linked := cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionLinkedAccount, Values: []string{"111111111111", "222222222222"}}}
	notCredits := cetypes.Expression{Not: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionRecordType, Values: []string{"Credit", "Refund"}}}}
	for _, tt := range []struct {
		name   string
		filter *cetypes.Expression
		want   []string
	}{
		{"no filter", nil, nil},
		{"alone", &linked, []string{"111111111111", "222222222222"}},
		{"in an And", &cetypes.Expression{And: []cetypes.Expression{notCredits, linked}}, []string{"111111111111", "222222222222"}},
		{"other dimensions only", &cetypes.Expression{And: []cetypes.Expression{notCredits}}, nil},
	} {
		if got := costtest.LinkedAccounts(tt.filter); !slices.Equal(got, tt.want) {
			t.Errorf("%s: LinkedAccounts = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The still clock stays at its instant and keeps every wait, the longest last asked or not.
func TestStillClockRecordsWaits(t *testing.T) {
	at := time.Date(2026, 11, 16, 8, 0, 0, 0, time.UTC)
	c := costtest.NewStillClock(at)
	if c.Longest() != 0 {
		t.Errorf("Longest before any wait = %s, want 0", c.Longest())
	}
	for _, d := range []time.Duration{200 * time.Millisecond, time.Second, 400 * time.Millisecond} {
		if err := c.Sleep(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	if !c.Now().Equal(at) {
		t.Errorf("Now = %s, want %s", c.Now(), at)
	}
	if want := []time.Duration{200 * time.Millisecond, time.Second, 400 * time.Millisecond}; !slices.Equal(c.Waits(), want) {
		t.Errorf("Waits = %v, want %v", c.Waits(), want)
	}
	if c.Longest() != time.Second {
		t.Errorf("Longest = %s, want 1s", c.Longest())
	}
}
