package cdk

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/curfew/curfew/internal/accountlist"
	"github.com/curfew/curfew/internal/accounts"
)

// Sids of the statements about the published list of accounts.
const (
	publishAccountListSid = "PublishAccountList"
	readAccountListSid    = "ReadAccountList"
)

// accountListARN is the ARN of the published list: a fixed name, so that the identity
// stack can grant it without a reference into the home account's stack.
func accountListARN(m *accounts.Map) string {
	return "arn:aws:s3:::" + accountlist.Bucket(m) + "/" + accountlist.Key
}

// newAccountList creates, for a map that finds accounts in organisational units, the
// bucket the shutdown and restart publish the accounts they knew to (package
// accountlist), and who may touch that one object: the writers (the two functions) may
// put it; the operator role, and the identity account's IAM users its own policies allow
// (the developers group, grantAccountListRead), may get it. No other account is named,
// so no other account may read it, and nobody but the functions may write it from outside.
func (s *service) newAccountList(operator awsiam.Role, writers ...awslambda.Function) {
	if s.m.Organization == nil {
		return
	}
	// Deleting the stack keeps the bucket, like the service bucket; deploying again then
	// needs it deleted first, as its name is fixed.
	bucket := privateBucket(s.stack, "AccountList", &awss3.BucketProps{
		BucketName: jsii.String(accountlist.Bucket(s.m)),
	})
	object := accountListARN(s.m)
	for _, fn := range writers {
		fn.AddToRolePolicy(allow(publishAccountListSid, []string{"s3:PutObject"}, []string{object}, nil))
	}
	operator.AddToPrincipalPolicy(allow(readAccountListSid, []string{"s3:GetObject"}, []string{object}, nil))
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("IdentityAccountUsersReadTheList"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAccountPrincipal(jsii.String(s.m.IdentityAccount().ID))},
		Actions:    jsii.Strings("s3:GetObject"),
		Resources:  jsii.Strings(object),
		// Developers are IAM users: the identity account's roles are not trusted, whatever
		// their own policies say.
		Conditions: &map[string]any{"ArnLike": map[string]any{"aws:PrincipalArn": "arn:aws:iam::" + s.m.IdentityAccount().ID + ":user/*"}},
	}))
	suppress(bucket, "AwsSolutions-S1",
		"The bucket holds one object, rewritten by curfew's functions each run; CloudTrail records the API calls.")
	skipLint(bucket,
		lintSkip{"CKV_AWS_18", "The bucket holds one object, rewritten by curfew's functions each run; CloudTrail records the API calls."},
		lintSkip{"CKV_AWS_21", "The object is rewritten each run from the organisation: an old version is never needed."})
}

// grantAccountListRead lets the developers group read the published list, for `curfew
// profiles` and `curfew console`. The self-service policy still denies it to access keys
// without MFA: leaked keys must not map the organisation's accounts.
func grantAccountListRead(scope awscdk.Stack, developers awsiam.Group, m *accounts.Map) {
	if m.Organization == nil {
		return
	}
	developers.AddManagedPolicy(awsiam.NewManagedPolicy(scope, jsii.String("ReadAccountList"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("curfew: read the accounts the last run found in organisational units"),
		Document:    inline(allow(readAccountListSid, []string{"s3:GetObject"}, []string{accountListARN(m)}, nil)),
	}))
}

// accountListPolicies is how many managed policies grantAccountListRead gives the
// developers group: one with organisational units, else none.
func accountListPolicies(m *accounts.Map) int {
	if m.Organization == nil {
		return 0
	}
	return 1
}
