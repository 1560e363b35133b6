package cdk_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
)

// TestOperatorsBySimulation asks the simulator who may assume curfew-operator and what it
// may do: an operator with MFA and a session named after them runs curfew's functions and
// reads their logs; nobody else gets the role, and the role changes nothing of curfew's.
func TestOperatorsBySimulation(t *testing.T) {
	simulateEachMap(t, operatorQuestions)
}

func operatorQuestions(t *testing.T, o *org) []question {
	p := principals{t, o}
	m := o.m
	identity, home := m.IdentityAccount(), m.HomeAccount()
	alice := "arn:aws:iam::" + identity.ID + ":user/alice"
	ops := p.group(o.logicalID(t, "curfew-identity", "AWS::IAM::Group", "GroupName", cdk.OperatorsGroup))
	dev := p.developer()
	role, trust := home.RoleARN(accounts.OperatorRole), p.trust(service, accounts.OperatorRole)
	var qs []question
	add := func(q question) { qs = append(qs, q) }

	// Who may assume curfew-operator. Every key of these questions must count.
	assume := func(name, principal, principalARN string, ctx map[string]any, id []namedPolicy, want string) {
		ctx = withPrincipalARN(ctx, principalARN)
		add(question{name: name, principal: principal, context: ctx, identity: id, action: "sts:AssumeRole",
			resource: role, trust: trust, want: want, honours: slices.Sorted(maps.Keys(ctx))})
	}
	asAlice := func(ctx map[string]any) map[string]any { return signedInAs("alice", "alice", ctx) }
	assume("operator with MFA assumes curfew-operator", alice, alice, asAlice(mfa(3600)), ops, allowed)
	assume("operator without MFA assumes curfew-operator", alice, alice,
		asAlice(map[string]any{"aws:MultiFactorAuthPresent": "false"}), ops, denied)
	assume("operator with access keys and no MFA key at all assumes curfew-operator", alice, alice, asAlice(nil), ops, denied)
	assume("operator with MFA older than 12 h assumes curfew-operator", alice, alice, asAlice(mfa(13*3600)), ops, denied)
	assume("operator with MFA assumes curfew-operator as session bob", alice, alice, signedInAs("alice", "bob", mfa(3600)), ops, denied)
	assume("operator with MFA assumes curfew-operator without a session name", alice, alice, signedInAs("alice", "", mfa(3600)), ops, denied)
	assume("developer not in operators, with MFA, assumes curfew-operator", alice, alice, asAlice(mfa(3600)), dev, denied)
	outsiderQuestions(identity, membership{role: "curfew-operator", group: "operators", member: "operator", aMember: "an operator",
		other: "developer", tag: accounts.OperatorTag, otherTag: accounts.DeveloperTag, policies: ops}, assume)
	if m.CI.User != "" {
		ciUser := "arn:aws:iam::" + identity.ID + ":user/" + m.CI.User
		assume("CI user with MFA, operators' policies and its own name as session assumes curfew-operator", ciUser, ciUser,
			signedInAs(m.CI.User, m.CI.User, mfa(60)), ops, denied)
		assume("CI user with MFA, admin policies and its own name as session assumes curfew-operator", ciUser, ciUser,
			signedInAs(m.CI.User, m.CI.User, mfa(60)), allowEverything, denied)
		assume("CI user with its own policies assumes curfew-operator", ciUser, ciUser,
			signedInAs(m.CI.User, m.CI.User, nil), p.ciUser(), denied)
	}

	// The operators group reaches curfew-operator in the home account and no other role.
	trustAll := func(account string) any {
		return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"AWS": "arn:aws:iam::" + account + ":root"}}}}
	}
	operatorAsks := func(name, resource string, trust any) {
		add(question{name: "operator with MFA " + name, principal: alice,
			context: withPrincipalARN(asAlice(mfa(60)), alice), identity: ops, action: "sts:AssumeRole",
			resource: resource, trust: trust, want: denied})
	}
	operatorAsks("assumes curfew-operator in an account not in the map",
		"arn:aws:iam::999999999999:role/"+accounts.OperatorRole, trustAll(identity.ID))
	for _, a := range m.Targets() {
		operatorAsks("assumes DeveloperAccess in "+a.Name, a.RoleARN(accounts.DeveloperAccessRole), trustAll(identity.ID))
		if a.ShutdownEnabled() {
			operatorAsks("assumes CurfewScheduler in "+a.Name, a.RoleARN(accounts.SchedulerRole), trustAll(identity.ID))
		}
	}
	// Only through the role: the group itself may run nothing.
	for _, c := range []struct{ action, resource string }{
		{"lambda:InvokeFunction", fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", m.HomeRegion, home.ID, accounts.RestartFunction)},
		{"s3:ListAllMyBuckets", "*"},
		{"iam:CreateUser", "arn:aws:iam::" + identity.ID + ":user/eve"},
	} {
		add(question{name: "operator with MFA calls " + c.action + " as their IAM user", principal: alice,
			context: withPrincipalARN(asAlice(mfa(60)), alice), identity: ops, action: c.action, resource: c.resource, want: denied})
	}

	// What curfew-operator may do: invoke curfew's three functions and read their logs.
	opSession := session(home.ID, accounts.OperatorRole)
	opPolicies := p.role(service, accounts.OperatorRole)
	in := func(svc, resource string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", svc, m.HomeRegion, home.ID, resource)
	}
	call := func(name, action, resource string, want string) {
		add(question{name: "curfew-operator " + name, principal: opSession,
			context: map[string]any{"aws:PrincipalArn": role}, identity: opPolicies, action: action, resource: resource, want: want})
	}
	for _, fn := range []string{accounts.ShutdownFunction, accounts.RestartFunction, accounts.CostReportFunction} {
		call("invokes "+fn, "lambda:InvokeFunction", in("lambda", "function:"+fn), allowed)
		call("reads the logs of "+fn, "logs:FilterLogEvents", in("logs", "log-group:/aws/lambda/"+fn+":*"), allowed)
		call("updates the code of "+fn, "lambda:UpdateFunctionCode", in("lambda", "function:"+fn), denied)
		call("updates the configuration of "+fn, "lambda:UpdateFunctionConfiguration", in("lambda", "function:"+fn), denied)
		call("passes the role of "+fn, "iam:PassRole", home.RoleARN(fn), denied)
		call("deletes the logs of "+fn, "logs:DeleteLogGroup", in("logs", "log-group:/aws/lambda/"+fn+":*"), denied)
		call("invokes "+fn+" in another region", "lambda:InvokeFunction",
			fmt.Sprintf("arn:aws:lambda:ap-south-1:%s:function:%s", home.ID, fn), denied)
	}
	call("invokes another function", "lambda:InvokeFunction", in("lambda", "function:payments-api"), denied)
	call("invokes a function named like curfew's", "lambda:InvokeFunction", in("lambda", "function:curfew-shutdown-copy"), denied)
	call("puts the Slack webhook parameter", "ssm:PutParameter", in("ssm", "parameter"+cdk.SlackWebhookParameter), denied)
	call("puts a /curfew/ parameter", "ssm:PutParameter", in("ssm", "parameter/curfew/anything"), denied)
	call("reads the Slack webhook parameter", "ssm:GetParameter", in("ssm", "parameter"+cdk.SlackWebhookParameter), denied)
	call("changes its own trust", "iam:UpdateAssumeRolePolicy", role, denied)
	call("attaches a policy to itself", "iam:AttachRolePolicy", role, denied)
	call("deletes curfew-service", "cloudformation:DeleteStack",
		fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/curfew-service/x", m.HomeRegion, home.ID), denied)
	for _, a := range m.Swept() {
		// Even a CurfewScheduler trusting the whole home account stays out of reach: the
		// role's own policies allow no sts:AssumeRole.
		add(question{name: "curfew-operator assumes CurfewScheduler in " + a.Name, principal: opSession,
			context:  map[string]any{"aws:PrincipalArn": role, "sts:ExternalId": m.ExternalID},
			identity: opPolicies, action: "sts:AssumeRole", resource: a.RoleARN(accounts.SchedulerRole),
			trust: trustAll(home.ID), want: denied})
		add(question{name: "curfew-operator stops an instance in " + a.Name, principal: opSession,
			context: map[string]any{"aws:PrincipalArn": role}, identity: opPolicies, action: "ec2:StopInstances",
			resource: fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-0123456789abcdef0", a.DefaultRegion(), a.ID), want: denied})
	}
	// The home account's guardrails keep the role as deployed (its name is under their
	// role/curfew-*): DeveloperAccess and CurfewCI there, even with every other right,
	// may neither widen it nor let someone else assume it.
	if stack := "curfew-" + home.Name; p.hasRole(stack, accounts.DeveloperAccessRole) {
		for _, r := range []string{accounts.DeveloperAccessRole, accounts.CIRole} {
			policies := append(p.role(stack, r), allowEverything...)
			for _, action := range []string{"iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:PassRole"} {
				add(question{name: home.Name + " (home): " + r + " with admin policies calls " + action + " on curfew-operator",
					principal: session(home.ID, r), context: map[string]any{"aws:PrincipalArn": home.RoleARN(r)},
					identity: policies, action: action, resource: role, want: explicitlyDenied})
			}
		}
	} else if home.Name != m.Identity {
		t.Errorf("the home account %s has no DeveloperAccess to ask about", home.Name)
	}
	return qs
}

// TestOperatorsAreBoundedStatically pins what the simulation cannot enumerate: the
// operators group carries exactly the self-service policy and the curfew-operator one, and
// curfew-operator has no managed policies, a developer's session bound and exactly the
// allows it needs (its functions, their logs, the cost reports).
func TestOperatorsAreBoundedStatically(t *testing.T) {
	for name, o := range map[string]*org{"testdata/ci-user.yaml": seed, "testdata/oidc.yaml": oidcOrg} {
		t.Run(name, func(t *testing.T) {
			p := principals{t, o}
			ops := p.group(o.logicalID(t, "curfew-identity", "AWS::IAM::Group", "GroupName", cdk.OperatorsGroup))
			if len(ops) != 2 || !slices.ContainsFunc(ops, func(np namedPolicy) bool { return equalJSON(np.Policy, p.selfService()) }) {
				t.Errorf("the operators group has %d policies, want the self-service policy and one more: %v", len(ops), ops)
			}
			// The same trust as DeveloperAccess, but for the operators' tag: one definition
			// of "a person with MFA".
			dev := o.m.Targets()[0]
			devTrust, err := json.Marshal(p.trust("curfew-"+dev.Name, accounts.DeveloperAccessRole))
			if err != nil {
				t.Fatal(err)
			}
			assertJSON(t, "curfew-operator's trust against DeveloperAccess's in "+dev.Name, p.trust(service, accounts.OperatorRole),
				parseJSON(t, strings.ReplaceAll(string(devTrust), `"aws:PrincipalTag/`+accounts.DeveloperTag+`"`, `"aws:PrincipalTag/`+accounts.OperatorTag+`"`)))
			r := o.role(t, service, accounts.OperatorRole)
			if r["ManagedPolicyArns"] != nil {
				t.Errorf("curfew-operator has managed policies: %v", r["ManagedPolicyArns"])
			}
			if got, want := r["MaxSessionDuration"], float64(accounts.DeveloperSessionMax.Seconds()); got != want {
				t.Errorf("curfew-operator's MaxSessionDuration = %v, want %v", got, want)
			}
			var actions []string
			for _, np := range p.role(service, accounts.OperatorRole) {
				for _, s := range statements(t, np.Policy) {
					if s["Effect"] != "Allow" {
						continue
					}
					actions = append(actions, stringOrList(s["Action"])...)
				}
			}
			slices.Sort(actions)
			// s3: the cost reports under reports/ (TestReportReadersBySimulation).
			if want := []string{"lambda:InvokeFunction", "logs:FilterLogEvents", "logs:GetLogEvents", "s3:GetObject", "s3:ListBucket"}; !slices.Equal(actions, want) {
				t.Errorf("curfew-operator allows %v, want exactly %v", actions, want)
			}
		})
	}
}
