package report_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/curfew/curfew/internal/report"
)

// FuzzParseEvent feeds the cost report's payload decoder with arbitrary bytes: it never
// panics, accepts only a "schedule" or "manual" trigger, and a payload it refuses is
// refused by the handler before any AWS call (the handler has no clients: a call would
// panic).
func FuzzParseEvent(f *testing.F) {
	for _, seed := range []string{
		`{"trigger":"schedule"}`, `{"trigger":"manual"}`, `{"trigger":"nightly"}`, `{}`, ``, `null`,
		`{"trigger":"manual","account":"staging"}`, `{"trigger":"manual"} {"trigger":"manual"}`,
		`["manual"]`, `{"trigger":"Manual"}`, `{"trigger":null}`, `{"trigger":"schedule","trigger":"manual"}`,
		`{"trigger":"manual"}x`, `{"trigger":1}`, `{"trigger":"schedule","dryRun":true}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := report.ParseEvent(data)
		if err != nil {
			h := report.Handler{Log: quiet}
			if _, herr := h.Handle(t.Context(), json.RawMessage(data)); herr == nil || herr.Error() != err.Error() {
				t.Fatalf("Handle(%q) error %v, want %v", data, herr, err)
			}
			return
		}
		if ev.Trigger != report.TriggerSchedule && ev.Trigger != report.TriggerManual {
			t.Fatalf("ParseEvent(%q) accepted trigger %q", data, ev.Trigger)
		}
		again, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := report.ParseEvent(again); err != nil || back != ev {
			t.Fatalf("ParseEvent(%q) = %+v does not round-trip: %s → %+v, %v", data, ev, bytes.TrimSpace(again), back, err)
		}
	})
}
