package cdk_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/curfew/curfew/cdk"
)

// headsUpMap turns the heads-up on (issue 30): owners on a listed account and on a swept
// unit, 45 minutes ahead, one account stopping at 00:10 in another time zone, one
// non-production account with the shutdown off.
const headsUpMap = "testdata/heads-up.yaml"

// headsUpOrg synthesises headsUpMap once per test binary, with cdk-nag.
var headsUpOrg = func() func(t *testing.T) *org {
	var once sync.Once
	var o *org
	var err error
	return func(t *testing.T) *org {
		t.Helper()
		once.Do(func() { o, err = synth(headsUpMap, lambdaDir, filepath.Join(lambdaDir, "..", "heads-up")) })
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
}()

// The heads-up's stacks pass what every stack passes: cdk-nag with every finding fixed or
// suppressed with its reason (the units' member templates too), IAM's and
// CloudFormation's quotas, cfn-lint and checkov.
func TestHeadsUpTemplatesPassTheChecks(t *testing.T) {
	o := headsUpOrg(t)
	if _, err := cdk.CheckTemplates(o.templates); err != nil {
		t.Error(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stacks := o.all()
	for _, u := range o.m.Organization.OUs {
		stacks = append(stacks, cdk.NewStackSetMember(app, cdk.StackSetName(u), o.m, u))
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(false)}), nil)
	app.Synth(nil)
	for _, s := range stacks {
		a := assertions.Annotations_FromStack(s)
		for _, msg := range *a.FindError(jsii.String("*"), assertions.Match_AnyValue()) {
			t.Errorf("%s: error at %s: %v", *s.StackName(), *msg.Id, msg.Entry.Data)
		}
		for _, msg := range *a.FindWarning(jsii.String("*"), assertions.Match_AnyValue()) {
			t.Errorf("%s: warning at %s: %v", *s.StackName(), *msg.Id, msg.Entry.Data)
		}
	}

	dir := t.TempDir()
	var files []string
	write := func(name string, data []byte) {
		path := filepath.Join(dir, name+".template.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	for name, tmpl := range o.templates {
		data, err := json.MarshalIndent(tmpl, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		write(name, data)
	}
	for _, u := range o.m.Organization.OUs {
		data, err := os.ReadFile(filepath.Join(o.outdir, "curfew-stacksets", u.ID, cdk.StackSetName(u)+".template.json"))
		if err != nil {
			t.Fatal(err)
		}
		write(cdk.StackSetName(u), data)
	}
	t.Run("cfn-lint", func(t *testing.T) { cfnLint(t, files...) })
	t.Run("checkov", func(t *testing.T) { checkov(t, dir) })
}
