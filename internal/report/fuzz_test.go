package report_test

import (
	"bytes"
	"encoding/json"
	"strings"
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

// Each malformed payload is refused with an error that says what is wrong, before any AWS
// call: the handler has no clients, so a call would panic.
func TestMalformedPayloadsAreRefusedBeforeAnyCall(t *testing.T) {
	tests := []struct{ name, payload, want string }{
		{"unknown trigger", `{"trigger":"nightly"}`, `payload trigger "nightly": want "schedule" or "manual"`},
		{"trigger in capitals", `{"trigger":"Manual"}`, `payload trigger "Manual"`},
		{"no trigger", `{}`, `payload trigger "": want "schedule" or "manual"`},
		{"unknown field", `{"trigger":"manual","dryRun":true}`, `unknown field "dryRun"`},
		{"trailing data", `{"trigger":"manual"} {}`, "data after the JSON object"},
		{"not an object", `["manual"]`, "cannot unmarshal array"},
		{"trigger not a string", `{"trigger":1}`, "cannot unmarshal number"},
		{"truncated", `{"trigger":"man`, "decode the payload: unexpected EOF"},
		{"null with trailing data", `null {}`, "data after the JSON object"},
		{"null trigger", `{"trigger":null}`, `payload trigger ""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := report.Handler{Log: quiet}.Handle(t.Context(), json.RawMessage(tc.payload))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Handle(%s) = %v, want an error saying %q", tc.payload, err, tc.want)
			}
		})
	}
}
