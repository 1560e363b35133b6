package preflight

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/paging"
)

// curfewQualifier is the qualifier of curfew's own bootstrap (cdk.CurfewQualifier), whose
// roles CurfewGuardrails denies DeveloperAccess and CurfewCI.
const curfewQualifier = "curfew"

// executionRoleName matches the CloudFormation execution role of a CDK bootstrap made from
// CDK's template: cdk-<qualifier>-cfn-exec-role-<account>-<region>.
var executionRoleName = regexp.MustCompile(`^cdk-([A-Za-z0-9]+)-cfn-exec-role-(\d{12})-([a-z0-9-]+)$`)

// roleWriteActions are what makes a role administrator in effect: it may create a role
// and give it any policy (attached or inline), and so any right.
var roleWriteActions = []string{"iam:CreateRole", "iam:AttachRolePolicy", "iam:PutRolePolicy"}

// cdkExecution checks the CloudFormation execution role of every CDK bootstrap in a target
// account, in any region and with any qualifier (IAM is global: the roles' names say
// both). The bootstrap's deploy role trusts the account, so DeveloperAccess and, with
// ciCdkDeploy, CurfewCI may use it; CloudFormation then acts as the execution role, which
// CDK makes AdministratorAccess by default and which no guardrail binds. The door is
// closed by a permissions boundary on that role (CurfewCDKExecution carries the
// guardrails) or by execution policies that cannot grant themselves more; otherwise it is
// a problem unless the map accepts it (overrides: [unbounded-bootstrap]).
type cdkExecution struct{}

func (cdkExecution) Name() string { return "cdk execution role" }

func (cdkExecution) Run(ctx context.Context, t Target) []Finding {
	if t.Account.Name == t.Map.Identity || !listed(t.Map, t.Account.ID) {
		return []Finding{notApplicable("not a target account: no role curfew creates here may use a CDK bootstrap's deploy role")}
	}
	c := iam.NewFromConfig(t.Config)
	roles, err := paging.All(ctx, iam.NewListRolesPaginator(c, &iam.ListRolesInput{}), func(page *iam.ListRolesOutput) []iamtypes.Role { return page.Roles })
	if err != nil {
		return []Finding{unchecked("list the account's roles", err, "iam:ListRoles")}
	}
	var names []string
	for _, r := range roles {
		if m := executionRoleName.FindStringSubmatch(aws.ToString(r.RoleName)); m != nil && m[2] == t.Account.ID {
			names = append(names, m[0])
		}
	}
	if len(names) == 0 {
		return []Finding{ok("no CDK bootstrap has an execution role in this account (cdk-*-cfn-exec-role-%s-*)", t.Account.ID)}
	}
	slices.Sort(names)
	findings := make([]Finding, 0, len(names))
	for _, name := range names {
		findings = append(findings, executionRoleFinding(ctx, c, t, name))
	}
	return findings
}

// executionRoleFinding judges one execution role.
func executionRoleFinding(ctx context.Context, c *iam.Client, t Target, name string) Finding {
	m := executionRoleName.FindStringSubmatch(name)
	qualifier, region := m[1], m[3]
	role := fmt.Sprintf("%s (bootstrap %s, %s)", name, qualifier, region)
	if qualifier == curfewQualifier {
		return ok("%s: curfew's own bootstrap, whose roles CurfewGuardrails denies DeveloperAccess and CurfewCI", role)
	}
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return unchecked("read role "+name, err, "iam:GetRole")
	}
	if b := out.Role.PermissionsBoundary; b != nil {
		return ok("%s is bounded by %s", role, path.Base(aws.ToString(b.PermissionsBoundaryArn)))
	}
	policies, err := readPolicies(ctx, c, name)
	if err != nil {
		return unchecked("read the policies of role "+name, err, "iam:ListAttachedRolePolicies", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListRolePolicies", "iam:GetRolePolicy")
	}
	admin := administrators(policies, t.Account.ID)
	if len(admin) == 0 {
		var all []string
		for _, p := range policies {
			all = append(all, p.name)
		}
		return ok("%s has no permissions boundary, and its execution policies (%s) cannot create a role and give it any policy (iam:CreateRole with iam:AttachRolePolicy or iam:PutRolePolicy)",
			role, strings.Join(all, ", "))
	}
	const door = "whoever may use the bootstrap's deploy role (DeveloperAccess, CurfewCI with ciCdkDeploy) deploys as administrator, past every guardrail"
	if t.Account.Lifts(accounts.OverrideUnboundedBootstrap) {
		i := slices.IndexFunc(t.Map.Accounts, func(a accounts.Account) bool { return a.Name == t.Account.Name })
		return Finding{Status: Warning, Detail: fmt.Sprintf("%s has %s and no permissions boundary, accepted by the map (accounts[%d].overrides: %s): %s",
			role, strings.Join(admin, ", "), i, accounts.OverrideUnboundedBootstrap, door)}
	}
	env := fmt.Sprintf("aws://%s/%s%s", t.Account.ID, region, t.profileArg())
	if qualifier != cdkQualifier {
		env += " --qualifier " + qualifier
	}
	return problem(fmt.Sprintf("%s has %s and no permissions boundary: %s", role, strings.Join(admin, ", "), door),
		fmt.Sprintf("bootstrap it again bounded: cdk bootstrap %s --custom-permissions-boundary %s (%s%s creates that policy: deploy it first through curfew's own bootstrap, README \"CI deploys to production through CDK only\"), "+
			"or --cloudformation-execution-policies with the ARNs of policies that cannot create roles; or accept it in the map: overrides: [%s] on account %s",
			env, cdkExecutionPolicy, memberPrefix, t.Account.Name, accounts.OverrideUnboundedBootstrap, t.Account.Name))
}

// rolePolicy is one policy of a role: its name as a person knows it and its document.
type rolePolicy struct {
	name     string
	document policyDocument
}

// readPolicies reads every managed and inline policy of the role. AWS managed policies
// that are administrator access are known by name, without reading them.
func readPolicies(ctx context.Context, c *iam.Client, role string) ([]rolePolicy, error) {
	attached, err := paging.All(ctx, iam.NewListAttachedRolePoliciesPaginator(c, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)}),
		func(page *iam.ListAttachedRolePoliciesOutput) []iamtypes.AttachedPolicy { return page.AttachedPolicies })
	if err != nil {
		return nil, err
	}
	var out []rolePolicy
	for _, p := range attached {
		arn, name := aws.ToString(p.PolicyArn), aws.ToString(p.PolicyName)
		if accounts.IsAdministratorPolicy(arn) {
			out = append(out, rolePolicy{name: name, document: policyDocument{Statement: []statement{{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}}}}})
			continue
		}
		policy, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil {
			return nil, err
		}
		version, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: policy.Policy.DefaultVersionId})
		if err != nil {
			return nil, err
		}
		doc, err := parsePolicy(aws.ToString(version.PolicyVersion.Document))
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", name, err)
		}
		out = append(out, rolePolicy{name: name, document: doc})
	}
	inline, err := paging.All(ctx, iam.NewListRolePoliciesPaginator(c, &iam.ListRolePoliciesInput{RoleName: aws.String(role)}),
		func(page *iam.ListRolePoliciesOutput) []string { return page.PolicyNames })
	if err != nil {
		return nil, err
	}
	for _, name := range inline {
		p, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
		if err != nil {
			return nil, err
		}
		doc, err := parsePolicy(aws.ToString(p.PolicyDocument))
		if err != nil {
			return nil, fmt.Errorf("inline policy %s: %w", name, err)
		}
		out = append(out, rolePolicy{name: "inline policy " + name, document: doc})
	}
	return out, nil
}

// administrators names the policies through which the role may create a role and give it
// any policy; none when it may not. Denies and conditions are not weighed: a role they
// narrow is still reported, which errs toward the boundary.
func administrators(policies []rolePolicy, account string) []string {
	probe := fmt.Sprintf("arn:aws:iam::%s:role/any", account)
	var names []string
	allowed := map[string]bool{}
	for _, p := range policies {
		grants := false
		for _, s := range p.document.Statement {
			for _, action := range roleWriteActions {
				if s.allows(action, probe) {
					allowed[action], grants = true, true
				}
			}
		}
		if grants {
			names = append(names, p.name)
		}
	}
	if allowed["iam:CreateRole"] && (allowed["iam:AttachRolePolicy"] || allowed["iam:PutRolePolicy"]) {
		return names
	}
	return nil
}

// policyDocument is an IAM policy document, as much of it as preflight weighs.
type policyDocument struct {
	Statement oneOrMany[statement]
}

// statement is one statement of a policy document.
type statement struct {
	Effect                string
	Action, NotAction     oneOrMany[string]
	Resource, NotResource oneOrMany[string]
}

// allows reports whether the statement allows action on resource.
func (s statement) allows(action, resource string) bool {
	if s.Effect != "Allow" {
		return false
	}
	actionOK := (len(s.Action) > 0 && matchesAny(s.Action, action)) || (len(s.NotAction) > 0 && !matchesAny(s.NotAction, action))
	resourceOK := (len(s.Resource) > 0 && matchesAny(s.Resource, resource)) || (len(s.NotResource) > 0 && !matchesAny(s.NotResource, resource))
	return actionOK && resourceOK
}

// matchesAny reports whether value matches one of IAM's wildcard patterns (* and ?;
// action names case-insensitively).
func matchesAny(patterns []string, value string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool {
		re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(p)) + "$"
		ok, err := regexp.MatchString("(?i)"+re, value)
		return err == nil && ok
	})
}

// oneOrMany is a policy element written as one value or a list of them.
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(data []byte) error {
	var one T
	if err := json.Unmarshal(data, &one); err == nil {
		*o = []T{one}
		return nil
	}
	var many []T
	if err := json.Unmarshal(data, &many); err != nil {
		return err
	}
	*o = many
	return nil
}

// parsePolicy decodes a policy document as IAM returns it: URL-encoded JSON.
func parsePolicy(encoded string) (policyDocument, error) {
	text, err := url.PathUnescape(encoded)
	if err != nil {
		return policyDocument{}, err
	}
	var doc policyDocument
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return policyDocument{}, err
	}
	return doc, nil
}
