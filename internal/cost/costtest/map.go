package costtest

import (
	"fmt"

	"github.com/curfew/curfew/internal/emulator"
)

// MapHead is the top of a cost report test's account map, up to and including its first
// account: identity (production, the home account, with a fresh id) in eu-west-1, a stop
// at 20:00 Madrid time on weekdays, and the report at 08:00 on days to
// platform@example.com; management is the map's management tag, "" for none. The
// accounts list is open: a test appends its other accounts as "  - {...}" lines.
func MapHead(management, days string) string {
	return fmt.Sprintf(`identity: identity
home: identity
homeRegion: eu-west-1
management: %q
externalId: curfew-test-ext
ci: {user: ci-deployer, acceptStaticKeys: true}
schedule: {timezone: Europe/Madrid, stop: {at: "20:00", days: [MON-FRI]}}
costReport: {at: "08:00", days: [%s], recipients: [platform@example.com]}
accounts:
  - {name: identity, id: %q, environment: production}
`, management, days, emulator.NewAccountID())
}
