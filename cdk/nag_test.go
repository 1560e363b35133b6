package cdk_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/curfew/curfew/cdk"
)

// TestNoUnsuppressedNagFindings runs cdk-nag's AwsSolutions pack over every stack of both
// organisations: every finding is fixed or suppressed with its reason in code.
func TestNoUnsuppressedNagFindings(t *testing.T) {
	for _, o := range []*org{seed, oidcOrg} {
		o.noNagFindings(t)
	}
}

// noNagFindings fails t for every error and warning cdk-nag left on the organisation's
// stacks, unfixed and unsuppressed.
func (o *org) noNagFindings(t *testing.T) {
	t.Helper()
	noNagFindings(t, o.all()...)
}

// unitsNoNagFindings runs cdk-nag over each unit's member template, built in an app of its
// own as curfew-organization does, and fails t for every finding left.
func (o *org) unitsNoNagFindings(t *testing.T) {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	var members []awscdk.Stack
	for _, u := range o.m.Organization.OUs {
		members = append(members, cdk.NewStackSetMember(app, cdk.StackSetName(u), o.m, u))
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(false)}), nil)
	app.Synth(nil)
	noNagFindings(t, members...)
}

// noNagFindings fails t for every error and warning cdk-nag left on the stacks.
func noNagFindings(t *testing.T, stacks ...awscdk.Stack) {
	t.Helper()
	for _, s := range stacks {
		a := assertions.Annotations_FromStack(s)
		for _, msg := range *a.FindError(jsii.String("*"), assertions.Match_AnyValue()) {
			t.Errorf("%s: error at %s: %v", *s.StackName(), *msg.Id, msg.Entry.Data)
		}
		for _, msg := range *a.FindWarning(jsii.String("*"), assertions.Match_AnyValue()) {
			t.Errorf("%s: warning at %s: %v", *s.StackName(), *msg.Id, msg.Entry.Data)
		}
	}
}
