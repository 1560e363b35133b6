package emulator

import (
	"fmt"
	"strings"
)

// OrgMap is the account map of the tests over an Org: people, the identity and home
// account, and shop, both production and listed, and the organisation's non-production
// and production units, each swept in Region.
type OrgMap struct {
	Region, ExternalID string
	// Schedule is the map's schedule; empty for a stop at 20:00 UTC on weekdays.
	Schedule string
	// People and Shop are the listed accounts' ids; Management the organisation's.
	People, Shop, Management string
	// NonProduction and Production are the units' ids.
	NonProduction, Production string
	// MoreUnits are further entries of the map's units, as YAML flow mappings.
	MoreUnits []string
}

// YAML is the map's text.
func (m OrgMap) YAML() []byte {
	schedule := m.Schedule
	if schedule == "" {
		schedule = `{timezone: UTC, stop: {at: "20:00", days: [MON-FRI]}}`
	}
	units := []string{
		fmt.Sprintf("{id: %s, environment: non-production, regions: [%s], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}", m.NonProduction, m.Region),
		fmt.Sprintf("{id: %s, environment: production, regions: [%s], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}", m.Production, m.Region),
	}
	return fmt.Appendf(nil, `identity: people
home: people
homeRegion: %[1]s
externalId: %[2]s
ci: {user: ci-deployer, acceptStaticKeys: true}
schedule: %[3]s
costReport: {at: "08:00", days: [MON], recipients: [ops@example.com]}
accounts:
  - {name: people, id: "%[4]s", environment: production}
  - {name: shop, id: "%[5]s", environment: production, regions: [%[1]s], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}
organization:
  managementAccount: "%[6]s"
  ous:
    - %[7]s
`, m.Region, m.ExternalID, schedule, m.People, m.Shop, m.Management, strings.Join(append(units, m.MoreUnits...), "\n    - "))
}
