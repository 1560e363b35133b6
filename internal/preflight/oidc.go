package preflight

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// oidcProvider checks the OIDC provider of the CI's issuer. The member stack creates one
// unless the map says the account has it already (ci.oidc.existingProvider,
// accounts[].ciExistingProvider), and IAM holds one provider per issuer and account: so
// the deploy fails where someone already trusts that issuer (anyone using GitHub Actions
// with AWS) and the map does not say so, and the CI role trusts nothing where the map says
// so wrongly, or where the provider does not list the map's audience.
type oidcProvider struct{}

func (oidcProvider) Name() string { return "ci oidc provider" }

func (oidcProvider) Run(ctx context.Context, t Target) []Finding {
	o := t.Map.CI.OIDC
	switch {
	case o == nil:
		return []Finding{notApplicable("the CI principal is the IAM user %s: no OIDC provider is created", t.Map.CI.User)}
	case t.Account.Name == t.Map.Identity:
		return []Finding{notApplicable("the CI's OIDC provider is created in target accounts only")}
	case !listed(t.Map, t.Account.ID):
		return []Finding{notApplicable("the CI's OIDC provider is created in listed target accounts only: curfew-organization creates none")}
	}
	host := strings.TrimSuffix(strings.TrimPrefix(o.Issuer, "https://"), "/")
	c := iam.NewFromConfig(t.Config)
	out, err := c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return []Finding{unchecked("list the OIDC providers", err, "iam:ListOpenIDConnectProviders")}
	}
	existing := t.Map.CIProviderExists(t.Account)
	for _, p := range out.OpenIDConnectProviderList {
		arn := aws.ToString(p.Arn)
		if !strings.HasSuffix(arn, ":oidc-provider/"+host) {
			continue
		}
		if existing {
			return audienceListed(ctx, c, arn, o.Audience)
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
			fmt.Sprintf("reference it: set ciExistingProvider: true on account %s (or ci.oidc.existingProvider: true for every account; see the README's First deploy); do not delete it while other roles trust it", t.Account.Name))}
	}
	if existing {
		return []Finding{problem(
			fmt.Sprintf("the account map says %s has an OIDC provider for %s (existingProvider), but it has none: CurfewCI would trust a provider that does not exist", t.Account.Name, o.Issuer),
			fmt.Sprintf("set ciExistingProvider: false on account %s so that curfew creates it, or create the provider first", t.Account.Name))}
	}
	return []Finding{ok("no OIDC provider for %s yet: curfew's stack creates it", o.Issuer)}
}

// audienceListed checks that the existing provider at arn lists the map's audience among
// its client ids: tokens for another audience are refused by IAM before CurfewCI's trust
// is read.
func audienceListed(ctx context.Context, c *iam.Client, arn, audience string) []Finding {
	p, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)})
	if err != nil {
		return []Finding{unchecked("read the OIDC provider", err, "iam:GetOpenIDConnectProvider")}
	}
	if !slices.Contains(p.ClientIDList, audience) {
		return []Finding{problem(
			fmt.Sprintf("%s, which the map references, does not list the audience %s among its client ids %v", arn, audience, p.ClientIDList),
			fmt.Sprintf("aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn %s --client-id %s", arn, audience))}
	}
	return []Finding{ok("the map references the existing provider %s, which lists the audience %s", arn, audience)}
}
