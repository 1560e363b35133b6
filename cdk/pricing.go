package cdk

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
)

// grantPricing lets the cost report read AWS's price list (pricing:GetProducts), which
// prices its savings for each resource's region, operating system, tenancy, engine and
// deployment. The Price List API defines no resource types (Service Authorization
// Reference, "Actions, resources, and condition keys for AWS Price List"): the action
// takes Resource "*", and reads nothing but AWS's public prices.
func grantPricing(fn awslambda.Function) {
	fn.AddToRolePolicy(allow("ReadPriceList", []string{"pricing:GetProducts"}, []string{"*"}, nil))
	suppress(fn.Role(), "AwsSolutions-IAM5",
		"pricing:GetProducts has no resource types (Service Authorization Reference): it takes "+
			"Resource \"*\" and reads only AWS's public price list.", "Resource::*")
}
