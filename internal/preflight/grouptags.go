package preflight

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/paging"
)

// operatorsGroup is the identity account's group of operators (cdk/identity.go).
const operatorsGroup = "operators"

// groupTags checks that every member of curfew's groups in the identity account carries
// its group's tag. A trust policy cannot name a group, so DeveloperAccess trusts only
// users tagged accounts.DeveloperTag and curfew-operator only users tagged
// accounts.OperatorTag: a member without the tag is refused the group's role.
type groupTags struct{}

func (groupTags) Name() string { return "group tags" }

func (groupTags) Run(ctx context.Context, t Target) []Finding {
	switch {
	case t.Account.Name != t.Map.Identity:
		return []Finding{notApplicable("curfew's groups are in the identity account (%s)", t.Map.Identity)}
	case t.Map.UsesIdentityCenter():
		return []Finding{notApplicable("access: identity-center: people come through Identity Center's groups, not IAM users")}
	}
	c := iam.NewFromConfig(t.Config)
	var findings []Finding
	members := 0
	for _, g := range []struct{ group, tag, role string }{
		{developersGroup, accounts.DeveloperTag, accounts.DeveloperAccessRole},
		{operatorsGroup, accounts.OperatorTag, accounts.OperatorRole},
	} {
		users, err := paging.All(ctx, iam.NewGetGroupPaginator(c, &iam.GetGroupInput{GroupName: aws.String(g.group)}),
			func(page *iam.GetGroupOutput) []iamtypes.User { return page.Users })
		if errorCode(err) == "NoSuchEntity" {
			continue // curfew-identity is not deployed yet
		}
		if err != nil {
			return []Finding{unchecked("read the members of group "+g.group, err, "iam:GetGroup")}
		}
		for _, u := range users {
			members++
			name := aws.ToString(u.UserName)
			tagged, err := hasTag(ctx, c, name, g.tag)
			if err != nil {
				return []Finding{unchecked("read the tags of user "+name, err, "iam:ListUserTags")}
			}
			if !tagged {
				findings = append(findings, problem(
					fmt.Sprintf("user %s is in group %s but not tagged %s=%s: %s refuses them", name, g.group, g.tag, accounts.MemberTagValue, g.role),
					fmt.Sprintf("aws iam tag-user --user-name %s --tags Key=%s,Value=%s%s", name, g.tag, accounts.MemberTagValue, t.profileArg())))
			}
		}
	}
	if len(findings) == 0 {
		findings = append(findings, ok("every member of %s and %s carries its group's tag (%d membership(s)); tag each person you add: %s or %s=%s",
			developersGroup, operatorsGroup, members, accounts.DeveloperTag, accounts.OperatorTag, accounts.MemberTagValue))
	}
	return findings
}

// hasTag reports whether the IAM user carries tag=accounts.MemberTagValue.
func hasTag(ctx context.Context, c *iam.Client, user, tag string) (bool, error) {
	tags, err := paging.All(ctx, iam.NewListUserTagsPaginator(c, &iam.ListUserTagsInput{UserName: aws.String(user)}),
		func(page *iam.ListUserTagsOutput) []iamtypes.Tag { return page.Tags })
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(tags, func(t iamtypes.Tag) bool {
		return aws.ToString(t.Key) == tag && aws.ToString(t.Value) == accounts.MemberTagValue
	}), nil
}
