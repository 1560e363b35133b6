package sources

import (
	"context"
	"fmt"
	"slices"

	"github.com/curfew/curfew/internal/accounts"
)

// Listed is the map's accounts list: every target account, as written.
type Listed struct {
	Map *accounts.Map
}

// Find returns the map's target accounts; it makes no call and never fails.
func (l Listed) Find(context.Context) ([]Found, []Note, error) {
	var found []Found
	for i, a := range l.Map.Accounts {
		if a.Name == l.Map.Identity {
			continue
		}
		a.Regions = slices.Clone(a.Regions)
		found = append(found, Found{Account: a, From: fmt.Sprintf("accounts[%d]", i), Listed: true})
	}
	return found, nil, nil
}
