package preflight

import (
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/curfew/curfew/internal/faultproxy"
)

// cfnTrust is the trust of a CDK bootstrap's CloudFormation execution role.
const cfnTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudformation.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// executionRole creates what `cdk bootstrap` makes of the execution role in the account of
// tg, cdk-<qualifier>-cfn-exec-role-<account>-<region>: with the managed policies (by ARN),
// the inline policy document (when not "") and the permissions boundary (when not "").
// moto here holds no AWS managed policy (AttachRolePolicy answers NoSuchEntity for
// AdministratorAccess): the proxy answers the role's ListAttachedRolePolicies in the shape
// of the IAM API reference, with every managed policy in it.
func (o *org) executionRole(t *testing.T, tg Target, qualifier, region string, managed []string, inline, boundary string) {
	t.Helper()
	c := iam.NewFromConfig(tg.Config)
	name := fmt.Sprintf("cdk-%s-cfn-exec-role-%s-%s", qualifier, tg.Account.ID, region)
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(cfnTrust)}
	if boundary != "" {
		in.PermissionsBoundary = aws.String(boundary)
	}
	if _, err := c.CreateRole(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	var members strings.Builder
	for _, arn := range managed {
		fmt.Fprintf(&members, "<member><PolicyName>%s</PolicyName><PolicyArn>%s</PolicyArn></member>", path.Base(arn), arn)
	}
	if len(managed) > 0 {
		o.proxy.Add(faultproxy.Rule{Account: tg.Account.ID, Service: "iam", Action: "ListAttachedRolePolicies", Kind: faultproxy.Answer,
			Match: func(c faultproxy.Call) bool { return c.Params.Get("RoleName") == name },
			Body: `<ListAttachedRolePoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListAttachedRolePoliciesResult><AttachedPolicies>` +
				members.String() + `</AttachedPolicies><IsTruncated>false</IsTruncated></ListAttachedRolePoliciesResult>` +
				`<ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></ListAttachedRolePoliciesResponse>`})
	}
	if inline != "" {
		if _, err := c.PutRolePolicy(t.Context(), &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("Inline"), PolicyDocument: aws.String(inline)}); err != nil {
			t.Fatal(err)
		}
	}
}

// customerPolicy creates a customer managed policy in the account of tg and returns its ARN.
func customerPolicy(t *testing.T, tg Target, name, document string) string {
	t.Helper()
	out, err := iam.NewFromConfig(tg.Config).CreatePolicy(t.Context(), &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(document)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Policy.Arn)
}

const administratorAccess = "arn:aws:iam::aws:policy/AdministratorAccess"

// A CDK bootstrap's CloudFormation execution role in a target account is administrator by
// default; whoever may use the bootstrap's deploy role (DeveloperAccess, CurfewCI with
// ciCdkDeploy) deploys through it past every guardrail. Preflight refuses it, in any
// region and with any qualifier, unless a permissions boundary or narrower execution
// policies close that door, or the map accepts it by name (a warning, no problem).
func TestUnboundedBootstrapIsRefused(t *testing.T) {
	accept := func(text string) string {
		return strings.Replace(text, "    ciPolicies: [PowerUserAccess]", "    ciPolicies: [PowerUserAccess]\n    overrides: [unbounded-bootstrap]", 1)
	}
	tests := []struct {
		name   string
		edit   func(string) string
		setup  func(t *testing.T, o *org, tg Target)
		status Status
		detail []string
		fix    []string
	}{
		{name: "AdministratorAccess, no boundary",
			setup: func(t *testing.T, o *org, tg Target) {
				o.executionRole(t, tg, "hnb659fds", "eu-west-1", []string{administratorAccess}, "", "")
			},
			status: Problem,
			detail: []string{"cdk-hnb659fds-cfn-exec-role-%s-eu-west-1 (bootstrap hnb659fds, eu-west-1) has AdministratorAccess and no permissions boundary: " +
				"whoever may use the bootstrap's deploy role (DeveloperAccess, CurfewCI with ciCdkDeploy) deploys as administrator, past every guardrail"},
			fix: []string{"cdk bootstrap aws://%s/eu-west-1 --profile staging --custom-permissions-boundary CurfewCDKExecution",
				"--cloudformation-execution-policies", "overrides: [unbounded-bootstrap]"}},
		{name: "an inline Allow of everything, another qualifier and region",
			setup: func(t *testing.T, o *org, tg Target) {
				o.executionRole(t, tg, "apps", "us-east-1", nil, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, "")
			},
			status: Problem,
			detail: []string{"cdk-apps-cfn-exec-role-%s-us-east-1 (bootstrap apps, us-east-1) has inline policy Inline and no permissions boundary"},
			fix:    []string{"cdk bootstrap aws://%s/us-east-1 --profile staging --qualifier apps --custom-permissions-boundary CurfewCDKExecution"}},
		{name: "IAM's every action through NotAction",
			setup: func(t *testing.T, o *org, tg Target) {
				arn := customerPolicy(t, tg, "AlmostEverything", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["organizations:*"],"Resource":"*"}]}`)
				o.executionRole(t, tg, "hnb659fds", "eu-west-1", []string{arn}, "", "")
			},
			status: Problem,
			detail: []string{"has AlmostEverything and no permissions boundary"}},
		{name: "AdministratorAccess within a boundary",
			setup: func(t *testing.T, o *org, tg Target) {
				boundary := customerPolicy(t, tg, "CurfewCDKExecution", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`)
				o.executionRole(t, tg, "hnb659fds", "eu-west-1", []string{administratorAccess}, "", boundary)
			},
			status: OK,
			detail: []string{"cdk-hnb659fds-cfn-exec-role-%s-eu-west-1 (bootstrap hnb659fds, eu-west-1) is bounded by CurfewCDKExecution"}},
		{name: "narrower execution policies",
			setup: func(t *testing.T, o *org, tg Target) {
				arn := customerPolicy(t, tg, "AppDeploy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","lambda:*","cloudformation:*"],"Resource":"*"}]}`)
				// PowerUserAccess's shape: everything but IAM, Organizations and Account.
				power := customerPolicy(t, tg, "PowerUser", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},`+
					`{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles"],"Resource":"*"}]}`)
				o.executionRole(t, tg, "hnb659fds", "eu-west-1", []string{arn, power}, "", "")
			},
			status: OK,
			detail: []string{"has no permissions boundary, and its execution policies (AppDeploy, PowerUser) cannot create a role and give it any policy"}},
		{name: "curfew's own bootstrap",
			setup: func(t *testing.T, o *org, tg Target) {
				o.executionRole(t, tg, "curfew", "eu-west-1", []string{administratorAccess}, "", "")
			},
			status: OK,
			detail: []string{"curfew's own bootstrap, whose roles CurfewGuardrails denies DeveloperAccess and CurfewCI"}},
		{name: "accepted by the map", edit: accept,
			setup: func(t *testing.T, o *org, tg Target) {
				o.executionRole(t, tg, "hnb659fds", "eu-west-1", []string{administratorAccess}, "", "")
			},
			status: Warning,
			detail: []string{"has AdministratorAccess and no permissions boundary, accepted by the map (accounts[1].overrides: unbounded-bootstrap): whoever may use the bootstrap's deploy role"}},
		{name: "no execution role",
			setup:  func(*testing.T, *org, Target) {},
			status: OK,
			detail: []string{"no CDK bootstrap has an execution role in this account"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrg(t, tt.edit)
			staging := o.target(t, "staging")
			tt.setup(t, o, staging)
			results := Run(t.Context(), staging, []Check{cdkExecution{}})
			if len(results[0].Findings) != 1 {
				t.Fatalf("findings:\n%s", dump(results))
			}
			f := results[0].Findings[0]
			if f.Status != tt.status {
				t.Errorf("status %s, want %s:\n%s", f.Status, tt.status, dump(results))
			}
			for _, w := range tt.detail {
				if w = strings.ReplaceAll(w, "%s", staging.Account.ID); !strings.Contains(f.Detail, w) {
					t.Errorf("detail lacks %q:\n%s", w, f.Detail)
				}
			}
			if (f.Status == Problem) != (f.Fix != "") || strings.Contains(f.Fix, "\n") {
				t.Errorf("fix %q for a %s", f.Fix, f.Status)
			}
			for _, w := range tt.fix {
				if w = strings.ReplaceAll(w, "%s", staging.Account.ID); !strings.Contains(f.Fix, w) {
					t.Errorf("fix lacks %q:\n%s", w, f.Fix)
				}
			}
		})
	}

	// The identity account holds no DeveloperAccess or CurfewCI: nobody curfew lets in can
	// use a bootstrap's deploy role there.
	o := newOrg(t, nil)
	identity := o.target(t, "identity")
	o.executionRole(t, identity, "hnb659fds", "eu-west-1", []string{administratorAccess}, "", "")
	if results := Run(t.Context(), identity, []Check{cdkExecution{}}); results[0].Findings[0].Status != NotApplicable {
		t.Errorf("identity:\n%s", dump(results))
	}
}
