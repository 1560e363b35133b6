package cdk

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// Sids of the statements that let curfew-operator read the cost reports.
const (
	readCostReportsSid = "ReadCostReports"
	listCostReportsSid = "ListCostReports"
)

// grantReportReading lets curfew-operator read the HTML cost reports under reports/ (and
// list them, which the S3 console's object page and `aws s3 ls` do), and nothing else of
// the bucket: not the run history, not a write. The report names its page by the S3
// console URL and s3:// address instead of a presigned link (report.Publisher.StoreHTML),
// so each read is signed by the reader's own session; besides the home account's
// administrators (whose own policies allow s3:GetObject there), the operators are the
// people who may read it: the ones who run the report by hand.
func (s *service) grantReportReading(operator awsiam.Role) {
	reports := *s.bucket.ArnForObjects(jsii.String(reportsPrefix + "*"))
	operator.AddToPrincipalPolicy(allow(readCostReportsSid, []string{"s3:GetObject"}, []string{reports}, nil))
	operator.AddToPrincipalPolicy(allow(listCostReportsSid, []string{"s3:ListBucket"}, []string{*s.bucket.BucketArn()},
		map[string]any{"StringLike": map[string]any{"s3:prefix": reportsPrefix + "*"}}))
	bucket := *s.stack.GetLogicalId(s.bucket.Node().DefaultChild().(awscdk.CfnElement))
	suppress(operator, "AwsSolutions-IAM5",
		"The cost report writes a new page under reports/ each run, named by its date: an operator reads any of them, and only them.",
		"Resource::<"+bucket+".Arn>/"+reportsPrefix+"*")
}

// serviceBucketByName matches the service bucket's generated name, for a policy outside
// curfew-service that cannot reference it: CloudFormation names the bucket
// <stack>-<logical id>-<random> in lower case, and its logical id starts with the
// construct id, Bucket. No other bucket of curfew's starts so.
const serviceBucketByName = "arn:aws:s3:::" + ServiceStackName + "-bucket*"

// reportReadingByName is grantReportReading for the CurfewOperator permission set of
// access: identity-center, whose stack cannot reference the bucket: the same reads by the
// bucket's name. The permission set is assigned in the home account only.
func reportReadingByName() []awsiam.PolicyStatement {
	return []awsiam.PolicyStatement{
		allow(readCostReportsSid, []string{"s3:GetObject"}, []string{serviceBucketByName + "/" + reportsPrefix + "*"}, nil),
		allow(listCostReportsSid, []string{"s3:ListBucket"}, []string{serviceBucketByName},
			map[string]any{"StringLike": map[string]any{"s3:prefix": reportsPrefix + "*"}}),
	}
}
