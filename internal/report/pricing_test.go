package report_test

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/pricing"
	"github.com/aws/smithy-go"
)

// failingPricing is a Pricing API that cannot be reached, as from a Lambda in a VPC
// without a route to it.
type failingPricing struct{}

func (failingPricing) GetProducts(context.Context, *pricing.GetProductsInput, ...func(*pricing.Options)) (*pricing.GetProductsOutput, error) {
	return nil, &smithy.OperationError{ServiceID: "Pricing", OperationName: "GetProducts", Err: context.DeadlineExceeded}
}
