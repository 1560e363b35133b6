package cdk_test

import (
	"testing"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

// TestReportReadersBySimulation (issue 17, item 5): the report names its HTML page by the
// S3 console URL and s3:// address, read with the reader's own session. curfew-operator
// reads and lists the pages under reports/ and nothing else of the bucket; the cost
// report writes them and no longer reads them (it signs no link); the operators and
// developers as IAM users of the identity account, and other accounts, read nothing.
func TestReportReadersBySimulation(t *testing.T) {
	simulateEachMap(t, reportReaderQuestions)
}

// bucketName stands for the service bucket's generated name in the simulated policies.
const bucketName = "curfew-service-bucket83908e77-1x2y3z4w5v6u"

func reportReaderQuestions(t *testing.T, o *org) []question {
	p := principals{t, o}
	m := o.m
	identity, home := m.IdentityAccount(), m.HomeAccount()
	var bucket string
	for id, b := range o.resources(t, service, "AWS::S3::Bucket") {
		if contains(b["LifecycleConfiguration"], "ExpireReports") {
			bucket = id
		}
	}
	if bucket == "" {
		t.Fatal("no bucket of reports")
	}
	// resolve turns the bucket's Fn::GetAtt into a stand-in ARN: name the bucket as S3 does.
	named := func(policies []namedPolicy) []namedPolicy {
		return withRealARNs(t, policies, m.HomeRegion, home.ID, map[string]string{bucket: "arn:aws:s3:::" + bucketName})
	}
	object := func(key string) string { return "arn:aws:s3:::" + bucketName + "/" + key }
	page := object("reports/2026/11/27/cost-20261127T070000Z.html")
	run := object("runs/2026/11/26/20261126T190000Z-shutdown-1a2b.json")

	var qs []question
	ask := func(name, principal, principalARN string, ctx map[string]any, id []namedPolicy, action, resource, want string) {
		ctx = withPrincipalARN(ctx, principalARN)
		qs = append(qs, question{name: name, principal: principal, context: ctx, identity: id, action: action,
			resource: resource, account: home.ID, want: want})
	}
	operator := home.RoleARN(accounts.OperatorRole)
	opSession, opPolicies := session(home.ID, accounts.OperatorRole), named(p.role(service, accounts.OperatorRole))
	op := func(name, action, resource string, ctx map[string]any, want string) {
		ask("curfew-operator "+name, opSession, operator, ctx, opPolicies, action, resource, want)
	}
	op("reads a report", "s3:GetObject", page, nil, allowed)
	op("reads a delivery marker", "s3:GetObject", object("reports/sent/schedule-2026-11-27/email"), nil, allowed)
	op("reads run history", "s3:GetObject", run, nil, denied)
	op("reads a lease", "s3:GetObject", object("lease/111111111111"), nil, denied)
	op("writes a report", "s3:PutObject", page, nil, denied)
	op("deletes a report", "s3:DeleteObject", page, nil, denied)
	op("changes a report's ACL", "s3:PutObjectAcl", page, nil, denied)
	op("reads a report in another bucket", "s3:GetObject", "arn:aws:s3:::another-bucket/reports/x.html", nil, denied)
	bucketARN := "arn:aws:s3:::" + bucketName
	list := func(name, prefix, want string) {
		qs = append(qs, question{name: "curfew-operator lists " + name, principal: opSession,
			context: map[string]any{"aws:PrincipalArn": operator, "s3:prefix": prefix}, identity: opPolicies,
			action: "s3:ListBucket", resource: bucketARN, account: home.ID, want: want, honours: []string{"s3:prefix"}})
	}
	list("the reports of a day", "reports/2026/11/27/", allowed)
	list("one report (the console's object page)", "reports/2026/11/27/cost-20261127T070000Z.html", allowed)
	list("run history", "runs/", denied)
	list("the whole bucket", "", denied)
	op("changes the bucket policy", "s3:PutBucketPolicy", bucketARN, nil, denied)

	fn := m.LambdaRoleARN(accounts.CostReportFunction)
	fnSession, fnPolicies := session(home.ID, accounts.CostReportFunction), named(p.role(service, accounts.CostReportFunction))
	ask("curfew-cost-report writes a report", fnSession, fn, nil, fnPolicies, "s3:PutObject", page, allowed)
	ask("curfew-cost-report reads a report (it signs no link)", fnSession, fn, nil, fnPolicies, "s3:GetObject", page, denied)

	// Only through the role: no bucket policy names another principal, so the identity
	// account's users (operators and developers alike) and other accounts read nothing,
	// whatever their own policies say.
	alice := "arn:aws:iam::" + identity.ID + ":user/alice"
	ops := p.group(o.logicalID(t, "curfew-identity", "AWS::IAM::Group", "GroupName", cdk.OperatorsGroup))
	if identity.ID != home.ID {
		ask("operator with MFA reads a report as their IAM user, with admin policies", alice, alice,
			signedInAs("alice", "", mfa(60)), append(ops, allowEverything...), "s3:GetObject", page, denied)
	} else {
		ask("operator with MFA reads a report as their IAM user", alice, alice, signedInAs("alice", "", mfa(60)), ops, "s3:GetObject", page, denied)
	}
	ask("developer with MFA reads a report with their own policies", alice, alice, signedInAs("alice", "", mfa(60)), p.developer(), "s3:GetObject", page, denied)
	mallory := "arn:aws:iam::999999999999:user/mallory"
	ask("IAM user of another account with admin policies reads a report", mallory, mallory, signedInAs("mallory", "", mfa(60)),
		allowEverything, "s3:GetObject", page, denied)
	return qs
}
