package cdk_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/curfew/curfew/cdk"
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
	assertJSON(t, "access keys without MFA", st["DenyAllButMFASignInWithAccessKeysWithoutMFA"], parseJSON(t, `{
		"Sid": "DenyAllButMFASignInWithAccessKeysWithoutMFA",
		"Effect": "Deny",
		"NotAction": ["iam:GetMFADevice", "iam:GetUser", "iam:ListMFADevices", "sts:GetSessionToken"],
		"Resource": "*",
		"Condition": {"Null": {"aws:MultiFactorAuthPresent": "true"}}
	}`))
	// Only the deny statements may name every resource for more than account-wide reads.
	for sid, s := range st {
		if sid != "ViewAccountInfo" && s["Effect"] != "Deny" && equalJSON(s["Resource"], "*") {
			t.Errorf("%s allows every resource", sid)
		}
	}
}

// TestDevelopersAssumeExactlyEachDeveloperAccessRole: the developers group's policies
// other than self-service allow sts:AssumeRole on exactly every target's DeveloperAccess,
// each once, and nothing else.
func TestDevelopersAssumeExactlyEachDeveloperAccessRole(t *testing.T) {
	attached := seed.resource(t, "curfew-identity", "AWS::IAM::Group", "GroupName", "developers")["ManagedPolicyArns"].([]any)
	policies := seed.resources(t, "curfew-identity", "AWS::IAM::ManagedPolicy")
	var roles []any
	for _, r := range attached {
		p := policies[r.(map[string]any)["Ref"].(string)]
		if contains(p, "DenyAllExceptMFASetupWithoutMFA") {
			continue
		}
		st := statements(t, p["PolicyDocument"])
		s, ok := st["AssumeDeveloperAccess"]
		if !ok || len(st) != 1 || !equalJSON(s["Action"], "sts:AssumeRole") || s["Effect"] != "Allow" || s["Condition"] != nil {
			t.Fatalf("developers policy %v, want only AssumeDeveloperAccess", st)
		}
		switch res := s["Resource"].(type) {
		case string:
			roles = append(roles, res)
		case []any:
			roles = append(roles, res...)
		}
	}
	var want []any
	for _, a := range seed.m.Targets() {
		want = append(want, a.RoleARN(accounts.DeveloperAccessRole))
	}
	// The identity account has no DeveloperAccess of its own to switch to.
	assertJSON(t, "roles developers may assume", roles, want)
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
	var groups []string
	for _, g := range oidcOrg.resources(t, "curfew-identity", "AWS::IAM::Group") {
		groups = append(groups, fmt.Sprint(g["GroupName"]))
	}
	slices.Sort(groups)
	if want := []string{cdk.DevelopersGroup, cdk.OperatorsGroup}; !slices.Equal(groups, want) {
		t.Errorf("groups %v with an OIDC CI principal, want %v only", groups, want)
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
						"Action": ["ce:GetCostAndUsage", "ce:GetCostForecast", "ce:GetReservationCoverage", "ce:GetSavingsPlansCoverage"], "Resource": "*"}]
				}
			}]`))
			if _, ok := role["ManagedPolicyArns"]; ok {
				t.Errorf("%s: cost reader has managed policies", name)
			}
		}
	}
}

// TestSelfServiceBySimulation puts an attacker's questions to the developers' own
// policies in the identity account: with leaked access keys (no MFA key in the request),
// at a first console sign-in without MFA (the key present and false), and signed in with
// MFA, on their own user and on someone else's.
func TestSelfServiceBySimulation(t *testing.T) {
	simulateEachMap(t, selfServiceQuestions)
}

func selfServiceQuestions(t *testing.T, o *org) []question {
	p := principals{t, o}
	id := o.m.IdentityAccount().ID
	dev := p.developer()
	user := func(name string) string { return "arn:aws:iam::" + id + ":user/" + name }
	alice, bob := user("alice"), user("bob")
	aliceDevice := "arn:aws:iam::" + id + ":mfa/alice"
	attackerDevice := "arn:aws:iam::" + id + ":mfa/attacker-phone"
	keys := withPrincipalARN(signedInAs("alice", "", nil), alice)
	console := merge(keys, map[string]any{"aws:MultiFactorAuthPresent": "false"})
	withMFA := merge(keys, mfa(300))
	var qs []question
	ask := func(who string, ctx map[string]any, action, resource, want string) {
		qs = append(qs, question{name: who + " calls " + action + " on " + resource, principal: alice, context: ctx,
			identity: dev, action: action, resource: resource, want: want, honours: slices.Sorted(maps.Keys(ctx))})
	}

	// Leaked access keys: nothing that would give the attacker an MFA device, a password
	// or keys of their own, nor lock the owner out; only what finds the MFA serial.
	// (sts:GetSessionToken is not asked: IAM applies no policy to it, and without the
	// owner's device it yields no MFA session.)
	leaked := "alice's leaked access keys"
	for _, q := range []struct{ action, resource string }{
		{"iam:CreateVirtualMFADevice", attackerDevice},
		{"iam:EnableMFADevice", alice},
		{"iam:ResyncMFADevice", alice},
		{"iam:DeactivateMFADevice", alice},
		{"iam:ChangePassword", alice},
		{"iam:GetAccountPasswordPolicy", "*"},
		{"iam:ListVirtualMFADevices", "*"},
		{"iam:CreateAccessKey", alice},
		{"iam:UpdateAccessKey", alice},
		{"iam:DeleteAccessKey", alice},
	} {
		ask(leaked, keys, q.action, q.resource, explicitlyDenied)
	}
	ask(leaked, keys, "iam:EnableMFADevice", bob, denied)
	ask(leaked, keys, "iam:CreateLoginProfile", alice, denied)
	for _, q := range []struct{ action, resource string }{
		{"iam:GetUser", alice}, {"iam:ListMFADevices", alice}, {"iam:GetMFADevice", alice},
	} {
		ask(leaked, keys, q.action, q.resource, allowed)
	}

	// First console sign-in without MFA: change the initial password, set up a device.
	first := "alice in the console without MFA"
	for _, q := range []struct{ action, resource string }{
		{"iam:GetAccountPasswordPolicy", "*"},
		{"iam:ChangePassword", alice},
		{"iam:GetUser", alice},
		{"iam:ListMFADevices", alice},
		{"iam:ListVirtualMFADevices", "*"},
		{"iam:CreateVirtualMFADevice", aliceDevice},
		{"iam:EnableMFADevice", alice},
	} {
		ask(first, console, q.action, q.resource, allowed)
	}
	for _, q := range []struct{ action, resource string }{
		{"iam:CreateAccessKey", alice}, {"iam:DeactivateMFADevice", alice}, {"iam:GetAccountSummary", "*"},
		{"iam:EnableMFADevice", bob}, {"iam:ChangePassword", bob},
	} {
		ask(first, console, q.action, q.resource, denied)
	}

	// Signed in with MFA: every self-service grant of the synthesised policy, on alice's own
	// user and devices only.
	self := p.selfService()
	signedIn := "alice with MFA"
	for sid, s := range statements(t, self) {
		if s["Effect"] != "Allow" {
			continue
		}
		resource := s["Resource"].(string)
		own := strings.ReplaceAll(strings.ReplaceAll(resource, "${aws:username}", "alice"), "mfa/*", "mfa/alice")
		actions, ok := s["Action"].([]any)
		if !ok {
			actions = []any{s["Action"]}
		}
		for _, x := range actions {
			action := x.(string)
			ask(signedIn, withMFA, action, own, allowed)
			if strings.Contains(resource, "${aws:username}") {
				ask(signedIn+" ("+sid+")", withMFA, action, bob, denied)
			}
		}
	}
	for _, q := range []struct{ action, resource string }{
		{"iam:CreateLoginProfile", bob}, {"iam:UpdateLoginProfile", bob}, {"iam:CreateUser", user("mallory")},
		{"iam:AttachUserPolicy", alice}, {"iam:AddUserToGroup", "arn:aws:iam::" + id + ":group/admins"},
	} {
		ask(signedIn, withMFA, q.action, q.resource, denied)
	}
	return qs
}
