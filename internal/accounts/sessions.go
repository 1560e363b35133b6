package accounts

import "time"

// DeveloperSessionMax is the longest session DeveloperAccess allows (its
// MaxSessionDuration): half a working day. The CDK app sets it on the role and the CLI
// refuses longer profiles, so both read it here and cannot disagree.
const DeveloperSessionMax = 4 * time.Hour
