package main

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/runtable"
)

// Issue 28, item 5 (Why #7), from the engine's own report against moto: staging's role
// cannot be assumed (a faultproxy refuses that AssumeRole) and every call in sandbox is
// refused. The table the CLI prints says each in one line: staging once for both its
// regions, sandbox with the error code once, no SDK text; the summary says nothing was
// done, not "no resource matched".
func TestFailedRunReadsOneLinePerAccountAndCause(t *testing.T) {
	s := emulator.Shared(t)
	proxy := faultproxy.For(t, s.URL)
	mapPath, ids := testMap(t)
	m, err := accounts.Load(mapPath)
	if err != nil {
		t.Fatal(err)
	}
	proxy.Add(faultproxy.AssumeRoleInto(ids["staging"], faultproxy.Rule{Kind: faultproxy.Error, Code: "AccessDenied", Status: 403}))
	proxy.Add(faultproxy.Rule{Account: ids["sandbox"], Kind: faultproxy.Error, Code: "AccessDenied", Status: 403,
		Match: func(c faultproxy.Call) bool { return c.Service != "sts" }})

	h := fleet.Handler{Kind: history.Shutdown, Map: m, Now: func() time.Time { return testNow }, Logger: slog.New(slog.DiscardHandler),
		Connect: fleet.AssumeRoles(emulator.Connect(proxy.URL).Account(t, ids["identity"], m.HomeRegion), m.ExternalID)}
	rep, err := h.Run(t.Context(), fleet.Payload{Trigger: fleet.Manual, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := runtable.Write(&out, rep); err != nil {
		t.Fatal(err)
	}
	t.Logf("the table a person reads:\n%s", out.String())
	var staging, sandbox []string
	for _, line := range strings.Split(out.String(), "\n") {
		switch {
		case strings.HasPrefix(line, "staging "):
			staging = append(staging, line)
		case strings.HasPrefix(line, "sandbox "):
			sandbox = append(sandbox, line)
		}
	}
	if len(staging) != 1 || !strings.Contains(staging[0], "eu-west-1, eu-central-1") ||
		!strings.Contains(staging[0], "cannot assume "+accounts.SchedulerRole+" in "+ids["staging"]+": AccessDenied") {
		t.Errorf("staging reads as %q, want one line for both regions saying its role could not be assumed", staging)
	}
	if len(sandbox) != 1 || strings.Count(sandbox[0], "AccessDenied") != 1 || !strings.Contains(sandbox[0], "more calls") {
		t.Errorf("sandbox reads as %q, want one line naming AccessDenied once", sandbox)
	}
	causetest.NoSDKText(t, "the run's table", out.String())
	if !strings.Contains(out.String(), "\nnothing done; ") {
		t.Errorf("summary:\n%s", out.String())
	}
}
