package preflight

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// iamQuotas checks that the account's IAM quotas hold what curfew's stacks create there.
// IAM's GetAccountSummary answers each quota as it applies to the account (raised ones
// included); moto's Service Quotas knows no IAM quota, so this check reads the summary.
type iamQuotas struct{}

func (iamQuotas) Name() string { return "iam quotas" }

func (iamQuotas) Run(ctx context.Context, t Target) []Finding {
	out, err := iam.NewFromConfig(t.Config).GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return []Finding{unchecked("read IAM's account summary", err, "iam:GetAccountSummary")}
	}
	s := out.SummaryMap
	f := footprintOf(t.Map, t.Account)
	raise := func(quota string) string {
		return fmt.Sprintf("ask for more in Service Quotas (AWS Identity and Access Management, %q), or remove unused ones", quota)
	}
	var findings []Finding
	headroom := func(what string, used, quota iamtypes.SummaryKeyType, need int, quotaName string) {
		if need == 0 {
			return
		}
		left := int(s[string(quota)] - s[string(used)])
		if left < need {
			findings = append(findings, problem(fmt.Sprintf("%s: %d of %d in use, curfew creates %d", what, s[string(used)], s[string(quota)], need), raise(quotaName)))
			return
		}
		findings = append(findings, ok("%s: %d of %d in use, room for curfew's %d", what, s[string(used)], s[string(quota)], need))
	}
	headroom("roles", iamtypes.SummaryKeyTypeRoles, iamtypes.SummaryKeyTypeRolesQuota, f.newRoles, "Roles per account")
	headroom("customer managed policies", iamtypes.SummaryKeyTypePolicies, iamtypes.SummaryKeyTypePoliciesQuota, f.newPolicies, "Customer managed policies per account")
	headroom("groups", iamtypes.SummaryKeyTypeGroups, iamtypes.SummaryKeyTypeGroupsQuota, f.newGroups, "Groups per account")
	headroom("users", iamtypes.SummaryKeyTypeUsers, iamtypes.SummaryKeyTypeUsersQuota, f.newUsers, "Users per account")

	attached := func(kind string, need map[string]int, quota iamtypes.SummaryKeyType, quotaName, fewer string) {
		limit := int(s[string(quota)])
		for _, name := range slices.Sorted(maps.Keys(need)) {
			if n := need[name]; n > limit {
				findings = append(findings, problem(fmt.Sprintf("%s %s gets %d managed policies, the account allows %d per %s", kind, name, n, limit, kind),
					raise(quotaName)+", or "+fewer))
			} else {
				findings = append(findings, ok("%s %s gets %d managed policies of %d allowed", kind, name, n, limit))
			}
		}
	}
	attached("role", f.rolePolicies, iamtypes.SummaryKeyTypeAttachedPoliciesPerRoleQuota, "Managed policies per role",
		"give the role fewer managed policies in the account map (developerPolicies, ciPolicies; curfew adds CurfewGuardrails)")
	attached("group", f.groupPolicies, iamtypes.SummaryKeyTypeAttachedPoliciesPerGroupQuota, "Managed policies per group",
		"split the organisation: the developers group gets one policy per 122 target accounts and one for self-service")
	return findings
}
