package cdk_test

import (
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

func TestDevelopersManageOnlyTheirOwnCredentials(t *testing.T) {
	group := seed.logicalID(t, "curfew-identity", "AWS::IAM::Group", "GroupName", "developers")
	policies := seed.resources(t, "curfew-identity", "AWS::IAM::ManagedPolicy")
	attached := seed.resource(t, "curfew-identity", "AWS::IAM::Group", "GroupName", "developers")["ManagedPolicyArns"].([]any)

	var selfService map[string]any
	for id, p := range policies {
		if contains(p, "DenyAllExceptMFASetupWithoutMFA") {
			selfService = p
			if !contains(attached, `{"Ref":"`+id+`"}`) {
				t.Errorf("self-service policy %s is not attached to group %s", id, group)
			}
		}
	}
	if selfService == nil {
		t.Fatal("no self-service policy in curfew-identity")
	}
	st := statements(t, selfService["PolicyDocument"])
	self := "arn:aws:iam::111111111111:user/${aws:username}"
	for _, sid := range []string{"ManageOwnPassword", "ManageOwnAccessKeys", "ManageOwnMFA"} {
		assertJSON(t, sid+" resource", st[sid]["Resource"], self)
		if st[sid]["Effect"] != "Allow" {
			t.Errorf("%s effect = %v", sid, st[sid]["Effect"])
		}
	}
	assertJSON(t, "account info", st["ViewAccountInfo"]["Action"], []string{
		"iam:GetAccountPasswordPolicy", "iam:GetAccountSummary", "iam:ListAccountAliases", "iam:ListVirtualMFADevices",
	})
	assertJSON(t, "virtual MFA device", st["CreateOwnVirtualMFADevice"]["Resource"], "arn:aws:iam::111111111111:mfa/*")

	denyNoMFA := st["DenyAllExceptMFASetupWithoutMFA"]
	assertJSON(t, "MFA enforcement", denyNoMFA, parseJSON(t, `{
		"Sid": "DenyAllExceptMFASetupWithoutMFA",
		"Effect": "Deny",
		"NotAction": ["iam:ChangePassword", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice",
			"iam:GetAccountPasswordPolicy", "iam:GetMFADevice", "iam:GetUser", "iam:ListMFADevices",
			"iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
		"Resource": "*",
		"Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
	}`))
	// Only the deny statement may name every resource for more than account-wide reads.
	for sid, s := range st {
		if sid != "ViewAccountInfo" && sid != "DenyAllExceptMFASetupWithoutMFA" && equalJSON(s["Resource"], "*") {
			t.Errorf("%s allows every resource", sid)
		}
	}
}

func TestDevelopersAssumeExactlyEachDeveloperAccessRole(t *testing.T) {
	attached := seed.resource(t, "curfew-identity", "AWS::IAM::Group", "GroupName", "developers")["ManagedPolicyArns"]
	policies := seed.resources(t, "curfew-identity", "AWS::IAM::ManagedPolicy")
	for _, a := range seed.m.Targets() {
		var found []string
		for id, p := range policies {
			st := statements(t, p["PolicyDocument"])
			if s, ok := st["AssumeDeveloperAccess"]; ok && equalJSON(s["Resource"], a.RoleARN(accounts.DeveloperAccessRole)) {
				found = append(found, id)
				if len(st) != 1 || !equalJSON(s["Action"], "sts:AssumeRole") || s["Effect"] != "Allow" {
					t.Errorf("policy for %s: %v", a.Name, st)
				}
			}
		}
		if len(found) != 1 {
			t.Fatalf("%d policies allow assuming DeveloperAccess in %s, want 1", len(found), a.Name)
		}
		if !contains(attached, `{"Ref":"`+found[0]+`"}`) {
			t.Errorf("policy for %s is not attached to developers", a.Name)
		}
	}
	// The identity account has no DeveloperAccess of its own to switch to.
	for _, p := range policies {
		if contains(p, "arn:aws:iam::111111111111:role/DeveloperAccess") {
			t.Error("developers may assume a DeveloperAccess role in the identity account")
		}
	}
}

func TestCIUserHasItsOwnGroupAndNoPassword(t *testing.T) {
	user := seed.resource(t, "curfew-identity", "AWS::IAM::User", "UserName", "ci-deployer")
	if _, ok := user["LoginProfile"]; ok {
		t.Error("the CI user has a console password")
	}
	groups := user["Groups"].([]any)
	if len(groups) != 1 {
		t.Fatalf("CI user groups = %v, want its own group only", groups)
	}
	groupID := groups[0].(map[string]any)["Ref"].(string)
	group := seed.resources(t, "curfew-identity", "AWS::IAM::Group")[groupID]
	if group == nil || group["GroupName"] == "developers" {
		t.Fatalf("CI user is in %v, want a group of its own", groupID)
	}
	attached := group["ManagedPolicyArns"].([]any)
	if len(attached) != 1 {
		t.Fatalf("CI group policies = %v", attached)
	}
	policyID := attached[0].(map[string]any)["Ref"].(string)
	policy := seed.resources(t, "curfew-identity", "AWS::IAM::ManagedPolicy")[policyID]
	assertJSON(t, "CI group policy", policy["PolicyDocument"], parseJSON(t, `{
		"Version": "2012-10-17",
		"Statement": [{
			"Sid": "AssumeCIRoles",
			"Effect": "Allow",
			"Action": "sts:AssumeRole",
			"Resource": ["arn:aws:iam::222222222222:role/CurfewCI", "arn:aws:iam::333333333333:role/CurfewCI",
				"arn:aws:iam::444444444444:role/CurfewCI"]
		}]
	}`))
	if n := len(seed.resources(t, "curfew-identity", "AWS::IAM::User")); n != 1 {
		t.Errorf("%d IAM users in curfew-identity, want only the CI user", n)
	}
}

func TestOIDCMapCreatesNoIAMUser(t *testing.T) {
	if n := len(oidcOrg.resources(t, "curfew-identity", "AWS::IAM::User")); n != 0 {
		t.Errorf("%d IAM users with an OIDC CI principal, want 0", n)
	}
	if n := len(oidcOrg.resources(t, "curfew-identity", "AWS::IAM::Group")); n != 1 {
		t.Errorf("%d groups with an OIDC CI principal, want developers only", n)
	}
}

func TestCostReaderInEveryAccount(t *testing.T) {
	for _, o := range []*org{seed, oidcOrg} {
		for _, s := range o.all() {
			name := *s.StackName()
			if name == "curfew-service" {
				continue
			}
			role := o.role(t, name, accounts.CostReaderRole)
			home := o.m.HomeAccount().ID
			assertJSON(t, name+" cost reader trust", role["AssumeRolePolicyDocument"], parseJSON(t, `{
				"Version": "2012-10-17",
				"Statement": [{
					"Effect": "Allow",
					"Action": "sts:AssumeRole",
					"Principal": {"AWS": "arn:aws:iam::`+home+`:root"},
					"Condition": {
						"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::`+home+`:role/curfew-cost-report"},
						"StringEquals": {"sts:ExternalId": "`+o.m.ExternalID+`"}
					}
				}]
			}`))
			assertJSON(t, name+" cost reader policy", role["Policies"], parseJSON(t, `[{
				"PolicyName": "ReadCosts",
				"PolicyDocument": {
					"Version": "2012-10-17",
					"Statement": [{"Sid": "ReadCosts", "Effect": "Allow",
						"Action": ["ce:GetCostAndUsage", "ce:GetCostForecast"], "Resource": "*"}]
				}
			}]`))
			if _, ok := role["ManagedPolicyArns"]; ok {
				t.Errorf("%s: cost reader has managed policies", name)
			}
		}
	}
}
