package cdk_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/curfew/curfew/cdk"
	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/sources"
)

// The deployment path of curfew-organization, against moto: an organisation with a
// non-production and a production unit; the StackSets of the synthesised template
// created as CloudFormation creates an AWS::CloudFormation::StackSet (CreateStackSet with
// its TemplateBody, then CreateStackInstances on its units and regions), in the
// management account. An account created in the non-production unit gets its roles from
// the StackSet (moto creates a service-managed instance's resources in the member
// account) and nobody edits the map: the next shutdown stops and marks its fleet. Moved
// to the production unit, it gets the production unit's roles (no CurfewScheduler) and
// the next run leaves it alone, saying why.
//
// moto does not deploy to an account that joins a unit later, nor remove an instance
// when an account leaves, as AutoDeployment does in AWS: the test makes those calls
// itself (TestOrganizationStackSetsDeployTheMemberRolesToEachUnit asserts that the
// template turns automatic deployment on, without retaining stacks).
func TestOrganizationDeploysRolesToFoundAccounts(t *testing.T) {
	ctx := t.Context()
	s := emulator.Own(t)
	const region = "eu-west-1"

	org := s.NewOrg(t, region)
	mgmt := org.Management
	nonProd, prod := org.Unit(org.Root, "non-production"), org.Unit(org.Root, "production")

	m, err := accounts.Parse(emulator.OrgMap{Region: region, ExternalID: "curfew-organization-test",
		People: emulator.NewAccountID(), Shop: emulator.NewAccountID(), Management: mgmt, NonProduction: nonProd, Production: prod}.YAML())
	if err != nil {
		t.Fatal(err)
	}
	template := synthStack(t, m, t.TempDir(), func(s cdk.Stacks) awscdk.Stack { return s.Organization })

	// The new account, created after the map was written.
	found, foundProd := org.Account("feature-x", nonProd), org.Account("payments", prod)
	// curfew's roles in the found account (Organizations creates
	// OrganizationAccountAccessRole in a new account).
	curfewRoles := []string{accounts.CIRole, accounts.CostReaderRole, accounts.DeveloperAccessRole, accounts.SchedulerRole}
	roles := func(account string) map[string]iamtypes.Role {
		t.Helper()
		out, err := iam.NewFromConfig(s.Account(t, account, region)).ListRoles(ctx, &iam.ListRolesInput{})
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]iamtypes.Role{}
		for _, r := range out.Roles {
			if name := aws.ToString(r.RoleName); slices.Contains(curfewRoles, name) {
				byName[name] = r
			}
		}
		return byName
	}
	for _, a := range []string{found, foundProd} {
		if r := roles(a); len(r) != 0 {
			t.Fatalf("the new account %s has curfew's roles before any StackSet: %v", a, r)
		}
	}

	// What CloudFormation does with each AWS::CloudFormation::StackSet, as the management
	// account.
	cfn := cloudformation.NewFromConfig(s.Account(t, mgmt, region))
	instances := map[string]cfntypes.DeploymentTargets{}
	for id, r := range template["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] != "AWS::CloudFormation::StackSet" {
			continue
		}
		var p struct {
			StackSetName, TemplateBody, PermissionModel, CallAs string
			Capabilities                                        []cfntypes.Capability
			AutoDeployment                                      cfntypes.AutoDeployment
			StackInstancesGroup                                 []struct {
				DeploymentTargets cfntypes.DeploymentTargets
				Regions           []string
			}
		}
		data, _ := json.Marshal(r["Properties"])
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if _, err := cfn.CreateStackSet(ctx, &cloudformation.CreateStackSetInput{
			StackSetName: aws.String(p.StackSetName), TemplateBody: aws.String(p.TemplateBody),
			PermissionModel: cfntypes.PermissionModels(p.PermissionModel), CallAs: cfntypes.CallAs(p.CallAs),
			Capabilities: p.Capabilities, AutoDeployment: &p.AutoDeployment,
		}); err != nil {
			t.Fatalf("create StackSet %s: %v", p.StackSetName, err)
		}
		for _, g := range p.StackInstancesGroup {
			if _, err := cfn.CreateStackInstances(ctx, &cloudformation.CreateStackInstancesInput{
				StackSetName: aws.String(p.StackSetName), DeploymentTargets: &g.DeploymentTargets, Regions: g.Regions,
				CallAs: cfntypes.CallAs(p.CallAs),
			}); err != nil {
				t.Fatalf("create the instances of %s: %v", p.StackSetName, err)
			}
			instances[p.StackSetName] = g.DeploymentTargets
		}
	}
	if len(instances) != 2 {
		t.Fatalf("StackSets created: %v, want one per unit", instances)
	}

	wantRoles := func(account string, want ...string) map[string]iamtypes.Role {
		t.Helper()
		got := roles(account)
		var names []string
		for n := range got {
			names = append(names, n)
		}
		slices.Sort(names)
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Fatalf("the roles of %s are %v, want %v", account, names, want)
		}
		return got
	}
	got := wantRoles(found, accounts.CIRole, accounts.CostReaderRole, accounts.DeveloperAccessRole, accounts.SchedulerRole)
	wantRoles(foundProd, accounts.CIRole, accounts.CostReaderRole, accounts.DeveloperAccessRole)
	trust := aws.ToString(got[accounts.SchedulerRole].AssumeRolePolicyDocument)
	for _, want := range []string{m.ExternalID, m.LambdaRoleARN(accounts.ShutdownFunction), m.LambdaRoleARN(accounts.RestartFunction)} {
		if !strings.Contains(trust, want) && !strings.Contains(trust, strings.ReplaceAll(want, "/", "%2F")) {
			t.Errorf("CurfewScheduler's trust in the found account does not name %s: %s", want, trust)
		}
	}

	// A fleet in the found account, and the night's run.
	ec2c := ec2.NewFromConfig(s.Account(t, found, region))
	instance := emulator.RunInstance(t, ec2c)
	state := func() (ec2types.InstanceStateName, map[string]string) {
		return emulator.InstanceState(t, ec2c, instance)
	}
	base := s.BaseConfig(region)
	h := fleet.Handler{
		Kind: history.Shutdown, Map: m, Connect: fleet.AssumeRoles(base, m.ExternalID),
		Sources: func(runID string) []sources.Source { return sources.ForRun(base, m, runID) },
	}
	rep, err := h.Handle(ctx, json.RawMessage(`{"trigger":"schedule"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].Account != found || rep.Failed() {
		t.Fatalf("first run: %+v", rep)
	}
	if st, tags := state(); st != ec2types.InstanceStateNameStopped || tags[accounts.StoppedByRunTag] != rep.RunID {
		t.Fatalf("after the first run the instance is %s with tags %v, want stopped and marked by %s", st, tags, rep.RunID)
	}

	// Moved to the production unit. In AWS, AutoDeployment then deletes the instance of
	// the unit it left (RetainStacksOnAccountRemoval false, asserted on the template) and
	// creates the new unit's; moto cannot delete it (its stack deletes the roles before
	// detaching CurfewGuardrails: DeleteConflict), so the account keeps CurfewScheduler,
	// as in AWS until the removal is done: the run must leave it alone all the same.
	org.Move(found, nonProd, prod)
	if _, err := ec2c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{instance}}); err != nil {
		t.Fatal(err)
	}
	_, before := state()
	rep, err = h.Handle(ctx, json.RawMessage(`{"trigger":"schedule"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 0 || rep.Failed() {
		t.Errorf("second run: %+v, want nothing visited", rep)
	}
	if st, tags := state(); st != ec2types.InstanceStateNameRunning || tags[accounts.StoppedByRunTag] != before[accounts.StoppedByRunTag] {
		t.Errorf("after the move the instance is %s with tags %v, want running and untouched", st, tags)
	}
	i := slices.IndexFunc(rep.Accounts, func(n sources.Note) bool { return n.Account == found })
	if i < 0 {
		t.Fatalf("the report does not say why %s was left alone: %+v", found, rep.Accounts)
	}
	if n := rep.Accounts[i]; n.Outcome != sources.Skipped || !strings.Contains(n.From, prod) || !strings.Contains(n.Reason, "production: never swept") {
		t.Errorf("note %+v, want skipped as production, from %s", n, prod)
	}
}
