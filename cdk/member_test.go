package cdk_test

import (
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// managedPolicyARNs is how the template names the AWS managed policies of the map.
func managedPolicyARNs(names ...string) []any {
	var out []any
	for _, n := range names {
		out = append(out, map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":iam::aws:policy/" + n}}})
	}
	return out
}

func TestDeveloperAccessRequiresMFA(t *testing.T) {
	tests := []struct {
		org      *org
		account  string
		policies []string
	}{
		{seed, "staging", []string{"PowerUserAccess"}},
		{seed, "sandbox", []string{"AdministratorAccess"}},
		{seed, "production", []string{"ReadOnlyAccess"}},
		{oidcOrg, "root", []string{"job-function/ViewOnlyAccess"}},
	}
	for _, tt := range tests {
		t.Run(tt.account, func(t *testing.T) {
			role := tt.org.role(t, "curfew-"+tt.account, accounts.DeveloperAccessRole)
			identity := tt.org.m.IdentityAccount().ID
			// The CI user, when there is one, is excluded by name.
			notCI := ""
			if u := tt.org.m.CI.User; u != "" {
				notCI = `"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::` + identity + `:user/` + u + `"},`
			}
			assertJSON(t, "trust", role["AssumeRolePolicyDocument"], parseJSON(t, `{
				"Version": "2012-10-17",
				"Statement": [{
					"Effect": "Allow",
					"Action": "sts:AssumeRole",
					"Principal": {"AWS": "arn:aws:iam::`+identity+`:root"},
					"Condition": {
						"Bool": {"aws:MultiFactorAuthPresent": "true"},
						"NumericLessThan": {"aws:MultiFactorAuthAge": 43200},
						"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::`+identity+`:user/*"},
						`+notCI+`
						"StringEquals": {"sts:RoleSessionName": "${aws:username}", "aws:PrincipalTag/curfew:developer": "true"}
					}
				}]
			}`))
			assertJSON(t, "session", role["MaxSessionDuration"], 4*3600)
			assertJSON(t, "policies", role["ManagedPolicyArns"], managedPolicyARNs(tt.policies...))
		})
	}
}

func TestCIRoleTrustsOnlyTheCIUserWithoutMFA(t *testing.T) {
	for _, a := range seed.m.Targets() {
		role := seed.role(t, "curfew-"+a.Name, accounts.CIRole)
		assertJSON(t, a.Name+" CI trust", role["AssumeRolePolicyDocument"], parseJSON(t, `{
			"Version": "2012-10-17",
			"Statement": [{
				"Effect": "Allow",
				"Action": "sts:AssumeRole",
				"Principal": {"AWS": "arn:aws:iam::111111111111:root"},
				"Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:user/ci-deployer"}}
			}]
		}`))
		if contains(role["AssumeRolePolicyDocument"], "MultiFactor") {
			t.Errorf("%s: the CI role requires MFA", a.Name)
		}
		assertJSON(t, a.Name+" CI policies", role["ManagedPolicyArns"], managedPolicyARNs(a.CIPolicies...))
		assertJSON(t, a.Name+" CI session", role["MaxSessionDuration"], 3600)
	}
}

func TestCIRoleTrustsOnlyTheOIDCSubject(t *testing.T) {
	for _, a := range oidcOrg.m.Targets() {
		assertOIDCTrust(t, oidcOrg, a.Name, oidcOrg.m.CISubject(a))
	}
	// An ARN in the map is used as the AWS managed policy it names.
	role := oidcOrg.role(t, "curfew-tooling", accounts.CIRole)
	assertJSON(t, "tooling CI policies", role["ManagedPolicyArns"], managedPolicyARNs("PowerUserAccess"))
}

func TestSchedulerRoleOnlyInSweptAccounts(t *testing.T) {
	tests := []struct {
		org     *org
		account string
		want    bool
	}{
		{seed, "staging", true},
		{seed, "sandbox", true},
		{seed, "production", false},
		{oidcOrg, "root", false},    // production
		{oidcOrg, "tooling", false}, // non-production with shutdown: false
		{oidcOrg, "dev", true},
	}
	for _, tt := range tests {
		stack := "curfew-" + tt.account
		var n int
		for _, r := range tt.org.resources(t, stack, "AWS::IAM::Role") {
			if r["RoleName"] == accounts.SchedulerRole {
				n++
			}
			if contains(r, "ec2:StopInstances") || contains(r, "rds:StopDB") {
				if r["RoleName"] != accounts.SchedulerRole || !tt.want {
					t.Errorf("%s: role %v may stop resources", stack, r["RoleName"])
				}
			}
		}
		if got := n == 1; got != tt.want {
			t.Errorf("%s: %d CurfewScheduler roles, want present=%v", stack, n, tt.want)
		}
	}
	if contains(seed.templates["curfew-identity"], accounts.SchedulerRole) {
		t.Error("curfew-identity mentions CurfewScheduler")
	}
}

func TestSchedulerTrustsOnlyTheLambdaRolesWithExternalID(t *testing.T) {
	role := seed.role(t, "curfew-staging", accounts.SchedulerRole)
	assertJSON(t, "scheduler trust", role["AssumeRolePolicyDocument"], parseJSON(t, `{
		"Version": "2012-10-17",
		"Statement": [{
			"Effect": "Allow",
			"Action": "sts:AssumeRole",
			"Principal": {"AWS": "arn:aws:iam::111111111111:root"},
			"Condition": {
				"ArnEquals": {"aws:PrincipalArn": ["arn:aws:iam::111111111111:role/curfew-shutdown",
					"arn:aws:iam::111111111111:role/curfew-restart"]},
				"StringEquals": {"sts:ExternalId": "curfew-acme-2f9c1d"}
			}
		}]
	}`))
	// With a separate home account, the trust names the home account, not the identity one.
	dev := oidcOrg.role(t, "curfew-dev", accounts.SchedulerRole)
	if !contains(dev["AssumeRolePolicyDocument"], `"AWS":"arn:aws:iam::000000000003:root"`) ||
		!contains(dev["AssumeRolePolicyDocument"], "arn:aws:iam::000000000003:role/curfew-shutdown") {
		t.Errorf("dev scheduler trust does not name the home account tooling: %v", dev["AssumeRolePolicyDocument"])
	}
}

func TestSchedulerLeastPrivilege(t *testing.T) {
	role := seed.role(t, "curfew-staging", accounts.SchedulerRole)
	policies := role["Policies"].([]any)
	if len(policies) != 1 {
		t.Fatalf("scheduler inline policies = %d, want 1", len(policies))
	}
	if _, ok := role["ManagedPolicyArns"]; ok {
		t.Error("the scheduler role has managed policies")
	}
	st := statements(t, policies[0].(map[string]any)["PolicyDocument"])
	regions := func(format string) []string {
		// Sorted as the template sorts them: eu-central-1 before eu-west-1.
		return []string{
			"arn:aws:" + format[:3] + ":eu-central-1:222222222222:" + format[4:],
			"arn:aws:" + format[:3] + ":eu-west-1:222222222222:" + format[4:],
		}
	}
	groups := []string{
		"arn:aws:autoscaling:eu-central-1:222222222222:autoScalingGroup:*:autoScalingGroupName/*",
		"arn:aws:autoscaling:eu-west-1:222222222222:autoScalingGroup:*:autoScalingGroupName/*",
	}
	inRegions := parseJSON(t, `{"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}`)
	ownTags := parseJSON(t, `{
		"ForAllValues:StringEquals": {"aws:TagKeys": ["curfew:stopped-at", "curfew:stopped-by"]},
		"Null": {"aws:TagKeys": "false"}
	}`)
	tests := []struct {
		sid        string
		actions    any
		resources  any
		conditions any
	}{
		{"Describe", []string{"application-autoscaling:DescribeScalableTargets", "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScheduledActions",
			"ec2:DescribeInstances", "ecs:DescribeTaskDefinition", "ecs:ListClusters", "ecs:ListServices", "eks:ListClusters",
			"rds:DescribeDBClusters", "rds:DescribeDBInstances", "rds:DescribeEvents", "rds:ListTagsForResource"}, "*", nil},
		{"StopAndStartEC2", []string{"ec2:StartInstances", "ec2:StopInstances"}, regions("ec2/instance/*"), nil},
		{"StopAndStartRDSInstances", []string{"rds:StartDBInstance", "rds:StopDBInstance"}, regions("rds/db:*"), nil},
		{"StopAndStartAuroraClusters", []string{"rds:StartDBCluster", "rds:StopDBCluster"}, regions("rds/cluster:*"), nil},
		{"MarkEC2", []string{"ec2:CreateTags", "ec2:DeleteTags"}, regions("ec2/instance/*"), ownTags},
		{"MarkRDS", []string{"rds:AddTagsToResource", "rds:RemoveTagsFromResource"}, []string{
			"arn:aws:rds:eu-central-1:222222222222:cluster:*", "arn:aws:rds:eu-central-1:222222222222:db:*",
			"arn:aws:rds:eu-west-1:222222222222:cluster:*", "arn:aws:rds:eu-west-1:222222222222:db:*",
		}, ownTags},
		{"ScaleAutoScalingGroups", "autoscaling:UpdateAutoScalingGroup", groups, nil},
		{"MarkAutoScalingGroups", []string{"autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags"}, groups, parseJSON(t, `{
			"ForAllValues:StringEquals": {"aws:TagKeys": ["curfew:stopped-at", "curfew:stopped-by", "curfew:asg-capacity"]},
			"Null": {"aws:TagKeys": "false"}
		}`)},
		// By aws:RequestedRegion: one ARN whatever the number of regions.
		{"ScaleECSServices", []string{"ecs:DescribeServices", "ecs:UpdateService"}, "arn:aws:ecs:*:222222222222:service/*", inRegions},
		{"MarkECSServices", []string{"ecs:TagResource", "ecs:UntagResource"}, "arn:aws:ecs:*:222222222222:service/*", parseJSON(t, `{
			"ForAllValues:StringEquals": {"aws:TagKeys": ["curfew:stopped-at", "curfew:stopped-by", "curfew:ecs-desired", "curfew:ecs-min-capacity"]},
			"Null": {"aws:TagKeys": "false"},
			"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}
		}`)},
		{"ScaleECSScalableTargets", "application-autoscaling:RegisterScalableTarget", "arn:aws:application-autoscaling:*:222222222222:scalable-target/*", inRegions},
		{"ScaleNodegroups", []string{"eks:DescribeNodegroup", "eks:ListNodegroups", "eks:UpdateNodegroupConfig"},
			[]string{"arn:aws:eks:*:222222222222:cluster/*", "arn:aws:eks:*:222222222222:nodegroup/*"}, inRegions},
		{"MarkNodegroups", []string{"eks:TagResource", "eks:UntagResource"}, "arn:aws:eks:*:222222222222:nodegroup/*", parseJSON(t, `{
			"ForAllValues:StringEquals": {"aws:TagKeys": ["curfew:stopped-at", "curfew:stopped-by", "curfew:eks-scaling"]},
			"Null": {"aws:TagKeys": "false"},
			"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}
		}`)},
		{"GrantKeysToEC2", "kms:CreateGrant", regions("kms/key/*"),
			parseJSON(t, `{"Bool": {"kms:GrantIsForAWSResource": "true"}}`)},
	}
	for _, tt := range tests {
		s, ok := st[tt.sid]
		if !ok {
			t.Errorf("no statement %s", tt.sid)
			continue
		}
		if s["Effect"] != "Allow" {
			t.Errorf("%s effect = %v", tt.sid, s["Effect"])
		}
		assertJSON(t, tt.sid+" actions", s["Action"], tt.actions)
		assertJSON(t, tt.sid+" resources", s["Resource"], tt.resources)
		assertJSON(t, tt.sid+" conditions", s["Condition"], tt.conditions)
	}
	assertJSON(t, "deny on curfew:skip", st["NeverStopSkipped"], parseJSON(t, `{
		"Sid": "NeverStopSkipped",
		"Effect": "Deny",
		"Action": ["application-autoscaling:RegisterScalableTarget", "autoscaling:UpdateAutoScalingGroup", "ec2:StopInstances",
			"ecs:UpdateService", "eks:UpdateNodegroupConfig", "rds:StopDBCluster", "rds:StopDBInstance"],
		"Resource": "*",
		"Condition": {"StringEqualsIgnoreCase": {"aws:ResourceTag/curfew:skip": "true"}}
	}`))
	if len(st) != len(tests)+1 {
		t.Errorf("scheduler has %d statements, want %d", len(st), len(tests)+1)
	}
	for _, sid := range []string{"MarkEC2", "MarkRDS", "MarkAutoScalingGroups", "MarkECSServices", "MarkNodegroups"} {
		if contains(st[sid], accounts.SkipTag) || contains(st[sid], accounts.SnoozeUntilTag) {
			t.Errorf("%s: the scheduler may write the owners' tags", sid)
		}
	}
}

// assertOIDCTrust asserts that the account's CI role trusts exactly the OIDC subject, with
// the audience of the map, through a provider in the account: compared with StringEquals,
// or with StringLike when the subject has a wildcard.
func assertOIDCTrust(t *testing.T, o *org, account, subject string) {
	t.Helper()
	stack := "curfew-" + account
	provider := o.logicalID(t, stack, "AWS::IAM::OIDCProvider", "Url", "https://token.actions.githubusercontent.com")
	assertJSON(t, account+" audiences", o.resources(t, stack, "AWS::IAM::OIDCProvider")[provider]["ClientIdList"],
		[]string{"sts.amazonaws.com"})
	sub := `"token.actions.githubusercontent.com:sub": "` + subject + `"`
	conditions := `"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", ` + sub + `}`
	if strings.ContainsAny(subject, "*?") {
		conditions = `"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
			"StringLike": {` + sub + `}`
	}
	assertJSON(t, account+" CI trust", o.role(t, stack, accounts.CIRole)["AssumeRolePolicyDocument"], parseJSON(t, `{
		"Version": "2012-10-17",
		"Statement": [{
			"Effect": "Allow",
			"Action": "sts:AssumeRoleWithWebIdentity",
			"Principal": {"Federated": {"Ref": "`+provider+`"}},
			"Condition": {`+conditions+`}
		}]
	}`))
}

// TestCIRoleTrustsEachAccountsOIDCSubject: a production account's CI role trusts only its
// own ciSubject (a protected environment), never the organisation-wide branch pattern
// the other accounts use; a subject without wildcards is compared literally.
func TestCIRoleTrustsEachAccountsOIDCSubject(t *testing.T) {
	o := synthMap(t, "testdata/oidc-subjects.yaml")
	tests := []struct{ account, subject string }{
		{"production", "repo:acme/infra:environment:production"},
		{"staging", "repo:acme/infra:ref:refs/heads/*"},
	}
	for _, tt := range tests {
		a, ok := o.m.Account(tt.account)
		if !ok {
			t.Fatalf("no account %s in the map", tt.account)
		}
		if got := o.m.CISubject(a); got != tt.subject {
			t.Fatalf("%s: the map's effective subject is %q, want %q", tt.account, got, tt.subject)
		}
		assertOIDCTrust(t, o, tt.account, tt.subject)
	}
	if trust := o.role(t, "curfew-production", accounts.CIRole)["AssumeRolePolicyDocument"]; contains(trust, "refs/heads") || contains(trust, "StringLike") {
		t.Errorf("production's CI role trusts a branch or a pattern: %v", trust)
	}
}
