package function

import (
	"log"
)

// SnoozeLink serves the snooze link function (issue 30). It does not return.
func SnoozeLink(env Env) {
	log.Fatal("curfew-snooze-link: not built yet")
}
