package accounts_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// The delivery alarm goes to costReport.alarmRecipients when the map names them, else to
// the report's recipients; an address that is not plain is an error naming the field.
func TestAlarmRecipients(t *testing.T) {
	m := example(t)
	if got := m.CostReport.AlarmTo(); !slices.Equal(got, m.CostReport.Recipients) {
		t.Errorf("without alarmRecipients the alarm goes to %v, want the recipients %v", got, m.CostReport.Recipients)
	}
	m.CostReport.AlarmRecipients = []string{"oncall@example.com"}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := m.CostReport.AlarmTo(); !slices.Equal(got, []string{"oncall@example.com"}) {
		t.Errorf("the alarm goes to %v, want oncall@example.com", got)
	}
	m.CostReport.AlarmRecipients = []string{"oncall@example.com", "On Call <oncall@example.com>"}
	wantOnlyProblem(t, m.Validate(), "costReport.alarmRecipients[1]", "")
}

// The map's parser knows the field (it refuses unknown ones).
func TestAlarmRecipientsParse(t *testing.T) {
	data, err := os.ReadFile(exampleMap)
	if err != nil {
		t.Fatal(err)
	}
	recipients := "  recipients: [platform@example.com]\n"
	if !strings.Contains(string(data), recipients) {
		t.Fatalf("%s has no line %q to add to", exampleMap, recipients)
	}
	m, err := accounts.Parse([]byte(strings.Replace(string(data), recipients, recipients+"  alarmRecipients: [oncall@example.com]\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.CostReport.AlarmRecipients, []string{"oncall@example.com"}) {
		t.Errorf("alarmRecipients = %v", m.CostReport.AlarmRecipients)
	}
}
