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

// TestDailyMFASessionBySimulation asks the simulator about the chain `curfew credentials`
// builds: the IAM user's sts:GetSessionToken session, opened with an MFA code, assumes
// DeveloperAccess (and, for operators, curfew-operator) for as long as the session lasts
// (accounts.MFASessionMax, the trust's MFA age limit), named after the user. A
// GetSessionToken session without MFA, one older than the limit, another user's or the
// CI user's, and a role session carrying MFA from its own sign-in may not.
//
// A request signed with a GetSessionToken session is the IAM user's own: IAM gives it
// the user's ARN as principal and aws:username, and aws:MultiFactorAuthPresent and
// aws:MultiFactorAuthAge (seconds since GetSessionToken) when the code was given.
func TestDailyMFASessionBySimulation(t *testing.T) {
	simulateEachMap(t, dailySessionQuestions)
}

func dailySessionQuestions(t *testing.T, o *org) []question {
	p := principals{t, o}
	m := o.m
	identity := m.IdentityAccount()
	alice := "arn:aws:iam::" + identity.ID + ":user/alice"
	dev := p.developer()
	limit := int(accounts.MFASessionMax.Seconds())
	// The session's own context: the IAM user, named, signed in with (or without) MFA.
	session := func(user, sessionName string, ctx map[string]any) map[string]any {
		return withPrincipalARN(signedInAs(user, sessionName, ctx), "arn:aws:iam::"+identity.ID+":user/"+user)
	}
	var qs []question
	ask := func(name, principal string, ctx map[string]any, id []namedPolicy, role string, trust any, want string) {
		qs = append(qs, question{name: name, principal: principal, context: ctx, identity: id, action: "sts:AssumeRole",
			resource: role, trust: trust, want: want, honours: slices.Sorted(maps.Keys(ctx))})
	}
	// The roles humans assume with MFA, with the policies of the group that may.
	type role struct {
		arn    string
		trust  any
		policy []namedPolicy
	}
	roles := map[string]role{}
	for _, a := range m.Targets() {
		roles[a.Name+": DeveloperAccess"] = role{a.RoleARN(accounts.DeveloperAccessRole), p.trust("curfew-"+a.Name, accounts.DeveloperAccessRole), dev}
	}
	home := m.HomeAccount()
	roles["home: curfew-operator"] = role{home.RoleARN(accounts.OperatorRole), p.trust(service, accounts.OperatorRole),
		p.group(o.logicalID(t, "curfew-identity", "AWS::IAM::Group", "GroupName", cdk.OperatorsGroup))}

	for _, name := range slices.Sorted(maps.Keys(roles)) {
		r := roles[name]
		checkAgeLimit(t, name, r.trust, limit)
		ask(name+": alice's MFA session, 1 minute old, as alice", alice, session("alice", "alice", mfa(60)), r.policy, r.arn, r.trust, allowed)
		ask(name+": alice's MFA session in its last second, as alice", alice, session("alice", "alice", mfa(limit-1)), r.policy, r.arn, r.trust, allowed)
		ask(name+": alice's MFA session at its end, as alice", alice, session("alice", "alice", mfa(limit)), r.policy, r.arn, r.trust, denied)
		ask(name+": alice's MFA session 13 h old (a longer GetSessionToken), as alice", alice, session("alice", "alice", mfa(13*3600)), allowEverything, r.arn, r.trust, denied)
		ask(name+": alice's GetSessionToken session without an MFA code, admin policies", alice,
			session("alice", "alice", map[string]any{"aws:MultiFactorAuthPresent": "false"}), allowEverything, r.arn, r.trust, denied)
		ask(name+": alice's MFA session as session bob", alice, session("alice", "bob", mfa(60)), r.policy, r.arn, r.trust, denied)
		// A role session carries MFA from the sign-in that made it, but no aws:username:
		// DeveloperAccess in one account cannot hop to another, even named alice.
		for _, via := range []string{m.Targets()[0].ID, identity.ID} {
			chained := "arn:aws:iam::" + via + ":role/" + accounts.DeveloperAccessRole
			ask(name+": role session DeveloperAccess/alice of "+via+", with MFA, admin policies", "arn:aws:sts::"+via+":assumed-role/"+accounts.DeveloperAccessRole+"/alice",
				withPrincipalARN(merge(mfa(60), map[string]any{"sts:RoleSessionName": "alice"}), chained), allowEverything, r.arn, r.trust, denied)
		}
		if m.CI.User != "" {
			ciUser := "arn:aws:iam::" + identity.ID + ":user/" + m.CI.User
			ask(name+": the CI user's MFA session as itself, admin policies", ciUser, session(m.CI.User, m.CI.User, mfa(60)), allowEverything, r.arn, r.trust, denied)
		}
	}
	// Whoever copies the cached session acts as alice with MFA until it expires. In the
	// identity account that must not let them stay longer: no new access key, MFA device
	// or password once the code is more than a few minutes old, as the session file
	// always is by the time anyone can copy it. Right after signing in, alice may.
	selfService := func(action, resource string, age int, want string) {
		ctx := session("alice", "", mfa(age))
		qs = append(qs, question{name: fmt.Sprintf("alice's MFA session, %d s old, calls %s on %s", age, action, resource), principal: alice,
			context: ctx, identity: dev, action: action, resource: resource, want: want, honours: slices.Sorted(maps.Keys(ctx))})
	}
	stale := int(cdk.RecentMFA.Seconds()) + 1
	device := "arn:aws:iam::" + identity.ID + ":mfa/attacker-phone"
	for _, q := range []struct{ action, resource string }{
		{"iam:CreateAccessKey", alice}, {"iam:UpdateAccessKey", alice}, {"iam:CreateVirtualMFADevice", device},
		{"iam:EnableMFADevice", alice}, {"iam:DeactivateMFADevice", alice}, {"iam:ResyncMFADevice", alice}, {"iam:ChangePassword", alice},
	} {
		selfService(q.action, q.resource, 60, allowed)
		selfService(q.action, q.resource, stale, explicitlyDenied)
		selfService(q.action, q.resource, limit-1, explicitlyDenied)
	}
	// What stays open all day: reading her own user and keys, and deleting a key.
	for _, action := range []string{"iam:ListAccessKeys", "iam:DeleteAccessKey", "iam:GetUser"} {
		selfService(action, alice, limit-1, allowed)
	}
	return qs
}

// checkAgeLimit fails unless trust bounds aws:MultiFactorAuthAge by limit, the length of
// the MFA session curfew credentials asks for: one constant, read by both.
func checkAgeLimit(t *testing.T, name string, trust any, limit int) {
	t.Helper()
	data, err := json.Marshal(trust)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(`"NumericLessThan":{"aws:MultiFactorAuthAge":%d}`, limit); !strings.Contains(string(data), want) {
		t.Errorf("%s: trust lacks %s (accounts.MFASessionMax):\n%s", name, want, data)
	}
}
