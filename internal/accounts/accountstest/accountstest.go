// Package accountstest holds the accounts map the tests of accounts and sources start
// from, in one place: a test appends the accounts and the organisation it is about.
package accountstest

// Head is the top of a test's map, up to and including its first account: the identity
// account people (production, with id peopleID) as home, eu-west-1, a CI user with static
// keys, a stop at 20:00 UTC on weekdays and a Monday cost report. The accounts list is
// open: a test appends its other accounts as "  - {...}" lines, then the rest.
func Head(peopleID string) string {
	return `identity: people
home: people
homeRegion: eu-west-1
externalId: curfew-test
ci: {user: ci-deployer, acceptStaticKeys: true}
schedule: {timezone: UTC, stop: {at: "20:00", days: [MON-FRI]}}
costReport: {at: "08:00", days: [MON], recipients: [ops@example.com]}
accounts:
  - {name: people, id: "` + peopleID + `", environment: production}
`
}
