package accounts

import (
	"fmt"
	"net/mail"
)

// AlarmTo is who is told when the emailed report could not be sent: AlarmRecipients, or
// the report's own recipients when the map names none. The alarm reaches them through a
// topic of its own, so a failing report topic cannot swallow it.
func (c CostReport) AlarmTo() []string {
	if len(c.AlarmRecipients) > 0 {
		return c.AlarmRecipients
	}
	return c.Recipients
}

func validateAlarmRecipients(p *problems, c CostReport) {
	for i, r := range c.AlarmRecipients {
		if a, err := mail.ParseAddress(r); err != nil || a.Address != r {
			p.add(fmt.Sprintf("costReport.alarmRecipients[%d]", i), "%q is not a plain email address", r)
		}
	}
}
