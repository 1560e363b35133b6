package cdk

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// lintSkip is a template linter's check that does not apply to a resource, and why.
type lintSkip struct {
	// ID is a checkov check (CKV_...) or a cfn-lint rule (W3005, ...).
	ID     string
	Reason string
}

// skipLint records in the metadata of construct's CloudFormation resource the linter
// checks that do not apply to it: checkov's skips carry their reason in the template;
// cfn-lint has no place for one, so its reason stays here, at the call. Call it once per
// construct: each call replaces the construct's earlier skips.
func skipLint(construct constructs.IConstruct, skips ...lintSkip) {
	resource := construct.Node().DefaultChild().(awscdk.CfnResource)
	var checkov []any
	var cfnLint []string
	for _, s := range skips {
		if strings.HasPrefix(s.ID, "CKV") {
			checkov = append(checkov, map[string]any{"id": s.ID, "comment": s.Reason})
		} else {
			cfnLint = append(cfnLint, s.ID)
		}
	}
	if len(checkov) > 0 {
		resource.AddMetadata(jsii.String("checkov"), map[string]any{"skip": checkov})
	}
	if len(cfnLint) > 0 {
		resource.AddMetadata(jsii.String("cfn-lint"), map[string]any{"config": map[string]any{"ignore_checks": cfnLint}})
	}
}
