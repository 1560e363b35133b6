package cdk_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

// The access tests evaluate the synthesised policies with an IAM policy simulator,
// @cloud-copilot/iam-simulate (AGPL-3.0, a test-only tool installed into .tools by `make
// tools`, never shipped): moto enforces no conditions, trust policies or MFA, so access
// is proven here. A cross-account question gives the simulator both the caller's identity
// policies and the role's trust policy (the resource policy of sts:AssumeRole).

const (
	iamSimulate = "../.tools/node_modules/@cloud-copilot/iam-simulate/dist/esm/index.js"
	allowed     = "Allowed"
	// denied is either ExplicitlyDenied or ImplicitlyDenied.
	denied           = "Denied"
	explicitlyDenied = "ExplicitlyDenied"
)

// question is one request put to the simulator, and the decision it must get.
type question struct {
	name      string
	principal string
	context   map[string]any
	identity  []namedPolicy
	action    string
	resource  string
	// trust is the resource policy: a role's trust policy for sts:AssumeRole; nil for none.
	trust any
	want  string
	// honours lists context keys the question is about: the simulator must evaluate them,
	// not drop them as not applicable to the request (it answers as if they were absent).
	honours []string
	// account is the resource's account, for ARNs that do not hold one (S3 objects); ""
	// takes it from the ARN.
	account string
}

type namedPolicy struct {
	Name   string `json:"name"`
	Policy any    `json:"policy"`
}

// membership is a group of the identity account whose members may assume its role, as
// outsiderQuestions names it.
type membership struct {
	role                   string        // as the questions name it: DeveloperAccess
	group, member, aMember string        // developers, developer, a developer
	other                  string        // a member of the other group: operator
	tag, otherTag          string        // the tags that make a member of each group
	policies               []namedPolicy // the group's
}

// outsiderQuestions asks, through assume, whether those outside m's group may assume its
// role, all with MFA: a role of the identity account with admin policies and a member's
// session name (a role's session has no aws:username, and its caller picks the session
// name); an IAM user of another account; users of the identity account not tagged as its
// members, whatever their own policies allow: outside the group, a member of the other
// group, one added to the group but not tagged. And, allowed, a member tagged as m's only.
func outsiderQuestions(identity accounts.Account, m membership, assume func(name, principal, principalARN string, ctx map[string]any, id []namedPolicy, want string)) {
	adminRole := "arn:aws:iam::" + identity.ID + ":role/admin"
	assume("identity-account role with MFA, admin policies and session alice assumes "+m.role,
		"arn:aws:sts::"+identity.ID+":assumed-role/admin/alice", adminRole,
		merge(mfa(60), map[string]any{"sts:RoleSessionName": "alice"}), allowEverything, denied)
	mallory := "arn:aws:iam::999999999999:user/mallory"
	assume("IAM user of another account with MFA and admin policies assumes "+m.role, mallory, mallory,
		signedInAs("mallory", "mallory", mfa(60)), allowEverything, denied)
	bob := "arn:aws:iam::" + identity.ID + ":user/bob"
	asBob := func(ctx map[string]any, tags ...string) map[string]any {
		return untagged(signedInAs("bob", "bob", ctx), tags...)
	}
	assume("identity-account user outside "+m.group+", with MFA and sts:AssumeRole on every role, assumes "+m.role, bob, bob,
		asBob(mfa(60), accounts.DeveloperTag, accounts.OperatorTag), assumeAnyRole, denied)
	assume("identity-account user outside "+m.group+", with MFA and admin policies, assumes "+m.role, bob, bob,
		asBob(mfa(60), accounts.DeveloperTag, accounts.OperatorTag), allowEverything, denied)
	assume(m.other+" not tagged as "+m.aMember+", with MFA and sts:AssumeRole on every role, assumes "+m.role, bob, bob,
		asBob(mfa(60), m.tag), assumeAnyRole, denied)
	assume("user added to "+m.group+" but not tagged, with MFA, assumes "+m.role, bob, bob,
		asBob(mfa(60), accounts.DeveloperTag, accounts.OperatorTag), m.policies, denied)
	assume(m.member+" tagged as "+m.aMember+" only, with MFA, assumes "+m.role, bob, bob,
		asBob(mfa(60), m.otherTag), m.policies, allowed)
}

// simulateEachMap asks the simulator the questions of each account map whose roles every
// access test checks: one with a CI user (testdata/ci-user.yaml), one with CI over OIDC
// (testdata/oidc.yaml).
func simulateEachMap(t *testing.T, questions func(*testing.T, *org) []question) {
	for name, o := range map[string]*org{"testdata/ci-user.yaml": seed, "testdata/oidc.yaml": oidcOrg} {
		t.Run(name, func(t *testing.T) { simulate(t, questions(t, o)) })
	}
}

// simulate answers every question in one run of the simulator and checks the decisions.
func simulate(t *testing.T, questions []question) {
	t.Helper()
	node, err := exec.LookPath("node")
	if _, serr := os.Stat(iamSimulate); err != nil || serr != nil {
		t.Fatalf("the IAM policy simulator is missing (node: %v; %s: %v): run `make tools`, and run the tests with `make test`", err, iamSimulate, serr)
	}
	type sim struct {
		Name       string `json:"name"`
		Simulation any    `json:"simulation"`
	}
	var in []sim
	for _, q := range questions {
		s := map[string]any{
			"request": map[string]any{
				"principal":        q.principal,
				"action":           q.action,
				"resource":         map[string]any{"resource": q.resource, "accountId": cmp.Or(q.account, accountOf(q.resource, q.principal))},
				"contextVariables": orEmpty(q.context),
			},
			"identityPolicies":        q.identity,
			"serviceControlPolicies":  []any{},
			"resourceControlPolicies": []any{},
		}
		if q.trust != nil {
			s["resourcePolicy"] = q.trust
		}
		in = append(in, sim{q.name, s})
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "testdata/iamsim.mjs", iamSimulate)
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("iamsim: %v\n%s", err, stderr.String())
	}
	var answers []struct {
		Name     string   `json:"name"`
		Decision string   `json:"decision"`
		Errors   any      `json:"errors"`
		Ignored  []string `json:"ignored"`
	}
	if err := json.Unmarshal(out, &answers); err != nil || len(answers) != len(questions) {
		t.Fatalf("iamsim answered %d of %d questions (%v):\n%s", len(answers), len(questions), err, out)
	}
	for i, q := range questions {
		got := answers[i].Decision
		ok := got == q.want || q.want == denied && (got == explicitlyDenied || got == "ImplicitlyDenied")
		for _, k := range q.honours {
			if slices.ContainsFunc(answers[i].Ignored, func(i string) bool { return strings.EqualFold(i, k) }) {
				t.Errorf("%s: the simulator ignored %s, so the answer %s does not depend on it", q.name, k, got)
			}
		}
		if !ok {
			t.Errorf("%s: %s (%v), want %s", q.name, got, answers[i].Errors, q.want)
		} else {
			t.Logf("%s: %s", q.name, got)
		}
	}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// accountOf is the account of a resource ARN (its fifth field); a call on "*" (an action
// without resource types) stays in the principal's own account.
func accountOf(resource, principal string) string {
	if resource == "*" {
		resource = principal
	}
	return strings.Split(resource, ":")[4]
}

// resolve replaces the CloudFormation functions of a template value with strings: the
// partition is aws, the stack's account and region are filled in, and references to the
// stack's own resources become ARNs that match nothing asked here.
func resolve(v any, account, region string) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = resolve(x, account, region)
		}
		return out
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok && len(v) == 1 {
			switch ref {
			case "AWS::Partition":
				return "aws"
			case "AWS::AccountId":
				return account
			case "AWS::Region":
				return region
			}
			return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack-resource/%s", region, account, ref)
		}
		if att, ok := v["Fn::GetAtt"].([]any); ok && len(v) == 1 {
			return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack-resource/%v", region, account, att[0])
		}
		if join, ok := v["Fn::Join"].([]any); ok && len(v) == 1 {
			var parts []string
			for _, p := range join[1].([]any) {
				parts = append(parts, fmt.Sprint(resolve(p, account, region)))
			}
			return strings.Join(parts, join[0].(string))
		}
		out := map[string]any{}
		for k, x := range v {
			out[k] = resolve(x, account, region)
		}
		return out
	}
	return v
}

// principals builds the identity policies of the organisation's principals from its
// synthesised templates.
type principals struct {
	t *testing.T
	o *org
}

func (p principals) account(stack string) (accounts.Account, string) {
	switch stack {
	case "curfew-identity":
		return p.o.m.IdentityAccount(), p.o.m.HomeRegion
	case service:
		return p.o.m.HomeAccount(), p.o.m.HomeRegion
	case cdk.OrganizationStackName:
		return accounts.Account{ID: p.o.m.ManagementAccountID()}, p.o.m.HomeRegion
	}
	a, ok := p.o.m.Account(strings.TrimPrefix(stack, "curfew-"))
	if !ok {
		p.t.Fatalf("no account for stack %s", stack)
	}
	return a, a.DefaultRegion()
}

// managed returns the documents of the stack's customer managed policies named by refs.
func (p principals) managed(stack string, refs any) []namedPolicy {
	a, region := p.account(stack)
	policies := p.o.resources(p.t, stack, "AWS::IAM::ManagedPolicy")
	var out []namedPolicy
	for _, r := range refs.([]any) {
		id, ok := r.(map[string]any)["Ref"].(string)
		if !ok {
			p.t.Fatalf("%s: managed policy %v is not one of the stack's", stack, r)
		}
		out = append(out, namedPolicy{id, resolve(policies[id]["PolicyDocument"], a.ID, region)})
	}
	return out
}

// group returns the identity policies of the identity account's group with logical id.
func (p principals) group(id string) []namedPolicy {
	g := p.o.resources(p.t, "curfew-identity", "AWS::IAM::Group")[id]
	if g == nil {
		p.t.Fatalf("no group %s", id)
	}
	return p.managed("curfew-identity", g["ManagedPolicyArns"])
}

// selfService returns the document of the developers' self-service policy.
func (p principals) selfService() any {
	for _, np := range p.developer() {
		if contains(np.Policy, "DenyAllExceptMFASetupWithoutMFA") {
			return np.Policy
		}
	}
	p.t.Fatal("no self-service policy attached to the developers group")
	return nil
}

// developer returns the policies of a member of the developers group.
func (p principals) developer() []namedPolicy {
	return p.group(p.o.logicalID(p.t, "curfew-identity", "AWS::IAM::Group", "GroupName", "developers"))
}

// ciUser returns the policies of the CI user, through its groups.
func (p principals) ciUser() []namedPolicy {
	u := p.o.resource(p.t, "curfew-identity", "AWS::IAM::User", "UserName", p.o.m.CI.User)
	var out []namedPolicy
	for _, g := range u["Groups"].([]any) {
		out = append(out, p.group(g.(map[string]any)["Ref"].(string))...)
	}
	if u["Policies"] != nil || u["ManagedPolicyArns"] != nil {
		p.t.Fatalf("the CI user has policies of its own: %v", u)
	}
	return out
}

// role returns the identity policies of the stack's role: its inline policies, the
// AWS::IAM::Policy resources attached to it, and the stack's customer managed policies
// attached to it (by the role's ManagedPolicyArns or the policy's Roles). AWS managed
// policies are left out: the template holds only their ARNs (see managedARNs).
func (p principals) role(stack, name string) []namedPolicy {
	a, region := p.account(stack)
	id := p.o.logicalID(p.t, stack, "AWS::IAM::Role", "RoleName", name)
	role := p.o.resources(p.t, stack, "AWS::IAM::Role")[id]
	var out []namedPolicy
	inline, _ := role["Policies"].([]any)
	for _, x := range inline {
		x := x.(map[string]any)
		out = append(out, namedPolicy{x["PolicyName"].(string), resolve(x["PolicyDocument"], a.ID, region)})
	}
	for pid, pol := range p.o.resources(p.t, stack, "AWS::IAM::Policy") {
		if contains(pol["Roles"], `"`+id+`"`) {
			out = append(out, namedPolicy{pid, resolve(pol["PolicyDocument"], a.ID, region)})
		}
	}
	for pid, pol := range p.o.resources(p.t, stack, "AWS::IAM::ManagedPolicy") {
		if contains(pol["Roles"], `"`+id+`"`) || contains(role["ManagedPolicyArns"], `{"Ref":"`+pid+`"}`) {
			out = append(out, namedPolicy{pid, resolve(pol["PolicyDocument"], a.ID, region)})
		}
	}
	return out
}

// managedARNs returns the ARNs of the AWS managed policies attached to the stack's role.
func (p principals) managedARNs(stack, name string) []string {
	a, region := p.account(stack)
	var out []string
	for _, x := range resolve(p.o.role(p.t, stack, name)["ManagedPolicyArns"], a.ID, region).([]any) {
		out = append(out, x.(string))
	}
	return out
}

// trust returns the trust policy of the stack's role.
func (p principals) trust(stack, name string) any {
	a, region := p.account(stack)
	return resolve(p.o.role(p.t, stack, name)["AssumeRolePolicyDocument"], a.ID, region)
}

// hasRole reports whether the stack creates a role of that name.
func (p principals) hasRole(stack, name string) bool {
	for _, r := range p.o.resources(p.t, stack, "AWS::IAM::Role") {
		if r["RoleName"] == name {
			return true
		}
	}
	return false
}

// allowEverything is the identity policy of an administrator: it shows that a trust
// policy alone refuses a principal, whatever its own policies allow.
var allowEverything = []namedPolicy{{"AdministratorAccess", map[string]any{
	"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}},
}}}

func mfa(ageSeconds int) map[string]any {
	return map[string]any{"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": fmt.Sprint(ageSeconds)}
}

// signedInAs is the context of a request by the IAM user named user: aws:username, the
// tags of a member of both of curfew's groups (an administrator adds a person to a group
// and tags them alike, as IAM trust policies cannot name a group), and the role session
// name asked for, if any. untagged takes tags away.
func signedInAs(user, sessionName string, ctx map[string]any) map[string]any {
	out := merge(ctx, map[string]any{
		"aws:username": user,
		"aws:PrincipalTag/" + accounts.DeveloperTag: accounts.MemberTagValue,
		"aws:PrincipalTag/" + accounts.OperatorTag:  accounts.MemberTagValue,
	})
	if sessionName != "" {
		out["sts:RoleSessionName"] = sessionName
	}
	return out
}

// untagged is ctx without the given tags of curfew's groups: a user outside those groups.
func untagged(ctx map[string]any, tags ...string) map[string]any {
	out := maps.Clone(ctx)
	for _, tag := range tags {
		delete(out, "aws:PrincipalTag/"+tag)
	}
	return out
}

// assumeAnyRole is the identity policy of an IAM user who may assume any role: what
// their own policies allow, not what curfew's trusts accept.
var assumeAnyRole = []namedPolicy{{"AssumeAnyRole", map[string]any{
	"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}},
}}}

// merge returns a new context with the keys of both; b wins.
func merge(a, b map[string]any) map[string]any {
	out := maps.Clone(orEmpty(a))
	maps.Copy(out, b)
	return out
}

// schedulerCalls returns call: call(name, action, resource, ctx, want, honours...) adds
// the question of a's CurfewScheduler calling action on resource, in the context ctx.
func (p principals) schedulerCalls(a accounts.Account, add func(question)) func(name, action, resource string, ctx map[string]any, want string, honours ...string) {
	sched := session(a.ID, accounts.SchedulerRole)
	policies := p.role("curfew-"+a.Name, accounts.SchedulerRole)
	return func(name, action, resource string, ctx map[string]any, want string, honours ...string) {
		add(question{name: a.Name + ": CurfewScheduler " + name, principal: sched,
			context: withPrincipalARN(ctx, a.RoleARN(accounts.SchedulerRole)), identity: policies,
			action: action, resource: resource, want: want, honours: honours})
	}
}

// actionOn is an action on a resource.
type actionOn struct{ action, resource string }

// productionUntouched asks, of each production account, that none of curfew's functions
// makes any of the calls (the account's, in its first region or the home region) there,
// and fails t where such an account has a CurfewScheduler role.
func (p principals) productionUntouched(calls func(region, account string) []actionOn) []question {
	m := p.o.m
	home := m.HomeAccount()
	var qs []question
	for _, a := range m.Accounts {
		if !a.IsProduction() {
			continue
		}
		region := a.DefaultRegion()
		if region == "" {
			region = m.HomeRegion
		}
		for _, fn := range []string{accounts.ShutdownFunction, accounts.RestartFunction, accounts.CostReportFunction} {
			for _, c := range calls(region, a.ID) {
				qs = append(qs, question{name: a.Name + " (production): " + fn + " calls " + c.action,
					principal: session(home.ID, fn), context: map[string]any{"aws:PrincipalArn": m.LambdaRoleARN(fn)},
					identity: p.role(service, fn), action: c.action, resource: c.resource, want: denied})
			}
		}
		if _, ok := p.o.stacks.Members[a.Name]; ok && p.hasRole("curfew-"+a.Name, accounts.SchedulerRole) {
			p.t.Errorf("%s is production but has a %s role", a.Name, accounts.SchedulerRole)
		}
	}
	return qs
}

// withRealARNs gives the policies of the account's resources by logical id the ARNs AWS
// names them by, in place of the stand-ins resolve wrote.
func withRealARNs(t *testing.T, policies []namedPolicy, region, account string, real map[string]string) []namedPolicy {
	t.Helper()
	var out []namedPolicy
	for _, np := range policies {
		data, err := json.Marshal(np.Policy)
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		for id, arn := range real {
			standIn := fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack-resource/%s", region, account, id)
			s = strings.ReplaceAll(s, standIn+`"`, arn+`"`)
			s = strings.ReplaceAll(s, standIn+`/`, arn+`/`)
		}
		var doc any
		if err := json.Unmarshal([]byte(s), &doc); err != nil {
			t.Fatal(err)
		}
		out = append(out, namedPolicy{np.Name, doc})
	}
	return out
}

func withPrincipalARN(ctx map[string]any, arn string) map[string]any {
	out := map[string]any{"aws:PrincipalArn": arn}
	for k, v := range ctx {
		out[k] = v
	}
	return out
}

func session(account, role string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + role + "/curfew-test"
}

// TestAccessBySimulation asks the simulator who may assume which role and what curfew's
// own roles may do, over the repository's account map and the OIDC one. (The OIDC CI
// principal's trust is asserted statically in member_test.go: the simulator drops token
// claims such as token.actions.githubusercontent.com:sub as not applicable to
// sts:AssumeRoleWithWebIdentity, so it would refuse every token for the wrong reason.)
func TestAccessBySimulation(t *testing.T) {
	simulateEachMap(t, accessQuestions)
}

// TestSimulatorHonoursSessionNameAndUserName checks the simulator on what DeveloperAccess's
// trust relies on, with a trust policy of the same shape written here: sts:RoleSessionName
// compared with the policy variable ${aws:username}. The simulator takes aws:username
// from the request context (the tests give it, as IAM does for an IAM user's request) and,
// as IAM does, never matches a variable that has no value, like a role session's.
func TestSimulatorHonoursSessionNameAndUserName(t *testing.T) {
	alice := "arn:aws:iam::111111111111:user/alice"
	role := "arn:aws:iam::222222222222:role/Probe"
	trust := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": "arn:aws:iam::111111111111:root"},
		"Condition": map[string]any{"StringEquals": map[string]any{"sts:RoleSessionName": "${aws:username}"}},
	}}}
	ask := func(name string, ctx map[string]any, want string) question {
		return question{name: name, principal: alice, context: ctx, identity: allowEverything,
			action: "sts:AssumeRole", resource: role, trust: trust, want: want, honours: slices.Sorted(maps.Keys(ctx))}
	}
	simulate(t, []question{
		ask("session named after the user", signedInAs("alice", "alice", nil), allowed),
		ask("session named after another user", signedInAs("alice", "bob", nil), denied),
		ask("session name in other case", signedInAs("alice", "Alice", nil), denied),
		ask("session without a name", signedInAs("alice", "", nil), denied),
		ask("no aws:username (a role's session)", map[string]any{"sts:RoleSessionName": "alice"}, denied),
	})
}

func accessQuestions(t *testing.T, o *org) []question {
	p := principals{t, o}
	m := o.m
	identity, home := m.IdentityAccount(), m.HomeAccount()
	alice := "arn:aws:iam::" + identity.ID + ":user/alice"
	ciUser := "arn:aws:iam::" + identity.ID + ":user/" + m.CI.User
	dev := p.developer()
	var ci []namedPolicy
	if m.CI.User != "" {
		ci = p.ciUser()
	}
	lambdaRole := func(function string) (string, []namedPolicy, string) {
		return session(home.ID, function), p.role(service, function), m.LambdaRoleARN(function)
	}
	var qs []question
	add := func(q question) { qs = append(qs, q) }

	for _, a := range m.Targets() {
		stack := "curfew-" + a.Name
		devRole, ciRole := a.RoleARN(accounts.DeveloperAccessRole), a.RoleARN(accounts.CIRole)
		devTrust, ciTrust := p.trust(stack, accounts.DeveloperAccessRole), p.trust(stack, accounts.CIRole)
		assume := func(name, principal, principalARN string, ctx map[string]any, id []namedPolicy, role string, trust any, want string) {
			add(question{name: name, principal: principal, context: withPrincipalARN(ctx, principalARN), identity: id,
				action: "sts:AssumeRole", resource: role, trust: trust, want: want})
		}

		// Developers: DeveloperAccess for the identity account's IAM users only, with MFA,
		// in a session named after the user. Every key of these questions must count.
		assumeDev := func(name, principal, principalARN string, ctx map[string]any, id []namedPolicy, want string) {
			ctx = withPrincipalARN(ctx, principalARN)
			add(question{name: a.Name + ": " + name, principal: principal, context: ctx, identity: id,
				action: "sts:AssumeRole", resource: devRole, trust: devTrust, want: want, honours: slices.Sorted(maps.Keys(ctx))})
		}
		asAlice := func(ctx map[string]any) map[string]any { return signedInAs("alice", "alice", ctx) }
		assumeDev("developer without MFA assumes DeveloperAccess", alice, alice,
			asAlice(map[string]any{"aws:MultiFactorAuthPresent": "false"}), dev, denied)
		assumeDev("developer with access keys and no MFA key at all assumes DeveloperAccess", alice, alice, asAlice(nil), dev, denied)
		assumeDev("developer with MFA assumes DeveloperAccess", alice, alice, asAlice(mfa(3600)), dev, allowed)
		assumeDev("developer with MFA older than 12 h assumes DeveloperAccess", alice, alice, asAlice(mfa(13*3600)), dev, denied)
		assumeDev("identity-account admin without MFA assumes DeveloperAccess", alice, alice, asAlice(nil), allowEverything, denied)
		assumeDev("developer with MFA assumes DeveloperAccess as session bob", alice, alice,
			signedInAs("alice", "bob", mfa(3600)), dev, denied)
		assumeDev("developer with MFA assumes DeveloperAccess as session curfew-test", alice, alice,
			signedInAs("alice", "curfew-test", mfa(3600)), dev, denied)
		assumeDev("developer with MFA assumes DeveloperAccess without a session name", alice, alice,
			signedInAs("alice", "", mfa(3600)), dev, denied)
		outsiderQuestions(identity, membership{role: "DeveloperAccess", group: "developers", member: "developer", aMember: "a developer",
			other: "operator", tag: accounts.DeveloperTag, otherTag: accounts.OperatorTag, policies: dev}, assumeDev)
		bob := "arn:aws:iam::" + identity.ID + ":user/bob"
		assumeDev("identity-account user tagged curfew:developer=false, with MFA and admin policies, assumes DeveloperAccess", bob, bob,
			merge(untagged(signedInAs("bob", "bob", mfa(60))), map[string]any{"aws:PrincipalTag/" + accounts.DeveloperTag: "false"}), allowEverything, denied)
		assume(a.Name+": developer with MFA assumes CurfewCI", alice, alice, mfa(60), dev, ciRole, ciTrust, denied)
		assume(a.Name+": identity-account admin with MFA assumes CurfewCI", alice, alice, mfa(60), allowEverything, ciRole, ciTrust, denied)
		if p.hasRole(stack, accounts.SchedulerRole) {
			role, trust := a.RoleARN(accounts.SchedulerRole), p.trust(stack, accounts.SchedulerRole)
			ext := map[string]any{"sts:ExternalId": m.ExternalID}
			assume(a.Name+": developer with MFA and the ExternalId assumes CurfewScheduler", alice, alice,
				withPrincipalARN(mfa(60), alice), dev, role, trust, denied)
			assume(a.Name+": identity-account admin with the ExternalId assumes CurfewScheduler", alice, alice,
				map[string]any{"sts:ExternalId": m.ExternalID, "aws:MultiFactorAuthPresent": "true"}, allowEverything, role, trust, denied)
			if ci != nil {
				assume(a.Name+": CI user assumes CurfewScheduler", ciUser, ciUser, ext, ci, role, trust, denied)
			}
			for _, fn := range []string{accounts.ShutdownFunction, accounts.RestartFunction} {
				principal, policies, arn := lambdaRole(fn)
				assume(a.Name+": "+fn+" with the ExternalId assumes CurfewScheduler", principal, arn, ext, policies, role, trust, allowed)
				assume(a.Name+": "+fn+" with a wrong ExternalId assumes CurfewScheduler", principal, arn,
					map[string]any{"sts:ExternalId": m.ExternalID + "-x"}, policies, role, trust, denied)
				assume(a.Name+": "+fn+" without ExternalId assumes CurfewScheduler", principal, arn, nil, policies, role, trust, denied)
			}
			principal, policies, arn := lambdaRole(accounts.CostReportFunction)
			assume(a.Name+": curfew-cost-report with the ExternalId assumes CurfewScheduler", principal, arn, ext, policies, role, trust, denied)
			other := "arn:aws:iam::" + home.ID + ":role/other-admin"
			assume(a.Name+": another admin role of the home account with the ExternalId assumes CurfewScheduler",
				session(home.ID, "other-admin"), other, ext, allowEverything, role, trust, denied)
		}
		// The cost reader: the cost report's role only.
		role, trust := a.RoleARN(accounts.CostReaderRole), p.trust(stack, accounts.CostReaderRole)
		ext := map[string]any{"sts:ExternalId": m.ExternalID}
		assume(a.Name+": developer with MFA and the ExternalId assumes CurfewCostReader", alice, alice,
			map[string]any{"sts:ExternalId": m.ExternalID, "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60"}, dev, role, trust, denied)
		if ci != nil {
			assume(a.Name+": CI user assumes CurfewCostReader", ciUser, ciUser, ext, ci, role, trust, denied)
		}
		principal, policies, arn := lambdaRole(accounts.CostReportFunction)
		assume(a.Name+": curfew-cost-report with the ExternalId assumes CurfewCostReader", principal, arn, ext, policies, role, trust, allowed)
		principal, policies, arn = lambdaRole(accounts.ShutdownFunction)
		assume(a.Name+": curfew-shutdown with the ExternalId assumes CurfewCostReader", principal, arn, ext, policies, role, trust, denied)

		// The CI user: its role without MFA, and nothing else.
		if ci != nil {
			assume(a.Name+": CI user without MFA assumes CurfewCI", ciUser, ciUser, nil, ci, ciRole, ciTrust, allowed)
			assume(a.Name+": CI user assumes DeveloperAccess", ciUser, ciUser, signedInAs(m.CI.User, m.CI.User, mfa(60)), ci, devRole, devTrust, denied)
			assumeDev("CI user with MFA, admin policies and its own name as session assumes DeveloperAccess", ciUser, ciUser,
				signedInAs(m.CI.User, m.CI.User, mfa(60)), allowEverything, denied)
		}
	}
	// An account not in the map, whose roles trust curfew's principals as a target's do:
	// the principals' own policies name only the map's accounts.
	outside := accounts.Account{Name: "outside", ID: "999999999999"}
	trustAll := func(principal string) any {
		return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": principal}}}}
	}
	add(question{name: "outside the map: developer with MFA assumes DeveloperAccess", principal: alice,
		context: withPrincipalARN(signedInAs("alice", "alice", mfa(60)), alice), identity: dev, action: "sts:AssumeRole",
		resource: outside.RoleARN(accounts.DeveloperAccessRole), trust: trustAll("arn:aws:iam::" + identity.ID + ":root"), want: denied})
	if ci != nil {
		add(question{name: "outside the map: CI user assumes CurfewCI", principal: ciUser,
			context: map[string]any{"aws:PrincipalArn": ciUser}, identity: ci, action: "sts:AssumeRole",
			resource: outside.RoleARN(accounts.CIRole), trust: trustAll("arn:aws:iam::" + identity.ID + ":root"), want: denied})
	}
	for fn, role := range map[string]string{
		accounts.ShutdownFunction: accounts.SchedulerRole, accounts.RestartFunction: accounts.SchedulerRole,
		accounts.CostReportFunction: accounts.CostReaderRole,
	} {
		principal, policies, arn := lambdaRole(fn)
		add(question{name: "outside the map: " + fn + " with the ExternalId assumes " + role, principal: principal,
			context: map[string]any{"aws:PrincipalArn": arn, "sts:ExternalId": m.ExternalID}, identity: policies,
			action: "sts:AssumeRole", resource: outside.RoleARN(role), trust: trustAll("arn:aws:iam::" + home.ID + ":root"), want: denied})
	}

	// The identity account's cost reader, in the identity stack.
	reader, readerTrust := identity.RoleARN(accounts.CostReaderRole), p.trust("curfew-identity", accounts.CostReaderRole)
	readerExt := map[string]any{"sts:ExternalId": m.ExternalID}
	for _, fn := range []string{accounts.CostReportFunction, accounts.ShutdownFunction} {
		principal, policies, arn := lambdaRole(fn)
		want := denied
		if fn == accounts.CostReportFunction {
			want = allowed
		}
		add(question{name: "identity: " + fn + " with the ExternalId assumes CurfewCostReader", principal: principal,
			context: withPrincipalARN(readerExt, arn), identity: policies, action: "sts:AssumeRole", resource: reader, trust: readerTrust, want: want})
	}
	add(question{name: "identity: developer with MFA and the ExternalId assumes CurfewCostReader", principal: alice,
		context:  withPrincipalARN(map[string]any{"sts:ExternalId": m.ExternalID, "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60"}, alice),
		identity: dev, action: "sts:AssumeRole", resource: reader, trust: readerTrust, want: denied})
	if ci != nil {
		for _, action := range []string{"s3:ListAllMyBuckets", "iam:CreateUser", "ec2:DescribeInstances", "sts:GetSessionToken"} {
			add(question{name: "CI user calls " + action + " in the identity account", principal: ciUser,
				context: map[string]any{"aws:PrincipalArn": ciUser}, identity: ci, action: action, resource: "*", want: denied})
		}
		add(question{name: "CI user assumes DeveloperAccess in the identity account", principal: ciUser,
			context: map[string]any{"aws:PrincipalArn": ciUser}, identity: ci, action: "sts:AssumeRole",
			resource: identity.RoleARN(accounts.DeveloperAccessRole), want: denied})
	}

	// Production: developers read only; no curfew principal stops, starts or tags anything.
	for _, a := range m.Accounts {
		if !a.IsProduction() {
			continue
		}
		region := a.DefaultRegion()
		if region == "" {
			region = m.HomeRegion // an account without regions of its own, like identity
		}
		instance := fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-0123456789abcdef0", region, a.ID)
		db := fmt.Sprintf("arn:aws:rds:%s:%s:db:app-db", region, a.ID)
		cluster := fmt.Sprintf("arn:aws:rds:%s:%s:cluster:aurora", region, a.ID)
		writes := []struct{ action, resource string }{
			{"ec2:StopInstances", instance}, {"ec2:StartInstances", instance}, {"ec2:TerminateInstances", instance},
			{"ec2:CreateTags", instance}, {"ec2:DeleteTags", instance},
			{"rds:StopDBInstance", db}, {"rds:StartDBInstance", db}, {"rds:AddTagsToResource", db},
			{"rds:StopDBCluster", cluster}, {"rds:StartDBCluster", cluster}, {"rds:RemoveTagsFromResource", cluster},
		}
		stack := "curfew-" + a.Name
		for _, fn := range []string{accounts.ShutdownFunction, accounts.RestartFunction, accounts.CostReportFunction} {
			principal, policies, arn := lambdaRole(fn)
			for _, w := range writes {
				add(question{name: a.Name + " (production): " + fn + " calls " + w.action, principal: principal,
					context: map[string]any{"aws:PrincipalArn": arn}, identity: policies, action: w.action, resource: w.resource, want: denied})
			}
			// Even a role there that trusted curfew would be out of reach: the Lambda's own
			// policy names only the swept accounts' roles.
			add(question{name: a.Name + " (production): " + fn + " assumes a CurfewScheduler trusting it", principal: principal,
				context: map[string]any{"aws:PrincipalArn": arn, "sts:ExternalId": m.ExternalID}, identity: policies,
				action: "sts:AssumeRole", resource: a.RoleARN(accounts.SchedulerRole),
				trust: map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
					"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": "arn:aws:iam::" + home.ID + ":root"}}}},
				want: denied})
		}
		if _, ok := o.stacks.Members[a.Name]; !ok {
			continue // no member stack: the identity account is not a target
		}
		if p.hasRole(stack, accounts.SchedulerRole) {
			t.Errorf("%s is production but has a %s role", a.Name, accounts.SchedulerRole)
		}
		if got, want := p.managedARNs(stack, accounts.DeveloperAccessRole), managedARNs(a.DeveloperPolicies); !slices.Equal(got, want) || !readOnly(got) {
			t.Errorf("%s (production): DeveloperAccess has %v, want exactly the map's %v, all read-only", a.Name, got, want)
		}
		reader := session(a.ID, accounts.CostReaderRole)
		readerPolicies := p.role(stack, accounts.CostReaderRole)
		devSession := session(a.ID, accounts.DeveloperAccessRole)
		devPolicies := append(p.role(stack, accounts.DeveloperAccessRole), awsManaged(t, managedARNs(a.DeveloperPolicies)...)...)
		for _, w := range writes {
			add(question{name: a.Name + " (production): CurfewCostReader calls " + w.action, principal: reader,
				context: map[string]any{"aws:PrincipalArn": a.RoleARN(accounts.CostReaderRole)}, identity: readerPolicies,
				action: w.action, resource: w.resource, want: denied})
			add(question{name: a.Name + " (production): DeveloperAccess with its real managed policies calls " + w.action, principal: devSession,
				context: map[string]any{"aws:PrincipalArn": a.RoleARN(accounts.DeveloperAccessRole)}, identity: devPolicies,
				action: w.action, resource: w.resource, want: denied})
		}
		add(question{name: a.Name + " (production): DeveloperAccess with its real managed policies calls ec2:DescribeInstances", principal: devSession,
			context: map[string]any{"aws:PrincipalArn": a.RoleARN(accounts.DeveloperAccessRole)}, identity: devPolicies,
			action: "ec2:DescribeInstances", resource: "*", want: allowed})
	}

	// CurfewScheduler: stops and marks, never what is tagged curfew:skip=true, never
	// other tags, never terminates, never outside the map's regions.
	for _, a := range m.Swept() {
		region := a.DefaultRegion()
		instance := fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-0123456789abcdef0", region, a.ID)
		db := fmt.Sprintf("arn:aws:rds:%s:%s:db:app-db", region, a.ID)
		cluster := fmt.Sprintf("arn:aws:rds:%s:%s:cluster:aurora", region, a.ID)
		call := p.schedulerCalls(a, add)
		for _, r := range []struct{ action, resource string }{
			{"ec2:StopInstances", instance}, {"rds:StopDBInstance", db}, {"rds:StopDBCluster", cluster},
		} {
			call("calls "+r.action, r.action, r.resource, nil, allowed)
			for _, v := range []string{"true", "TRUE"} {
				call(fmt.Sprintf("calls %s on a resource tagged curfew:skip=%s", r.action, v), r.action, r.resource,
					map[string]any{"aws:ResourceTag/" + accounts.SkipTag: v}, explicitlyDenied)
			}
		}
		call("calls ec2:StartInstances", "ec2:StartInstances", instance, nil, allowed)
		call("calls ec2:TerminateInstances", "ec2:TerminateInstances", instance, nil, denied)
		call("calls rds:DeleteDBInstance", "rds:DeleteDBInstance", db, nil, denied)
		call("calls ec2:StopInstances in a region not in the map", "ec2:StopInstances",
			fmt.Sprintf("arn:aws:ec2:ap-south-1:%s:instance/i-0123456789abcdef0", a.ID), nil, denied)
		marks := []any{accounts.StoppedAtTag, accounts.StoppedByRunTag}
		for _, action := range []string{"ec2:CreateTags", "ec2:DeleteTags"} {
			call(action+" with its mark", action, instance, map[string]any{"aws:TagKeys": marks}, allowed)
			call(action+" with curfew:skip", action, instance, map[string]any{"aws:TagKeys": []any{accounts.SkipTag}}, denied)
			call(action+" with Name", action, instance, map[string]any{"aws:TagKeys": []any{"Name", accounts.StoppedAtTag}}, denied)
		}
		call("rds:AddTagsToResource with its mark", "rds:AddTagsToResource", db, map[string]any{"aws:TagKeys": marks}, allowed)
		call("rds:AddTagsToResource with curfew:skip", "rds:AddTagsToResource", db, map[string]any{"aws:TagKeys": []any{accounts.SkipTag}}, denied)
	}
	return qs
}

// managedARNs are the ARNs of the account map's AWS managed policy names.
func managedARNs(names []string) []string {
	var out []string
	for _, n := range names {
		out = append(out, "arn:aws:iam::aws:policy/"+strings.TrimPrefix(n, "arn:aws:iam::aws:policy/"))
	}
	return out
}

// readOnly reports whether every policy is one of AWS's read-only job policies.
func readOnly(arns []string) bool {
	for _, a := range arns {
		if a != "arn:aws:iam::aws:policy/ReadOnlyAccess" && a != "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess" {
			return false
		}
	}
	return len(arns) > 0
}
