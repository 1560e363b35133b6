// Package assume reaches other accounts: it turns a base aws.Config into one whose calls
// run as a role in another account, through cached sts:AssumeRole credentials.
package assume

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Role returns a copy of base whose credentials come from assuming roleARN with the given
// session name and ExternalId (omitted when empty). Credentials are cached and refreshed
// before they expire, so one config serves every client and region of an account; the
// AssumeRole call itself happens on first use.
func Role(base aws.Config, roleARN, sessionName, externalID string) aws.Config {
	cfg := base.Copy()
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = sessionName
		if externalID != "" {
			o.ExternalID = aws.String(externalID)
		}
	})
	cfg.Credentials = aws.NewCredentialsCache(provider)
	return cfg
}
