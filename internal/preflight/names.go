package preflight

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/paging"
)

// stackTag is the tag CloudFormation puts on the resources it creates, where the type
// takes tags.
const stackTag = "aws:cloudformation:stack-name"

// fixedNames checks that no role, group, user, policy, log group or bucket already holds a
// name curfew's stacks give theirs, unless curfew's own stack created it: CloudFormation cannot create
// a second and fails the deploy with "already exists".
type fixedNames struct{}

func (fixedNames) Name() string { return "fixed names" }

func (fixedNames) Run(ctx context.Context, t Target) []Finding {
	f := footprintOf(t.Map, t.Account)
	owned, err := ownedBy(ctx, t, f)
	if err != nil {
		return []Finding{unchecked("list the resources of curfew's stacks", err, "cloudformation:ListStackResources")}
	}
	c := iam.NewFromConfig(t.Config)
	var findings []Finding
	clash := func(kind, name, physical string, tags []iamtypes.Tag, err error) {
		switch stack := tagValue(tags, stackTag); {
		case errorCode(err) == "NoSuchEntity":
		case err != nil:
			findings = append(findings, unchecked(fmt.Sprintf("read %s %s", kind, name), err, "iam:Get*"))
		case owned[physical] != "":
			findings = append(findings, ok("%s %s belongs to curfew's stack %s", kind, name, owned[physical]))
		case strings.HasPrefix(stack, memberPrefix):
			findings = append(findings, ok("%s %s belongs to curfew's stack %s", kind, name, stack))
		default:
			findings = append(findings, problem(
				fmt.Sprintf("%s %s already exists and no stack of curfew created it: the deploy fails with \"%s already exists\"", kind, name, name),
				fmt.Sprintf("if nothing uses it, delete it (aws iam delete-%s ...%s); if something does, move that to another name first: curfew's name is fixed because other accounts build its ARN", kind, t.profileArg())))
		}
	}
	for _, name := range f.roles {
		out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		var tags []iamtypes.Tag
		if err == nil {
			tags = out.Role.Tags
		}
		clash("role", name, name, tags, err)
	}
	for _, name := range f.groups {
		_, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String(name)})
		clash("group", name, name, nil, err)
	}
	for _, name := range f.users {
		out, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
		var tags []iamtypes.Tag
		if err == nil {
			tags = out.User.Tags
		}
		clash("user", name, name, tags, err)
	}
	for _, name := range f.policies {
		arn := fmt.Sprintf("arn:aws:iam::%s:policy/%s", t.Account.ID, name)
		out, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		var tags []iamtypes.Tag
		if err == nil {
			tags = out.Policy.Tags
		}
		clash("policy", name, arn, tags, err)
	}
	findings = append(findings, logGroupClashes(ctx, t, f, owned)...)
	findings = append(findings, bucketClashes(ctx, t, f, owned)...)
	if len(findings) == 0 {
		findings = append(findings, ok("none of curfew's %d fixed names is taken", len(f.roles)+len(f.groups)+len(f.users)+len(f.policies)+len(f.logGroups)+len(f.buckets)))
	}
	return findings
}

// tagValue is the value of the IAM tag key among tags; "" when it is not there.
func tagValue(tags []iamtypes.Tag, key string) string {
	for _, tag := range tags {
		if aws.ToString(tag.Key) == key {
			return aws.ToString(tag.Value)
		}
	}
	return ""
}

// bucketClashes finds the buckets of fixed name already there: in this account, kept by
// an earlier curfew-service, or in any other account, as S3 names are global. Either way
// CloudFormation cannot create curfew's.
func bucketClashes(ctx context.Context, t Target, f footprint, owned map[string]string) []Finding {
	region := t.Map.HomeRegion
	c := s3.NewFromConfig(t.Config, func(o *s3.Options) { o.Region, o.UsePathStyle = region, t.Config.BaseEndpoint != nil })
	var findings []Finding
	for _, name := range f.buckets {
		_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name), ExpectedBucketOwner: aws.String(t.Account.ID)})
		switch code := errorCode(err); {
		case code == "NotFound" || code == "NoSuchBucket":
		case code == "Forbidden" || code == "AccessDenied":
			findings = append(findings, problem(
				fmt.Sprintf("bucket %s exists and is not this account's, or this profile may not read it: S3 names are global, and the deploy fails with \"%s already exists\"", name, name),
				"run preflight with a profile that may call s3:ListBucket here; if another account holds the name, have it deleted there: curfew's name is fixed because the CLI builds it from the home account and region"))
		case err != nil:
			findings = append(findings, unchecked("read bucket "+name, err, "s3:ListBucket"))
		case owned[name] != "":
			findings = append(findings, ok("bucket %s belongs to curfew's stack %s", name, owned[name]))
		default:
			findings = append(findings, problem(
				fmt.Sprintf("bucket %s already exists and no stack of curfew holds it (an earlier curfew-service keeps it when deleted): the deploy fails with \"%s already exists\"", name, name),
				fmt.Sprintf("if it holds only curfew's list of accounts, delete it: aws s3 rb s3://%s --force --region %s%s", name, region, t.profileArg())))
		}
	}
	return findings
}

// logGroupClashes finds the functions' log groups already there: curfew-service keeps
// them when it is deleted (they are the audit trail), so deploying it again after a
// removal fails on them until they are deleted.
func logGroupClashes(ctx context.Context, t Target, f footprint, owned map[string]string) []Finding {
	if len(f.logGroups) == 0 {
		return nil
	}
	region := t.Map.HomeRegion
	pages := cloudwatchlogs.NewDescribeLogGroupsPaginator(cloudwatchlogs.NewFromConfig(t.Config, func(o *cloudwatchlogs.Options) { o.Region = region }),
		&cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/" + memberPrefix)})
	groups, err := paging.All(ctx, pages, func(page *cloudwatchlogs.DescribeLogGroupsOutput) []logstypes.LogGroup { return page.LogGroups })
	if err != nil {
		return []Finding{unchecked("list the log groups in "+region, err, "logs:DescribeLogGroups")}
	}
	var findings []Finding
	for _, g := range groups {
		name := aws.ToString(g.LogGroupName)
		switch {
		case !slices.Contains(f.logGroups, name):
		case owned[name] != "":
			findings = append(findings, ok("log group %s belongs to curfew's stack %s", name, owned[name]))
		default:
			findings = append(findings, problem(
				fmt.Sprintf("log group %s already exists in %s and no stack of curfew holds it (an earlier curfew-service keeps its log groups when deleted): the deploy fails with \"%s already exists\"", name, region, name),
				fmt.Sprintf("export what you need to keep, then delete it: aws logs delete-log-group --log-group-name %s --region %s%s", name, region, t.profileArg())))
		}
	}
	return findings
}

// ownedBy maps the physical id of every resource of curfew's stacks in the account to its
// stack; a stack not deployed yet owns nothing.
func ownedBy(ctx context.Context, t Target, f footprint) (map[string]string, error) {
	owned := map[string]string{}
	for _, s := range f.stacks {
		c := cloudformation.NewFromConfig(t.Config, func(o *cloudformation.Options) { o.Region = s.region })
		pages := cloudformation.NewListStackResourcesPaginator(c, &cloudformation.ListStackResourcesInput{StackName: aws.String(s.name)})
		resources, err := paging.All(ctx, pages, func(page *cloudformation.ListStackResourcesOutput) []cfntypes.StackResourceSummary {
			return page.StackResourceSummaries
		})
		if errorCode(err) == "ValidationError" && strings.Contains(err.Error(), "does not exist") {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s in %s: %w", s.name, s.region, err)
		}
		for _, r := range resources {
			if id := aws.ToString(r.PhysicalResourceId); id != "" {
				owned[id] = s.name
			}
		}
	}
	return owned, nil
}
