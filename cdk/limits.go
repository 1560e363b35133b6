package cdk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accounts"
)

// IAM's quotas that every template of curfew fits, at their defaults so that no account
// needs a quota increase. Source: "IAM and AWS STS quotas", IAM User Guide,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html. Sizes are
// in characters of the policy's JSON without whitespace, as IAM counts them (PolicySize).
// The emulator enforces none of them: cdk/limits_test.go checks every document of every
// synthesised template against them, for the repository's maps and a 500-account map.
const (
	// MaxManagedPolicySize is the size of one customer managed policy: 6,144, not adjustable.
	MaxManagedPolicySize = 6144
	// MaxAttachedPolicies is how many managed policies one IAM user, group or role may
	// have attached: 10 by default (users and roles up to 20 on request).
	MaxAttachedPolicies = 10
	// MaxTrustPolicySize is the size of a role's trust policy: 2,048 by default (up to
	// 4,096 on request).
	MaxTrustPolicySize = 2048
	// MaxUserInlinePolicySize is the size of all inline policies of one user together.
	MaxUserInlinePolicySize = 2048
	// MaxGroupInlinePolicySize is the size of all inline policies of one group together.
	MaxGroupInlinePolicySize = 5120
	// MaxRoleInlinePolicySize is the size of all inline policies of one role together.
	MaxRoleInlinePolicySize = 10240
)

// CloudFormation's quotas on one stack, which the stacks that grow with the map (the
// identity and service stacks) must fit. Source: "CloudFormation quotas",
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html.
const (
	// MaxStackResources is how many resources one stack may declare.
	MaxStackResources = 500
	// MaxTemplateSize is the size of a template uploaded through S3 (as `cdk deploy`
	// does), in bytes.
	MaxTemplateSize = 1 << 20
	// MaxTemplateBodySize is the size of a template passed inline in a request, as an
	// AWS::CloudFormation::StackSet's TemplateBody is (a TemplateURL would need a bucket
	// that every StackSet operation can read), in bytes.
	MaxTemplateBodySize = 51200
	// MaxStackSets is how many StackSets one administrator account may hold (1,000 by
	// default); curfew-organization has one per organisational unit of the map.
	MaxStackSets = 1000
)

// PolicySize is a policy document's size as IAM counts it: the characters of its JSON
// without whitespace.
func PolicySize(doc any) int {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		panic(fmt.Sprintf("a policy document that is not JSON: %v", err))
	}
	n := 0
	for _, r := range b.String() {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// assumeAction is what the packed policies allow.
const assumeAction = "sts:AssumeRole"

// packRoleARNs splits the roles a principal may assume into the fewest lists whose
// managed policy each fits MaxManagedPolicySize: the first policy also carries the
// statements of first. Each role is named by its ARN (about 125 a policy): a wildcard ARN
// narrowed by a list of accounts in aws:ResourceAccount would hold about 400, but rests
// on STS putting that key into AssumeRole's request context, which the access simulation
// cannot show (it evaluates whatever context it is given), while a list of ARNs needs no
// context at all.
func packRoleARNs(sid string, arns []string, first []awsiam.PolicyStatement) [][]string {
	var out [][]string
	var chunk []string
	size := 0
	for _, arn := range arns {
		// Each further ARN adds its quotes and a comma.
		grow := len(arn) + 3
		if chunk != nil && size+grow > MaxManagedPolicySize {
			out = append(out, chunk)
			chunk = nil
		}
		if chunk == nil {
			var fixed []awsiam.PolicyStatement
			if len(out) == 0 {
				fixed = first
			}
			size = PolicySize(assumeDocument(sid, nil, fixed))
		}
		chunk = append(chunk, arn)
		size += grow
	}
	if chunk != nil {
		out = append(out, chunk)
	}
	return out
}

// assumeDocument is the policy document packRoleARNs measures, as CDK renders it.
func assumeDocument(sid string, arns []string, fixed []awsiam.PolicyStatement) map[string]any {
	var statements []any
	for _, s := range fixed {
		statements = append(statements, s.ToStatementJson())
	}
	statements = append(statements, map[string]any{
		"Action": assumeAction, "Effect": "Allow", "Resource": append([]string{}, arns...), "Sid": sid,
	})
	return map[string]any{"Statement": statements, "Version": "2012-10-17"}
}

// newAssumePolicies creates the managed policies that let a principal assume exactly the
// roles arns, as few as fit (packRoleARNs), with the statements of first in the first.
func newAssumePolicies(scope constructs.Construct, id, description, sid string, arns []string, first ...awsiam.PolicyStatement) []awsiam.ManagedPolicy {
	var out []awsiam.ManagedPolicy
	chunks := packRoleARNs(sid, arns, first)
	for i, chunk := range chunks {
		statements := []awsiam.PolicyStatement{allow(sid, []string{assumeAction}, chunk, nil)}
		if i == 0 {
			statements = append(append([]awsiam.PolicyStatement{}, first...), statements...)
		}
		d := description
		if len(chunks) > 1 {
			d = fmt.Sprintf("%s (%d of %d)", description, i+1, len(chunks))
		}
		out = append(out, awsiam.NewManagedPolicy(scope, jsii.String(fmt.Sprintf("%s%d", id, i+1)), &awsiam.ManagedPolicyProps{
			Description: jsii.String(d),
			Document:    inline(statements...),
		}))
	}
	return out
}

// roleARNs are the ARNs of the named role in each account.
func roleARNs(role string, targets []accounts.Account) []string {
	arns := make([]string, len(targets))
	for i, a := range targets {
		arns[i] = a.RoleARN(role)
	}
	return arns
}

// checkLimits refuses a map whose stacks would break IAM's quotas, naming every problem:
// the managed policies each principal would have attached. Documents that grow with the
// map are packed (packRoleARNs) or per account; their sizes are checked by the tests.
func checkLimits(m *accounts.Map) error {
	var problems []error
	attached := func(what string, n int) {
		if n > MaxAttachedPolicies {
			problems = append(problems, fmt.Errorf("%s would have %d managed policies attached; IAM allows %d (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)", what, n, MaxAttachedPolicies))
		}
	}
	targets := m.Targets()
	// SelfService, then the DeveloperAccess roles.
	attached("the developers group ("+fmt.Sprint(len(targets))+" target accounts)",
		1+len(packRoleARNs(assumeDeveloperAccessSid, roleARNs(accounts.DeveloperAccessRole, targets), nil))+unitPolicies(m)+accountListPolicies(m))
	if m.CI.User != "" {
		attached("the CI user's group", len(packRoleARNs(assumeCIRolesSid, roleARNs(accounts.CIRole, targets), ciFirst(m)))+unitPolicies(m))
	}
	attached("the roles of "+accounts.ShutdownFunction+" and "+accounts.RestartFunction,
		len(packRoleARNs(assumeCurfewRolesSid, append(roleARNs(accounts.SchedulerRole, m.Swept()), organizationRoles(m, accounts.SchedulerRole)...), nil)))
	if _, on := m.HeadsUpBefore(); on {
		attached("the role of "+accounts.SnoozeLinkFunction,
			len(packRoleARNs(assumeCurfewRolesSid, roleARNs(accounts.SnoozeLinkRole, m.Swept()), nil)))
	}
	attached("the role of "+accounts.CostReportFunction,
		len(packRoleARNs(assumeCurfewRolesSid, append(roleARNs(accounts.CostReaderRole, m.Accounts), organizationRoles(m, accounts.CostReaderRole)...), nil)))
	if m.Organization != nil && len(m.Organization.OUs) > MaxStackSets {
		problems = append(problems, fmt.Errorf("organization.ous: %d units would need %d StackSets in the management account; CloudFormation allows %d (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html)", len(m.Organization.OUs), len(m.Organization.OUs), MaxStackSets))
	}
	for i, a := range m.Accounts {
		if a.Name == m.Identity {
			continue
		}
		// Each role also gets CurfewGuardrails.
		attached(fmt.Sprintf("accounts[%d].developerPolicies: %s in %s", i, accounts.DeveloperAccessRole, a.Name), len(a.DeveloperPolicies)+1)
		attached(fmt.Sprintf("accounts[%d].ciPolicies: %s in %s", i, accounts.CIRole, a.Name), len(a.CIPolicies)+1)
	}
	problems = append(problems, identityCenterLimits(m)...)
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("the account map does not fit IAM's quotas: %w", errors.Join(problems...))
}

// Largest is the largest document (or count) of one kind in a set of templates.
type Largest struct {
	Size int
	// Where names it: stack/logical id.
	Where string
}

// CheckTemplates checks every IAM document of every template (by stack name) against
// IAM's quotas: each managed policy's size, each role's trust policy, each user's, group's
// and role's inline policies together (its own and the AWS::IAM::Policy resources
// attached to it), and the managed policies attached to each (by its ManagedPolicyArns or
// the policy's Roles, Groups or Users); and each template against CloudFormation's. It
// returns the largest of each kind, and an error naming every breach. CloudFormation
// functions in a document count as the longest values they can take (see sized).
func CheckTemplates(templates map[string]map[string]any) (map[string]Largest, error) {
	largest := map[string]Largest{}
	note := func(kind, where string, size int) {
		if size > largest[kind].Size {
			largest[kind] = Largest{size, where}
		}
	}
	var problems []error
	check := func(kind, where string, size, limit int, unit string) {
		note(kind, where, size)
		if size > limit {
			problems = append(problems, fmt.Errorf("%s %s: %d %s, the quota is %d", kind, where, size, unit, limit))
		}
	}
	// A StackSet's template is checked as a stack of its own, <stack>/<logical id>.
	templates = maps.Clone(templates)
	for stack, tmpl := range maps.Clone(templates) {
		resources, _ := tmpl["Resources"].(map[string]any)
		for id, r := range resources {
			r, _ := r.(map[string]any)
			props, _ := r["Properties"].(map[string]any)
			body, ok := props["TemplateBody"].(string)
			if r["Type"] != "AWS::CloudFormation::StackSet" || !ok {
				continue
			}
			check("StackSet template body", stack+"/"+id, len(body), MaxTemplateBodySize, "bytes")
			var member map[string]any
			if err := json.Unmarshal([]byte(body), &member); err != nil {
				return nil, fmt.Errorf("template %s/%s: %w", stack, id, err)
			}
			templates[stack+"/"+id] = member
		}
	}
	for _, stack := range slices.Sorted(func(yield func(string) bool) {
		for k := range templates {
			if !yield(k) {
				return
			}
		}
	}) {
		tmpl := templates[stack]
		resources, _ := tmpl["Resources"].(map[string]any)
		data, err := json.Marshal(tmpl)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", stack, err)
		}
		check("template", stack, len(data), MaxTemplateSize, "bytes")
		check("stack's resources", stack, len(resources), MaxStackResources, "resources")
		type principal struct {
			kind            string
			inline, managed int
		}
		principals := map[string]*principal{}
		for id, r := range resources {
			r, _ := r.(map[string]any)
			props, _ := r["Properties"].(map[string]any)
			var kind string
			switch r["Type"] {
			case "AWS::IAM::Role":
				kind = "role"
				check("trust policy", stack+"/"+id, PolicySize(sized(props["AssumeRolePolicyDocument"])), MaxTrustPolicySize, "characters")
			case "AWS::IAM::Group":
				kind = "group"
			case "AWS::IAM::User":
				kind = "user"
				check("user's groups", stack+"/"+id, len(asList(props["Groups"])), maxGroupsPerUser, "groups")
			default:
				continue
			}
			p := &principal{kind: kind, managed: len(asList(props["ManagedPolicyArns"]))}
			for _, x := range asList(props["Policies"]) {
				doc, _ := x.(map[string]any)
				p.inline += PolicySize(sized(doc["PolicyDocument"]))
			}
			principals[id] = p
		}
		for id, r := range resources {
			r, _ := r.(map[string]any)
			props, _ := r["Properties"].(map[string]any)
			size := PolicySize(sized(props["PolicyDocument"]))
			switch r["Type"] {
			case "AWS::IAM::ManagedPolicy":
				check("managed policy", stack+"/"+id, size, MaxManagedPolicySize, "characters")
			case "AWS::IAM::Policy":
			default:
				continue
			}
			for _, key := range []string{"Roles", "Groups", "Users"} {
				for _, x := range asList(props[key]) {
					ref, _ := x.(map[string]any)
					p := principals[fmt.Sprint(ref["Ref"])]
					if p == nil {
						problems = append(problems, fmt.Errorf("policy %s/%s: attached to %v, which is not a principal of its stack, so its quotas are not checked", stack, id, x))
						continue
					}
					if r["Type"] == "AWS::IAM::Policy" {
						p.inline += size
					} else {
						p.managed++
					}
				}
			}
		}
		inlineLimit := map[string]int{"role": MaxRoleInlinePolicySize, "group": MaxGroupInlinePolicySize, "user": MaxUserInlinePolicySize}
		for id, p := range principals {
			check(p.kind+"'s inline policies", stack+"/"+id, p.inline, inlineLimit[p.kind], "characters")
			check(p.kind+"'s managed policies", stack+"/"+id, p.managed, MaxAttachedPolicies, "policies")
		}
	}
	if len(problems) == 0 {
		return largest, nil
	}
	return largest, fmt.Errorf("the templates break AWS quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): %w", errors.Join(problems...))
}

// maxGroupsPerUser is how many groups an IAM user may be in (IAM quotas, not adjustable).
const maxGroupsPerUser = 10

// CheckTemplateFiles runs CheckTemplates over the templates of a cloud assembly's
// directory (*.template.json).
func CheckTemplateFiles(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
	if err != nil {
		return err
	}
	templates := map[string]map[string]any{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var tmpl map[string]any
		if err := json.Unmarshal(data, &tmpl); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		templates[strings.TrimSuffix(filepath.Base(f), ".template.json")] = tmpl
	}
	_, err = CheckTemplates(templates)
	return err
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// sized replaces a template value's CloudFormation functions by the longest strings they
// can stand for, so that a document is measured no smaller than IAM will see it: a
// partition of 10 characters (aws-us-gov), a region of 14, an account id, and 128
// characters for a resource's name or ARN.
func sized(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = sized(x)
		}
		return out
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok && len(v) == 1 {
			switch ref {
			case "AWS::Partition":
				return "aws-us-gov"
			case "AWS::Region":
				return "ap-southeast-5"
			case "AWS::AccountId":
				return "123456789012"
			case "AWS::URLSuffix":
				return "amazonaws.com.cn"
			}
			return strings.Repeat("r", 128)
		}
		if _, ok := v["Fn::GetAtt"]; ok && len(v) == 1 {
			return strings.Repeat("a", 128)
		}
		if join, ok := v["Fn::Join"].([]any); ok && len(v) == 1 && len(join) == 2 {
			parts, _ := join[1].([]any)
			var out []string
			for _, p := range parts {
				out = append(out, fmt.Sprint(sized(p)))
			}
			return strings.Join(out, fmt.Sprint(join[0]))
		}
		out := map[string]any{}
		for k, x := range v {
			out[k] = sized(x)
		}
		return out
	}
	return v
}
