package cdk_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

// deployedStack is where a stack is deployed: CloudFormation knows stacks by name in one
// account and region, so a stack whose region changes is another stack.
type deployedStack struct{ name, account, region string }

func (d deployedStack) String() string {
	return fmt.Sprintf("%s (%s, %s)", d.name, d.account, d.region)
}

// stackTemplate is one synthesised stack.
type stackTemplate struct {
	at        deployedStack
	resources map[string]any
}

// templatesOf returns every stack of the organisation with where it deploys.
func templatesOf(o *org) []stackTemplate {
	var out []stackTemplate
	for _, s := range o.all() {
		name := *s.StackName()
		out = append(out, stackTemplate{
			at:        deployedStack{name, *s.Account(), *s.Region()},
			resources: o.templates[name]["Resources"].(map[string]any),
		})
	}
	return out
}

// replacement is a resource with a fixed name that an update would replace (CloudFormation
// creates the replacement first, and fails because the name is taken), or create while
// the name is held outside curfew's stacks.
type replacement struct {
	stack     string // the stack the resource is in after the update
	logicalID string
	typ       string
	why       string
}

func (r replacement) String() string {
	return fmt.Sprintf("%s %s (%s): %s", r.stack, r.logicalID, r.typ, r.why)
}

// namedResource is a resource with a fixed physical name in one synthesis.
type namedResource struct {
	at        deployedStack
	logicalID string
	typ       string
	name      string // the name properties' values, as JSON
	props     map[string]any
}

// replacements compares two syntheses of curfew, before and after an update, and returns
// the resources with fixed names that the update replaces (moved to another stack, under
// another logical id, or with a property changed whose change requires replacement, by
// replacementRules) or creates under a name the stacks before referred to without
// creating it. problems lists what the rules cannot judge: a named resource of a type
// they lack, or one name held twice.
func replacements(before, after []stackTemplate) (found []replacement, problems []string) {
	beforeNames, p := namedResources(before)
	problems = append(problems, p...)
	afterNames, p := namedResources(after)
	problems = append(problems, p...)

	// The same name after the update must be the same resource.
	for key, b := range beforeNames {
		a, ok := afterNames[key]
		switch {
		case !ok:
			// Deleted, or renamed in place (judged below with the other properties).
		case a.at != b.at:
			found = append(found, replacement{a.at.name, a.logicalID, a.typ, fmt.Sprintf(
				"%s moves from %s to %s: the new stack creates it while the old one still holds the name", b.name, b.at, a.at)})
		case a.logicalID != b.logicalID:
			found = append(found, replacement{a.at.name, a.logicalID, a.typ, fmt.Sprintf(
				"%s was %s: CloudFormation creates %s before deleting %s, and the name is taken", b.name, b.logicalID, a.logicalID, b.logicalID)})
		}
	}

	// A name the stacks referred to by ARN without creating it is held outside them (the
	// bootstrap's roles, a provider the map said existed): an update cannot create it.
	referred := literalStrings(before)
	for key, a := range afterNames {
		rule := replacementRules[a.typ]
		name, isString := a.props[rule.names[0]].(string)
		if _, kept := beforeNames[key]; kept || rule.arn == nil || !isString {
			continue
		}
		if arn := rule.arn(a.at.account, a.at.region, name); referred[arn] {
			found = append(found, replacement{a.at.name, a.logicalID, a.typ, fmt.Sprintf(
				"creates %s, which the stacks referred to before without creating it: it exists, and the name is taken", arn)})
		}
	}

	// A resource kept under its logical id must keep what cannot change in place.
	afterStacks := map[deployedStack]map[string]any{}
	for _, s := range after {
		afterStacks[s.at] = s.resources
	}
	for _, s := range before {
		resources, ok := afterStacks[s.at]
		if !ok {
			continue
		}
		for id, b := range s.resources {
			a, ok := resources[id]
			if !ok {
				continue
			}
			bt, bp := typeAndProps(b)
			at, ap := typeAndProps(a)
			if !named(bt, bp) && !named(at, ap) {
				continue
			}
			if bt != at {
				found = append(found, replacement{s.at.name, id, at, "was a " + bt})
				continue
			}
			rule := replacementRules[at]
			for _, prop := range rule.replacement {
				if !equalJSON(bp[prop], ap[prop]) {
					found = append(found, replacement{s.at.name, id, at, fmt.Sprintf(
						"%s changes from %s to %s, which requires replacement (%s)", prop, jsonOf(bp[prop]), jsonOf(ap[prop]), rule.source)})
				}
			}
		}
	}
	slices.SortFunc(found, func(x, y replacement) int { return strings.Compare(x.String(), y.String()) })
	return found, problems
}

// literalStrings are the strings anywhere in the stacks' resources.
func literalStrings(stacks []stackTemplate) map[string]bool {
	out := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			out[v] = true
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	for _, s := range stacks {
		walk(s.resources)
	}
	return out
}

// namedResources indexes the resources with fixed names by type, name and where the name
// must be unique.
func namedResources(stacks []stackTemplate) (map[string]namedResource, []string) {
	out := map[string]namedResource{}
	var problems []string
	for _, s := range stacks {
		// In order, so that of one name held twice the first logical id is compared.
		for _, id := range slices.Sorted(maps.Keys(s.resources)) {
			typ, props := typeAndProps(s.resources[id])
			rule, listed := replacementRules[typ]
			if !listed {
				if naming := namingProperties(typ, props); len(naming) > 0 {
					problems = append(problems, fmt.Sprintf("%s %s (%s) has a fixed name (%s), and %s is not in replacementRules "+
						"(cdk/replacement_test.go): add the type, its \"Update requires: Replacement\" properties and the page of the "+
						"CloudFormation resource reference", s.at, id, typ, strings.Join(naming, ", "), typ))
				}
				continue
			}
			name := nameOf(rule, props)
			if name == "" {
				continue
			}
			var key string
			switch rule.scope {
			case accountScope:
				key = s.at.account
			case regionScope:
				key = s.at.account + "/" + s.at.region
			case ownerScope:
				key = s.at.String()
			}
			key += " " + typ + " " + name
			if other, dup := out[key]; dup {
				problems = append(problems, fmt.Sprintf("%s %s and %s %s are both %s %s", other.at, other.logicalID, s.at, id, typ, name))
				continue
			}
			out[key] = namedResource{s.at, id, typ, name, props}
		}
	}
	return out, problems
}

// namingProperties are the properties of a resource of a type outside replacementRules
// that look like its name, by CloudFormation's convention: Name, or the type's last part
// followed by Name (AWS::SNS::Topic's TopicName).
func namingProperties(typ string, props map[string]any) []string {
	short := typ[strings.LastIndex(typ, ":")+1:]
	var out []string
	for _, p := range []string{"Name", short + "Name"} {
		if _, set := props[p]; set {
			out = append(out, p)
		}
	}
	return out
}

// named reports whether a resource has a fixed name by replacementRules.
func named(typ string, props map[string]any) bool {
	rule, listed := replacementRules[typ]
	return listed && nameOf(rule, props) != ""
}

// nameOf is the JSON of a resource's name properties, or "" when none is set.
func nameOf(rule replacementRule, props map[string]any) string {
	var values []any
	for _, p := range rule.names {
		if v, set := props[p]; set {
			values = append(values, v)
		}
	}
	if len(values) == 0 {
		return ""
	}
	return jsonOf(values)
}

func typeAndProps(resource any) (string, map[string]any) {
	r := resource.(map[string]any)
	props, _ := r["Properties"].(map[string]any)
	return r["Type"].(string), props
}

func jsonOf(v any) string {
	if v == nil {
		return "(unset)"
	}
	j, _ := json.Marshal(v)
	return string(j)
}

// upgrades are the changes of the account map an operator makes, each as the map before
// and after. Both are synthesised and compared with replacements.
var upgrades = []struct{ name, from, to string }{
	{"add an account", "testdata/ci-user.yaml", "testdata/upgrade/add-account.yaml"},
	{"remove an account", "testdata/upgrade/add-account.yaml", "testdata/ci-user.yaml"},
	{"add a region", "testdata/ci-user.yaml", "testdata/upgrade/add-region.yaml"},
	{"list another region first", "testdata/ci-user.yaml", "testdata/upgrade/first-region.yaml"},
	{"change a policy", "testdata/ci-user.yaml", "testdata/upgrade/change-policy.yaml"},
	{"change the schedule", "testdata/ci-user.yaml", "testdata/upgrade/change-schedule.yaml"},
	{"switch CI from user to OIDC", "testdata/ci-user.yaml", "testdata/upgrade/ci-oidc.yaml"},
	{"switch CI from OIDC to user", "testdata/upgrade/ci-oidc.yaml", "testdata/ci-user.yaml"},
	{"reference an existing OIDC provider", "testdata/upgrade/ci-oidc.yaml", "testdata/upgrade/existing-provider.yaml"},
	{"create the OIDC provider again", "testdata/upgrade/existing-provider.yaml", "testdata/upgrade/ci-oidc.yaml"},
}

// knownReplacements are the upgrades that replace named resources whatever curfew does,
// by stack; the README says what to do about each.
var knownReplacements = []struct{ upgrade, stack, why string }{
	{"list another region first", "curfew-staging",
		"a member stack deploys in its account's first region: with another region first, `cdk deploy` creates " +
			"a second curfew-staging there, whose roles and policies take the names the first one holds"},
	{"create the OIDC provider again", "curfew-staging",
		"the account has the issuer's provider (its own, or the one curfew created and retained): IAM allows one"},
	{"create the OIDC provider again", "curfew-production", "as for curfew-staging"},
}

// TestUpgradesReplaceNoNamedResource (issue 19, item 3): for each upgrade of the account
// map, no resource with a fixed name is replaced (moved to another stack, under a new
// logical id, or with a property changed that requires replacement), except the known,
// documented cases; every template of both syntheses is walked, so new resources are
// covered as they come.
func TestUpgradesReplaceNoNamedResource(t *testing.T) {
	synths := map[string]*org{"testdata/ci-user.yaml": seed}
	synthOnce := func(t *testing.T, path string) *org {
		if o, ok := synths[path]; ok {
			return o
		}
		synths[path] = synthMap(t, path)
		return synths[path]
	}
	for _, u := range upgrades {
		t.Run(u.name, func(t *testing.T) {
			found, problems := replacements(templatesOf(synthOnce(t, u.from)), templatesOf(synthOnce(t, u.to)))
			for _, p := range problems {
				t.Error(p)
			}
			matched := map[int]bool{}
			for _, r := range found {
				i := slices.IndexFunc(knownReplacements, func(k struct{ upgrade, stack, why string }) bool {
					return k.upgrade == u.name && k.stack == r.stack
				})
				if i < 0 {
					t.Errorf("unsafe update: %s", r)
					continue
				}
				matched[i] = true
				t.Logf("known, documented: %s", r)
			}
			for i, k := range knownReplacements {
				if k.upgrade == u.name && !matched[i] {
					t.Errorf("the known replacement of %s (%s) no longer happens: remove it from knownReplacements and the README", k.stack, k.why)
				}
			}
		})
	}
}

// TestReplacementsFindsEachKind: the comparison itself, on small templates, finds each
// kind of replacement and each resource it cannot judge, and lets pass what CloudFormation
// updates in place.
func TestReplacementsFindsEachKind(t *testing.T) {
	here := deployedStack{"curfew-staging", "222222222222", "eu-west-1"}
	elsewhere := deployedStack{"curfew-staging", "222222222222", "eu-central-1"}
	role := func(name, path string, policies ...string) any {
		props := map[string]any{"RoleName": name, "ManagedPolicyArns": policies}
		if path != "" {
			props["Path"] = path
		}
		return map[string]any{"Type": "AWS::IAM::Role", "Properties": props}
	}
	stack := func(at deployedStack, resources map[string]any) []stackTemplate {
		return []stackTemplate{{at, resources}}
	}
	before := stack(here, map[string]any{"CI": role("CurfewCI", "", "ReadOnlyAccess")})
	tests := []struct {
		name    string
		before  []stackTemplate // before, unless set
		after   []stackTemplate
		want    []string // phrases of each replacement found, in order
		problem string
	}{
		{name: "a policy changes in place", after: stack(here, map[string]any{"CI": role("CurfewCI", "", "PowerUserAccess")})},
		{name: "the logical id changes", after: stack(here, map[string]any{"CIRole": role("CurfewCI", "", "ReadOnlyAccess")}),
			want: []string{`CIRole (AWS::IAM::Role): ["CurfewCI"] was CI`}},
		{name: "the stack moves", after: stack(elsewhere, map[string]any{"CI": role("CurfewCI", "", "ReadOnlyAccess")}),
			want: []string{"moves from curfew-staging (222222222222, eu-west-1) to curfew-staging (222222222222, eu-central-1)"}},
		{name: "a replacement property changes", after: stack(here, map[string]any{"CI": role("CurfewCI", "/curfew/", "ReadOnlyAccess")}),
			want: []string{`Path changes from (unset) to "/curfew/", which requires replacement`}},
		{name: "the name changes", after: stack(here, map[string]any{"CI": role("CurfewPipeline", "", "ReadOnlyAccess")}),
			want: []string{`RoleName changes from "CurfewCI" to "CurfewPipeline"`}},
		{name: "the resource goes", after: stack(here, map[string]any{})},
		{name: "a named resource of an unlisted type", after: stack(here, map[string]any{
			"CI":    role("CurfewCI", "", "ReadOnlyAccess"),
			"Topic": map[string]any{"Type": "AWS::SNS::Topic", "Properties": map[string]any{"TopicName": "curfew"}},
		}), problem: "has a fixed name (TopicName), and AWS::SNS::Topic is not in replacementRules"},
		{name: "an unnamed resource of an unlisted type", after: stack(here, map[string]any{
			"CI":    role("CurfewCI", "", "ReadOnlyAccess"),
			"Topic": map[string]any{"Type": "AWS::SNS::Topic", "Properties": map[string]any{"DisplayName": "curfew"}},
		})},
		{name: "a name held outside the stacks", before: stack(here, map[string]any{
			"CI": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
				"RoleName": "CurfewCI", "Policies": []any{"arn:aws:iam::222222222222:role/cdk-deploy"},
			}},
		}), after: stack(here, map[string]any{
			"CI": role("CurfewCI", ""), "Deploy": role("cdk-deploy", ""),
		}), want: []string{"Deploy (AWS::IAM::Role): creates arn:aws:iam::222222222222:role/cdk-deploy, which the stacks referred to before without creating it"}},
		{name: "one name twice", after: stack(here, map[string]any{
			"CI": role("CurfewCI", "", "ReadOnlyAccess"), "CI2": role("CurfewCI", "", "PowerUserAccess"),
		}), problem: `are both AWS::IAM::Role ["CurfewCI"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := before
			if tt.before != nil {
				from = tt.before
			}
			found, problems := replacements(from, tt.after)
			if len(found) != len(tt.want) {
				t.Fatalf("found %v, want %d replacement(s) %v", found, len(tt.want), tt.want)
			}
			for i, r := range found {
				if !strings.Contains(r.String(), tt.want[i]) {
					t.Errorf("found %q, want ...%s...", r, tt.want[i])
				}
			}
			switch {
			case tt.problem == "" && len(problems) > 0:
				t.Errorf("problems %v, want none", problems)
			case tt.problem != "" && (len(problems) != 1 || !strings.Contains(problems[0], tt.problem)):
				t.Errorf("problems %v, want one with ...%s...", problems, tt.problem)
			}
		})
	}
}

var update = flag.Bool("update", false, "rewrite testdata/upgrade/deployed-*.json from this commit's templates")

// deployedStackJSON is a stack as testdata/upgrade/deployed-*.json keep it: its resources
// of the types in replacementRules, with their names and replacement properties only.
type deployedStackJSON struct {
	Name      string                    `json:"name"`
	Account   string                    `json:"account"`
	Region    string                    `json:"region"`
	Resources map[string]map[string]any `json:"resources"`
}

// TestUpgradeFromTheDeployedTemplates (issue 19, item 3): upgrading curfew itself, with
// the account map unchanged, replaces no resource with a fixed name. The templates of the
// version operators run are kept in testdata/upgrade/deployed-*.json, as much of them as
// the comparison reads; after a release, record its templates with
// `go test ./cdk -run TestUpgradeFromTheDeployedTemplates -update`.
func TestUpgradeFromTheDeployedTemplates(t *testing.T) {
	for golden, o := range map[string]*org{
		"testdata/upgrade/deployed-ci-user.json": seed,
		"testdata/upgrade/deployed-oidc.json":    oidcOrg,
	} {
		t.Run(golden, func(t *testing.T) {
			now := templatesOf(o)
			if *update {
				writeDeployed(t, golden, now)
				return
			}
			found, problems := replacements(readDeployed(t, golden), now)
			for _, p := range problems {
				t.Error(p)
			}
			for _, r := range found {
				t.Errorf("unsafe update: %s", r)
			}
		})
	}
}

func writeDeployed(t *testing.T, path string, stacks []stackTemplate) {
	t.Helper()
	var out []deployedStackJSON
	for _, s := range stacks {
		d := deployedStackJSON{s.at.name, s.at.account, s.at.region, map[string]map[string]any{}}
		for id, r := range s.resources {
			typ, props := typeAndProps(r)
			rule, listed := replacementRules[typ]
			if !listed {
				continue
			}
			kept := map[string]any{}
			for _, p := range append(slices.Clone(rule.names), rule.replacement...) {
				if v, set := props[p]; set {
					kept[p] = v
				}
			}
			d.Resources[id] = map[string]any{"Type": typ, "Properties": kept}
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b deployedStackJSON) int { return strings.Compare(a.Name, b.Name) })
	data, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readDeployed(t *testing.T, path string) []stackTemplate {
	t.Helper()
	var stacks []deployedStackJSON
	readJSON(t, path, &stacks)
	var out []stackTemplate
	for _, s := range stacks {
		resources := map[string]any{}
		for id, r := range s.Resources {
			resources[id] = r
		}
		out = append(out, stackTemplate{deployedStack{s.Name, s.Account, s.Region}, resources})
	}
	return out
}
