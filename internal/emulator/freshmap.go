package emulator

import (
	"fmt"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// FreshMap parses the account map format with n fresh account ids (NewAccountID) in its
// verbs, in order, so that a test has accounts of its own; the test fails when the map
// does not parse.
func FreshMap(t testing.TB, format string, n int) *accounts.Map {
	t.Helper()
	ids := make([]any, n)
	for i := range ids {
		ids[i] = NewAccountID()
	}
	m, err := accounts.Parse(fmt.Appendf(nil, format, ids...))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
