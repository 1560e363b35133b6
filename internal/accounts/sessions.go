package accounts

import "time"

// DeveloperSessionMax is the longest session DeveloperAccess allows (its
// MaxSessionDuration): half a working day. The CDK app sets it on the role and the CLI
// refuses longer profiles, so both read it here and cannot disagree.
const DeveloperSessionMax = 4 * time.Hour

// MFASessionMax bounds how long ago a developer may have typed their MFA code when they
// assume DeveloperAccess (aws:MultiFactorAuthAge in its trust): one working day. The CDK
// app writes it into the trust policy and `curfew credentials` asks STS for an MFA
// session (GetSessionToken) of exactly this length, so the one code a developer types in
// the morning lasts as long as the role accepts it and no longer.
const MFASessionMax = 12 * time.Hour
