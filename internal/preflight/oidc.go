package preflight

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// oidcProvider checks for an OIDC provider of the CI's issuer that curfew did not create:
// the member stack creates one, and IAM holds one provider per issuer and account, so the
// deploy fails where someone already trusts that issuer (anyone using GitHub Actions with
// AWS).
type oidcProvider struct{}

func (oidcProvider) Name() string { return "ci oidc provider" }

func (oidcProvider) Run(ctx context.Context, t Target) []Finding {
	o := t.Map.CI.OIDC
	switch {
	case o == nil:
		return []Finding{notApplicable("the CI principal is the IAM user %s: no OIDC provider is created", t.Map.CI.User)}
	case t.Account.Name == t.Map.Identity:
		return []Finding{notApplicable("the CI's OIDC provider is created in target accounts only")}
	}
	host := strings.TrimSuffix(strings.TrimPrefix(o.Issuer, "https://"), "/")
	out, err := iam.NewFromConfig(t.Config).ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return []Finding{unchecked("list the OIDC providers", err, "iam:ListOpenIDConnectProviders")}
	}
	for _, p := range out.OpenIDConnectProviderList {
		arn := aws.ToString(p.Arn)
		if !strings.HasSuffix(arn, ":oidc-provider/"+host) {
			continue
		}
		owned, err := ownedBy(ctx, t, footprintOf(t.Map, t.Account))
		if err != nil {
			return []Finding{unchecked("list the resources of curfew's stacks", err, "cloudformation:ListStackResources")}
		}
		if stack := owned[arn]; stack != "" {
			return []Finding{ok("the provider of %s belongs to curfew's stack %s", o.Issuer, stack)}
		}
		return []Finding{problem(
			fmt.Sprintf("%s already exists and no stack of curfew created it: the member stack cannot create a second provider for %s", arn, o.Issuer),
			"reference the existing provider in the account map instead of creating one (see the README's First deploy); do not delete it while other roles trust it")}
	}
	return []Finding{ok("no OIDC provider for %s yet: curfew's stack creates it", o.Issuer)}
}
