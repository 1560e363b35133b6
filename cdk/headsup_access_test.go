package cdk_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

// TestHeadsUpBySimulation asks the simulator, with the synthesised policies and trusts of
// the heads-up map, the attacker's questions (issue 30): the link function, public behind
// its URL, may read the key and the links, record a link used and assume CurfewSnoozeLink
// in swept accounts, and nothing else: it stops and starts nothing, cannot assume
// CurfewScheduler, write links or the key, or read other parameters than the key and the
// Slack app's signing secret (the map names it: the heads-up's buttons). CurfewSnoozeLink
// writes the snooze's two tags, in its swept regions, and nothing else; no principal but
// the link function's role may assume it (a member-account administrator, the identity
// account's users, the CI user, the shutdown's and the heads-up's roles); production and
// shutdown-off accounts have none, and the link function could not assume one there.
// The heads-up plans through the shutdown only, and tags nothing.
func TestHeadsUpBySimulation(t *testing.T) {
	o := headsUpOrg(t)
	p := principals{t, o}
	m := o.m
	home, identity := m.HomeAccount(), m.IdentityAccount()
	region := m.HomeRegion
	var qs []question

	// resolve turns the template's references to its own resources into stand-in ARNs:
	// name the bucket, functions, topic and key as AWS does.
	realARNs := map[string]string{}
	for id, f := range o.resources(t, service, "AWS::Lambda::Function") {
		realARNs[id] = fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, home.ID, f["FunctionName"])
	}
	bucket := historyBucket(t, o)
	realARNs[bucket] = "arn:aws:s3:::" + bucketName
	topic := o.logicalID(t, service, "AWS::SNS::Topic", "DisplayName", "curfew")
	topicARN := fmt.Sprintf("arn:aws:sns:%s:%s:curfew-service-Topic", region, home.ID)
	realARNs[topic] = topicARN
	named := func(policies []namedPolicy) []namedPolicy {
		return withRealARNs(t, policies, region, home.ID, realARNs)
	}
	function := func(name string) string {
		return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, home.ID, name)
	}
	parameter := func(name string) string { return fmt.Sprintf("arn:aws:ssm:%s:%s:parameter%s", region, home.ID, name) }
	object := func(key string) string { return "arn:aws:s3:::" + bucketName + "/" + key }
	key := parameter(accounts.HeadsUpKeyParameter)
	link, used := object("heads-up/links/3f2a9c.json"), object("heads-up/used/3f2a9c.json")
	// A trust that lets the home account in: the caller's own policies decide.
	open := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": "arn:aws:iam::" + home.ID + ":root"}}}}
	ext := map[string]any{"sts:ExternalId": m.ExternalID}

	staging, _ := m.Account("staging")
	instance := func(a accounts.Account, region string) string {
		return fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-0123456789abcdef0", region, a.ID)
	}
	db := fmt.Sprintf("arn:aws:rds:eu-west-1:%s:db:app-db", staging.ID)
	cluster := fmt.Sprintf("arn:aws:rds:eu-central-1:%s:cluster:aurora", staging.ID)

	// The home account's functions.
	for _, fn := range []string{accounts.SnoozeLinkFunction, accounts.HeadsUpFunction} {
		policies, principal, arn := named(p.role(service, fn)), session(home.ID, fn), m.LambdaRoleARN(fn)
		ask := func(name, action, resource string, ctx map[string]any, trust any, want string) {
			qs = append(qs, question{name: fn + " " + name, principal: principal, context: withPrincipalARN(ctx, arn),
				identity: policies, action: action, resource: resource, trust: trust, want: want, account: home.ID})
		}
		is := func(f string, yes, no string) string {
			if fn == f {
				return yes
			}
			return no
		}
		linkOnly := func(yes string) string { return is(accounts.SnoozeLinkFunction, yes, denied) }
		headsOnly := func(yes string) string { return is(accounts.HeadsUpFunction, yes, denied) }
		ask("reads the link key", "ssm:GetParameter", key, nil, nil, allowed)
		ask("creates the link key", "ssm:PutParameter", key, nil, nil, headsOnly(allowed))
		ask("deletes the link key", "ssm:DeleteParameter", key, nil, nil, denied)
		ask("reads an owner's webhook", "ssm:GetParameter", parameter("/curfew/owners/team-b"), nil, nil, headsOnly(allowed))
		ask("writes an owner's webhook", "ssm:PutParameter", parameter("/curfew/owners/team-b"), nil, nil, denied)
		ask("reads the report's webhook", "ssm:GetParameter", parameter(cdk.SlackWebhookParameter), nil, nil, denied)
		ask("reads another parameter", "ssm:GetParameter", parameter("/prod/db-password"), nil, nil, denied)
		slackSecret := parameter(m.SlackSigningSecret())
		ask("reads the Slack app's signing secret", "ssm:GetParameter", slackSecret, nil, nil, linkOnly(allowed))
		ask("changes the Slack app's signing secret", "ssm:PutParameter", slackSecret, nil, nil, denied)
		ask("reads a parameter beside the Slack app's signing secret", "ssm:GetParameter", slackSecret+"-old", nil, nil, denied)
		ask("reads the Slack app's signing secret in another region", "ssm:GetParameter",
			fmt.Sprintf("arn:aws:ssm:us-east-1:%s:parameter%s", home.ID, m.SlackSigningSecret()), nil, nil, denied)
		ask("reads every parameter of curfew by path", "ssm:GetParametersByPath", parameter("/curfew"), nil, nil, denied)
		ask("writes a link", "s3:PutObject", object("heads-up/links/forged.json"), nil, nil, headsOnly(allowed))
		ask("reads a link", "s3:GetObject", link, nil, nil, linkOnly(allowed))
		ask("deletes a link", "s3:DeleteObject", link, nil, nil, denied)
		ask("records a link used", "s3:PutObject", used, nil, nil, linkOnly(allowed))
		ask("reads a link's use", "s3:GetObject", used, nil, nil, linkOnly(allowed))
		ask("deletes a link's use (to replay it)", "s3:DeleteObject", used, nil, nil, denied)
		ask("reads run history", "s3:GetObject", object("runs/2026/11/26/20261126T190000Z-shutdown-1a2b.json"), nil, nil, denied)
		ask("takes a run lease", "s3:PutObject", object("lease/222222222222"), nil, nil, denied)
		ask("lists the bucket", "s3:ListBucket", "arn:aws:s3:::"+bucketName, nil, nil, denied)
		ask("invokes the shutdown", "lambda:InvokeFunction", function(accounts.ShutdownFunction), nil, nil, headsOnly(allowed))
		ask("invokes the restart", "lambda:InvokeFunction", function(accounts.RestartFunction), nil, nil, denied)
		ask("invokes the cost report", "lambda:InvokeFunction", function(accounts.CostReportFunction), nil, nil, denied)
		ask("reads the link function's URL", "lambda:GetFunctionUrlConfig", function(accounts.SnoozeLinkFunction), nil, nil, headsOnly(allowed))
		ask("changes the link function's URL", "lambda:UpdateFunctionUrlConfig", function(accounts.SnoozeLinkFunction), nil, nil, denied)
		ask("changes the link function's code", "lambda:UpdateFunctionCode", function(accounts.SnoozeLinkFunction), nil, nil, denied)
		ask("publishes to the topic", "sns:Publish", topicARN, nil, nil, headsOnly(allowed))
		for _, a := range []struct{ action, resource string }{
			{"ec2:StopInstances", instance(staging, "eu-west-1")}, {"ec2:StartInstances", instance(staging, "eu-west-1")},
			{"ec2:CreateTags", instance(staging, "eu-west-1")}, {"rds:StopDBInstance", db}, {"rds:StartDBCluster", cluster},
			{"rds:AddTagsToResource", db},
		} {
			ask("calls "+a.action+" in staging itself", a.action, a.resource, map[string]any{"aws:TagKeys": []any{accounts.SnoozeUntilTag}}, nil, denied)
		}
		ask("assumes CurfewScheduler in staging (a trust that lets it in)", "sts:AssumeRole", staging.RoleARN(accounts.SchedulerRole), ext, open, denied)
		ask("assumes CurfewSnoozeLink in staging", "sts:AssumeRole", staging.RoleARN(accounts.SnoozeLinkRole), ext,
			p.trust("curfew-staging", accounts.SnoozeLinkRole), linkOnly(allowed))
		ask("assumes CurfewSnoozeLink in staging with a wrong ExternalId", "sts:AssumeRole", staging.RoleARN(accounts.SnoozeLinkRole),
			map[string]any{"sts:ExternalId": m.ExternalID + "-x"}, p.trust("curfew-staging", accounts.SnoozeLinkRole), denied)
		ask("assumes CurfewSnoozeLink in staging without ExternalId", "sts:AssumeRole", staging.RoleARN(accounts.SnoozeLinkRole),
			nil, p.trust("curfew-staging", accounts.SnoozeLinkRole), denied)
		// Accounts without the role: even one made there by hand, trusting the home account,
		// is out of the link function's reach.
		for _, name := range []string{"production", "tooling", "nightly"} {
			a, _ := m.Account(name)
			ask("assumes a CurfewSnoozeLink trusting it in "+name, "sts:AssumeRole", a.RoleARN(accounts.SnoozeLinkRole), ext, open, denied)
		}
		ask("assumes a CurfewSnoozeLink trusting it outside the map", "sts:AssumeRole", "arn:aws:iam::888888888888:role/"+accounts.SnoozeLinkRole, ext, open, denied)

		// Accounts found in the units: the swept unit's by its template's trust.
		const found = "777777777777"
		unitTrust := resolve(bodyRoles(body(t, stackSets(t, o)["ou-ab12-nonprod1"]))[accounts.SnoozeLinkRole]["AssumeRolePolicyDocument"], found, region)
		inUnit := func(units ...string) map[string]any {
			return merge(ext, map[string]any{"aws:ResourceOrgPaths": []string{"o-a1b2c3d4e5/r-ab12/" + strings.Join(units, "/") + "/"}})
		}
		foundRole := "arn:aws:iam::" + found + ":role/"
		qs = append(qs,
			question{name: fn + " assumes CurfewSnoozeLink in an account of the swept unit", principal: principal,
				context: withPrincipalARN(inUnit("ou-ab12-nonprod1"), arn), identity: policies, action: "sts:AssumeRole",
				resource: foundRole + accounts.SnoozeLinkRole, trust: unitTrust, want: linkOnly(allowed), honours: []string{"aws:ResourceOrgPaths"}},
			question{name: fn + " assumes a CurfewSnoozeLink trusting it in an account of the production unit", principal: principal,
				context: withPrincipalARN(inUnit("ou-ab12-product1"), arn), identity: policies, action: "sts:AssumeRole",
				resource: foundRole + accounts.SnoozeLinkRole, trust: open, want: denied, honours: []string{"aws:ResourceOrgPaths"}},
			question{name: fn + " assumes a CurfewSnoozeLink trusting it in an account of the unit with the shutdown off", principal: principal,
				context: withPrincipalARN(inUnit("ou-ab12-nosweep1"), arn), identity: policies, action: "sts:AssumeRole",
				resource: foundRole + accounts.SnoozeLinkRole, trust: open, want: denied, honours: []string{"aws:ResourceOrgPaths"}},
			question{name: fn + " assumes a CurfewSnoozeLink trusting it in a child unit of the swept unit", principal: principal,
				context: withPrincipalARN(inUnit("ou-ab12-nonprod1", "ou-ab12-child001"), arn), identity: policies, action: "sts:AssumeRole",
				resource: foundRole + accounts.SnoozeLinkRole, trust: open, want: denied, honours: []string{"aws:ResourceOrgPaths"}},
			question{name: fn + " assumes a CurfewScheduler trusting it in an account of the swept unit", principal: principal,
				context: withPrincipalARN(inUnit("ou-ab12-nonprod1"), arn), identity: policies, action: "sts:AssumeRole",
				resource: foundRole + accounts.SchedulerRole, trust: open, want: denied},
		)
	}

	// Who may assume CurfewSnoozeLink: the link function's role, and nobody else, whatever
	// their own policies allow.
	for _, a := range m.Swept() {
		stack := "curfew-" + a.Name
		role, trust := a.RoleARN(accounts.SnoozeLinkRole), p.trust(stack, accounts.SnoozeLinkRole)
		assume := func(name, principal, principalARN string, ctx map[string]any, id []namedPolicy, want string) {
			qs = append(qs, question{name: a.Name + ": " + name + " assumes CurfewSnoozeLink", principal: principal,
				context: withPrincipalARN(ctx, principalARN), identity: id, action: "sts:AssumeRole", resource: role, trust: trust, want: want})
		}
		admin := "arn:aws:iam::" + a.ID + ":role/admin"
		assume("the account's own administrator with the ExternalId", session(a.ID, "admin"), admin, ext, allowEverything, denied)
		devRole := a.RoleARN(accounts.DeveloperAccessRole)
		assume("DeveloperAccess with the ExternalId", session(a.ID, accounts.DeveloperAccessRole), devRole, ext, allowEverything, denied)
		alice := "arn:aws:iam::" + identity.ID + ":user/alice"
		assume("an identity-account administrator with MFA and the ExternalId", alice, alice, signedInAs("alice", "alice", merge(ext, mfa(60))), allowEverything, denied)
		ci := "arn:aws:iam::" + identity.ID + ":user/" + m.CI.User
		assume("the CI user with the ExternalId", ci, ci, ext, assumeAnyRole, denied)
		for _, fn := range []string{accounts.ShutdownFunction, accounts.RestartFunction, accounts.HeadsUpFunction, accounts.CostReportFunction} {
			assume(fn+" with the ExternalId", session(home.ID, fn), m.LambdaRoleARN(fn), ext, allowEverything, denied)
		}
		other := "arn:aws:iam::" + home.ID + ":role/other-admin"
		assume("another administrator role of the home account with the ExternalId", session(home.ID, "other-admin"), other, ext, allowEverything, denied)
		assume("curfew-snooze-link with the ExternalId", session(home.ID, accounts.SnoozeLinkFunction), m.LambdaRoleARN(accounts.SnoozeLinkFunction), ext,
			named(p.role(service, accounts.SnoozeLinkFunction)), allowed)

		// What CurfewSnoozeLink may do: the snooze's two tags on instances, databases and
		// clusters of the account's swept regions.
		policies := p.role(stack, accounts.SnoozeLinkRole)
		call := func(name, action, resource string, ctx map[string]any, want string, honours ...string) {
			qs = append(qs, question{name: a.Name + ": CurfewSnoozeLink " + name, principal: session(a.ID, accounts.SnoozeLinkRole),
				context: withPrincipalARN(ctx, role), identity: policies, action: action, resource: resource, want: want, honours: honours})
		}
		snooze := map[string]any{"aws:TagKeys": []any{accounts.SnoozeUntilTag, accounts.SnoozedByTag}}
		r := a.DefaultRegion()
		dbIn := fmt.Sprintf("arn:aws:rds:%s:%s:db:app-db", r, a.ID)
		clusterIn := fmt.Sprintf("arn:aws:rds:%s:%s:cluster:aurora", r, a.ID)
		for _, region := range a.Regions {
			call("tags an instance in "+region+" with the snooze", "ec2:CreateTags", instance(a, region), snooze, allowed, "aws:TagKeys")
			call("describes instances in "+region, "ec2:DescribeInstances", "*", map[string]any{"aws:RequestedRegion": region}, allowed)
		}
		call("tags an instance with curfew:snooze-until alone", "ec2:CreateTags", instance(a, r),
			map[string]any{"aws:TagKeys": []any{accounts.SnoozeUntilTag}}, allowed)
		call("tags a database with the snooze", "rds:AddTagsToResource", dbIn, snooze, allowed, "aws:TagKeys")
		call("tags an Aurora cluster with the snooze", "rds:AddTagsToResource", clusterIn, snooze, allowed, "aws:TagKeys")
		call("reads a database's tags", "rds:ListTagsForResource", dbIn, map[string]any{"aws:RequestedRegion": r}, allowed)
		for _, tags := range [][]any{
			{accounts.SkipTag}, {"Name"}, {accounts.SnoozeUntilTag, "Name"}, {accounts.StoppedAtTag},
			{accounts.SnoozedByTag, accounts.StoppedByRunTag},
		} {
			call(fmt.Sprintf("tags an instance with %v", tags), "ec2:CreateTags", instance(a, r), map[string]any{"aws:TagKeys": tags}, denied, "aws:TagKeys")
			call(fmt.Sprintf("tags a database with %v", tags), "rds:AddTagsToResource", dbIn, map[string]any{"aws:TagKeys": tags}, denied, "aws:TagKeys")
		}
		call("tags an instance without naming tag keys", "ec2:CreateTags", instance(a, r), nil, denied)
		call("deletes the snooze from an instance", "ec2:DeleteTags", instance(a, r), snooze, denied)
		call("deletes every tag of an instance", "ec2:DeleteTags", instance(a, r), nil, denied)
		call("deletes the snooze from a database", "rds:RemoveTagsFromResource", dbIn, snooze, denied)
		call("tags an instance in a region not swept", "ec2:CreateTags", instance(a, "ap-south-1"), snooze, denied)
		call("tags a database in a region not swept", "rds:AddTagsToResource", fmt.Sprintf("arn:aws:rds:ap-south-1:%s:db:app-db", a.ID), snooze, denied)
		call("describes instances in a region not swept", "ec2:DescribeInstances", "*", map[string]any{"aws:RequestedRegion": "ap-south-1"}, denied, "aws:RequestedRegion")
		call("tags an Auto Scaling group with the snooze", "autoscaling:CreateOrUpdateTags",
			fmt.Sprintf("arn:aws:autoscaling:%s:%s:autoScalingGroup:1a2b:autoScalingGroupName/web", r, a.ID), snooze, denied)
		for _, w := range []struct{ action, resource string }{
			{"ec2:StopInstances", instance(a, r)}, {"ec2:StartInstances", instance(a, r)}, {"ec2:TerminateInstances", instance(a, r)},
			{"rds:StopDBInstance", dbIn}, {"rds:StartDBInstance", dbIn}, {"rds:DeleteDBInstance", dbIn},
			{"rds:StopDBCluster", clusterIn}, {"rds:StartDBCluster", clusterIn},
		} {
			call("calls "+w.action, w.action, w.resource, map[string]any{"aws:RequestedRegion": r}, denied)
		}
		call("assumes CurfewScheduler (a trust that lets it in)", "sts:AssumeRole", a.RoleARN(accounts.SchedulerRole), nil, denied)
		call("passes a role", "iam:PassRole", "arn:aws:iam::"+a.ID+":role/admin", nil, denied)
	}
	simulate(t, qs)

	for _, name := range []string{"identity", "production", "tooling", "nightly"} {
		if _, ok := o.stacks.Members[name]; ok && principals.hasRole(p, "curfew-"+name, accounts.SnoozeLinkRole) {
			t.Errorf("%s has %s", name, accounts.SnoozeLinkRole)
		}
	}
}
