package fleet

import (
	"errors"
	"log/slog"
	"slices"
	"testing"

	"github.com/curfew/curfew/internal/history"

	"github.com/curfew/curfew/internal/accounts"
)

// FuzzPayload feeds the shutdown and restart payload decoder, and the check against the
// account map, with arbitrary bytes: neither panics; every refusal wraps
// ErrInvalidPayload and comes from the handler before it connects to any account; no
// accepted payload ever targets an account that is production, not in the map or not
// swept, or a region the account does not list.
func FuzzPayload(f *testing.F) {
	m, err := accounts.Load("../../accounts.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		``, `null`, `{}`, `[]`, `"x"`, `{} {}`, `{}x`,
		`{"trigger":"schedule"}`, `{"trigger":"manual","dryRun":true}`, `{"trigger":"cron"}`,
		`{"accounts":["staging"],"regions":["eu-central-1"],"resources":["i-0123456789abcdef0","app-db"]}`,
		`{"accounts":["production"]}`, `{"accounts":["identity"]}`, `{"accounts":["Staging"]}`,
		`{"accounts":["staging","production"],"dryRun":true}`, `{"accounts":["sandbox"],"regions":["eu-central-1"]}`,
		`{"regions":["us-east-1"]}`, `{"resources":["i-1, i-2"]}`, `{"resources":[""]}`,
		`{"dryRun":"yes"}`, `{"account":["staging"]}`, `{"accounts":null,"regions":null}`,
		`{"trigger":"schedule","trigger":"manual"}`, `{"accounts":["staging\u0000"]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		refused := func(err error) {
			if !errors.Is(err, ErrInvalidPayload) {
				t.Fatalf("refusal %v does not wrap ErrInvalidPayload", err)
			}
			for _, kind := range []history.Kind{history.Shutdown, history.Restart} {
				h := Handler{Kind: kind, Map: m, Logger: slog.New(slog.DiscardHandler), Connect: func(string) ClientsFunc {
					t.Fatalf("%s of refused payload %q connects to the accounts", kind, data)
					return nil
				}}
				if _, herr := h.Handle(t.Context(), data); herr == nil || herr.Error() != err.Error() {
					t.Fatalf("%s of payload %q: error %v, want %v", kind, data, herr, err)
				}
			}
		}
		p, err := DecodePayload(data)
		if err != nil {
			refused(err)
			return
		}
		targets, err := p.Targets(m)
		if err != nil {
			refused(err)
			return
		}
		for _, tg := range targets {
			a, ok := m.Account(tg.Account.Name)
			switch {
			case !ok || a.ID != tg.Account.ID:
				t.Fatalf("target %s is not an account of the map", tg.Account.Name)
			case a.IsProduction():
				t.Fatalf("payload %q targets production account %s", data, a.Name)
			case !a.ShutdownEnabled():
				t.Fatalf("payload %q targets %s, whose shutdown is off", data, a.Name)
			}
			if !slices.Contains(a.Regions, tg.Region) {
				t.Fatalf("payload %q targets %s in %s, not one of its regions", data, a.Name, tg.Region)
			}
		}
		for _, name := range p.Accounts {
			if a, ok := m.Account(name); ok && a.IsProduction() {
				t.Fatalf("payload %q naming production account %s was accepted", data, name)
			}
		}
	})
}
