package cdk_test

import (
	"slices"
	"testing"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

// TestCIRoleReferencesAnExistingOIDCProvider (issue 19, item 2): an account whose map says
// it already has the issuer's OIDC provider gets no provider from curfew (IAM allows one
// per issuer, so creating it would fail the deploy); its CI role trusts the provider by
// ARN with the same conditions, and the guardrails keep that provider as they keep one
// curfew creates. An account that says otherwise still gets its provider.
func TestCIRoleReferencesAnExistingOIDCProvider(t *testing.T) {
	o := synthMap(t, "testdata/upgrade/existing-provider.yaml")
	const issuer = "token.actions.githubusercontent.com"
	var existing, created int
	for _, a := range o.m.Targets() {
		stack := "curfew-" + a.Name
		arn := "arn:aws:iam::" + a.ID + ":oidc-provider/" + issuer
		guards := statements(t, o.resource(t, stack, "AWS::IAM::ManagedPolicy", "ManagedPolicyName", cdk.GuardrailsPolicy)["PolicyDocument"])
		if r, _ := guards["KeepCurfewIAM"]["Resource"].([]any); !slices.Contains(r, any(arn)) {
			t.Errorf("%s: the guardrails do not keep %s: %v", a.Name, arn, r)
		}
		if !o.m.CIProviderExists(a) {
			created++
			assertOIDCTrust(t, o, a.Name, o.m.CISubject(a))
			continue
		}
		existing++
		if n := len(o.resources(t, stack, "AWS::IAM::OIDCProvider")); n != 0 {
			t.Errorf("%s: %d OIDC providers created in an account that has one", a.Name, n)
		}
		assertJSON(t, a.Name+" CI trust", o.role(t, stack, accounts.CIRole)["AssumeRolePolicyDocument"], parseJSON(t, `{
			"Version": "2012-10-17",
			"Statement": [{
				"Effect": "Allow",
				"Action": "sts:AssumeRoleWithWebIdentity",
				"Principal": {"Federated": "`+arn+`"},
				"Condition": {"StringEquals": {
					"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
					"token.actions.githubusercontent.com:sub": "repo:acme/infra:ref:refs/heads/main"
				}}
			}]
		}`))
	}
	// staging and production reference theirs; sandbox (ciExistingProvider: false) creates it.
	if existing != 2 || created != 1 {
		t.Errorf("%d accounts reference an existing provider and %d create one, want 2 and 1", existing, created)
	}
	o.noNagFindings(t)
}

// TestCreatedOIDCProviderIsRetained: the provider curfew creates stays when its stack
// drops it, so an account can switch to ciExistingProvider: true (or CI back to a user,
// or curfew be removed) without deleting what other roles of the account may trust.
func TestCreatedOIDCProviderIsRetained(t *testing.T) {
	for _, a := range oidcOrg.m.Targets() {
		stack := "curfew-" + a.Name
		tmpl := oidcOrg.templates[stack]["Resources"].(map[string]any)
		id := oidcOrg.logicalID(t, stack, "AWS::IAM::OIDCProvider", "Url", "https://token.actions.githubusercontent.com")
		r := tmpl[id].(map[string]any)
		if r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain" {
			t.Errorf("%s: the OIDC provider has DeletionPolicy %v and UpdateReplacePolicy %v, want Retain", a.Name, r["DeletionPolicy"], r["UpdateReplacePolicy"])
		}
	}
}
