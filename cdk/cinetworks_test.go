package cdk_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// TestCIUserKeyWorksOnlyFromItsNetworks asks the simulator what a leaked static key of
// the CI user can do from elsewhere: with ci.sourceIps and ci.sourceVpcs, the CI user
// assumes CurfewCI from a listed range or a listed VPC only. Both the identity account
// (the CI group's policy) and each target account (CurfewCI's trust) enforce it, so either
// alone refuses a request from elsewhere.
func TestCIUserKeyWorksOnlyFromItsNetworks(t *testing.T) {
	o := synthMap(t, "testdata/ci-networks.yaml")
	p := principals{t, o}
	m := o.m
	ciUser := "arn:aws:iam::" + m.IdentityAccount().ID + ":user/" + m.CI.User
	ci := p.ciUser()
	from := func(ip, vpc string) map[string]any {
		ctx := map[string]any{"aws:PrincipalArn": ciUser, "aws:username": m.CI.User}
		if ip != "" {
			ctx["aws:SourceIp"] = ip
		}
		if vpc != "" {
			ctx["aws:SourceVpc"] = vpc
		}
		return ctx
	}
	cases := []struct {
		name    string
		ip, vpc string
		want    string
		// identityOnly asks the identity account's policy alone (no trust policy): its
		// explicit Deny is the answer.
		identityOnly bool
	}{
		{"from the CI runners' range", "203.0.113.7", "", allowed, false},
		{"from the CI runners' VPC (through a VPC endpoint: no source IP)", "", "vpc-0a1b2c3d4e5f60718", allowed, false},
		{"from an address outside the range", "198.51.100.9", "", denied, false},
		{"from another VPC", "", "vpc-0ffffffffffffffff", denied, false},
		{"from an address outside the range, asking the identity account's policy alone", "198.51.100.9", "", explicitlyDenied, true},
	}
	var qs []question
	for _, a := range m.Targets() {
		role := a.RoleARN(accounts.CIRole)
		trust := p.trust("curfew-"+a.Name, accounts.CIRole)
		for _, c := range cases {
			ctx := from(c.ip, c.vpc)
			q := question{name: a.Name + ": CI user " + c.name, principal: ciUser, context: ctx, identity: ci,
				action: "sts:AssumeRole", resource: role, trust: trust, want: c.want, honours: slices.Sorted(maps.Keys(ctx))}
			if c.identityOnly {
				q.trust = nil
			}
			qs = append(qs, q)
		}
		// The target account alone: even if the identity account's policies allowed
		// everything, CurfewCI's trust refuses a request from elsewhere.
		ctx := from("198.51.100.9", "")
		qs = append(qs, question{name: a.Name + ": CI user with every identity permission, from outside the range", principal: ciUser,
			context: ctx, identity: allowEverything, action: "sts:AssumeRole", resource: role, trust: trust,
			want: explicitlyDenied, honours: slices.Sorted(maps.Keys(ctx))})
	}
	simulate(t, qs)
}
