package cdk_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// This file is the one place that says which resources of curfew's templates have fixed
// physical names and which of their properties CloudFormation cannot change in place.
// The upgrade test (upgrade_test.go) reads it; TestReplacementRulesMatchTheRegistry checks
// it against the resource schemas that cfn-lint bundles.

// replacementRule is what the CloudFormation resource reference says of one resource type.
type replacementRule struct {
	// names are the properties that name the resource. With one set, the resource has a
	// fixed physical name, and CloudFormation cannot replace it: a replacement creates the
	// new resource before deleting the old one, and the name is still taken ("already
	// exists").
	names []string
	// replacement are the properties marked "Update requires: Replacement".
	replacement []string
	// scope is where the name must be unique.
	scope nameScope
	// source is the type's page of the resource reference.
	source string
	// arn is the ARN of the resource named name, as other resources refer to it; nil for
	// resources nothing refers to by ARN.
	arn func(account, region, name string) string
}

// iamARNOf and regionalARNOf build the arn functions of replacementRules.
func iamARNOf(resource string) func(account, region, name string) string {
	return func(account, _, name string) string { return "arn:aws:iam::" + account + ":" + resource + name }
}

func regionalARNOf(service, resource string) func(account, region, name string) string {
	return func(account, region, name string) string {
		return "arn:aws:" + service + ":" + region + ":" + account + ":" + resource + name
	}
}

// nameScope is where a physical name must be unique.
type nameScope int

const (
	// accountScope: IAM names are unique in an account, across its regions.
	accountScope nameScope = iota
	// regionScope: unique in an account and region.
	regionScope
	// ownerScope: unique in the resource it belongs to, which curfew keeps in the same
	// stack: an inline policy's name in its role, user or group; a bucket policy's bucket.
	ownerScope
)

// reference is the CloudFormation resource reference, one page per type.
const reference = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"

// replacementRules has an entry for every resource type that appears in curfew's
// templates with a fixed name. The upgrade test fails on a named resource of a type
// missing here, asking for its entry.
var replacementRules = map[string]replacementRule{
	"AWS::IAM::Role": {
		names: []string{"RoleName"}, replacement: []string{"Path", "RoleName"},
		scope: accountScope, source: reference + "aws-resource-iam-role.html", arn: iamARNOf("role/"),
	},
	"AWS::IAM::ManagedPolicy": {
		// A managed policy's description cannot change either.
		names: []string{"ManagedPolicyName"}, replacement: []string{"Description", "ManagedPolicyName", "Path"},
		scope: accountScope, source: reference + "aws-resource-iam-managedpolicy.html", arn: iamARNOf("policy/"),
	},
	"AWS::IAM::Group": {
		names: []string{"GroupName"}, replacement: []string{"GroupName"},
		scope: accountScope, source: reference + "aws-resource-iam-group.html", arn: iamARNOf("group/"),
	},
	"AWS::IAM::User": {
		names: []string{"UserName"}, replacement: []string{"UserName"},
		scope: accountScope, source: reference + "aws-resource-iam-user.html", arn: iamARNOf("user/"),
	},
	"AWS::IAM::OIDCProvider": {
		// IAM names a provider after its URL's host and path (its ARN), one per account.
		names: []string{"Url"}, replacement: []string{"Url"},
		scope: accountScope, source: reference + "aws-resource-iam-oidcprovider.html",
		arn: func(account, _, url string) string {
			return iamARNOf("oidc-provider/")(account, "", strings.TrimSuffix(strings.TrimPrefix(url, "https://"), "/"))
		},
	},
	"AWS::IAM::Policy": {
		// Nothing requires replacement, but two resources with one PolicyName on one role
		// overwrite each other, and deleting the old one deletes the new document.
		names: []string{"PolicyName"}, replacement: nil,
		scope: ownerScope, source: reference + "aws-resource-iam-policy.html",
	},
	"AWS::S3::Bucket": {
		// Bucket names are global; curfew's one named bucket holds its account's id, so
		// unique in the account is unique.
		names: []string{"BucketName"}, replacement: []string{"BucketName", "BucketNamePrefix", "BucketNamespace"},
		scope: accountScope, source: reference + "aws-resource-s3-bucket.html",
		arn: func(_, _, name string) string { return "arn:aws:s3:::" + name },
	},
	"AWS::S3::BucketPolicy": {
		// A bucket has one policy: two resources for one bucket overwrite each other, and
		// deleting the old one deletes the new policy.
		names: []string{"Bucket"}, replacement: []string{"Bucket"},
		scope: ownerScope, source: reference + "aws-resource-s3-bucketpolicy.html",
	},
	"AWS::Lambda::Function": {
		names: []string{"FunctionName"}, replacement: []string{"FunctionName", "PackageType", "TenancyConfig"},
		scope: regionScope, source: reference + "aws-resource-lambda-function.html", arn: regionalARNOf("lambda", "function:"),
	},
	"AWS::Logs::LogGroup": {
		names: []string{"LogGroupName"}, replacement: []string{"LogGroupName"},
		scope: regionScope, source: reference + "aws-resource-logs-loggroup.html", arn: regionalARNOf("logs", "log-group:"),
	},
	"AWS::KMS::Alias": {
		names: []string{"AliasName"}, replacement: []string{"AliasName"},
		scope: regionScope, source: reference + "aws-resource-kms-alias.html", arn: regionalARNOf("kms", ""),
	},
	"AWS::Scheduler::ScheduleGroup": {
		names: []string{"Name"}, replacement: []string{"Name"},
		scope: regionScope, source: reference + "aws-resource-scheduler-schedulegroup.html", arn: regionalARNOf("scheduler", "schedule-group/"),
	},
}

// registrySchema is the part of a CloudFormation registry schema (the machine-readable
// form of the resource reference) that says what requires replacement and what names a
// resource.
type registrySchema struct {
	CreateOnlyProperties []string `json:"createOnlyProperties"`
	PrimaryIdentifier    []string `json:"primaryIdentifier"`
	ReadOnlyProperties   []string `json:"readOnlyProperties"`
}

// registrySchemas reads the schemas cfn-lint bundles (`make tools` installs it), by type.
func registrySchemas(t *testing.T) func(typ string) registrySchema {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(lintBin, "..", "lib", "python*", "site-packages", "cfnlint", "data", "schemas"))
	if len(dirs) != 1 {
		t.Fatalf("cfn-lint's resource schemas are missing under %s/../lib: run `make tools`, and run the tests with `make test`", lintBin)
	}
	var index map[string]string
	readJSON(t, filepath.Join(dirs[0], "providers", "us-east-1.json"), &index)
	return func(typ string) registrySchema {
		t.Helper()
		file, ok := index[typ]
		if !ok {
			t.Fatalf("cfn-lint has no schema for %s", typ)
		}
		var s registrySchema
		readJSON(t, filepath.Join(dirs[0], "resources", file+".json"), &s)
		return s
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// topLevel turns registry property paths (/properties/RoleName) into property names.
func topLevel(t *testing.T, typ string, paths []string) []string {
	t.Helper()
	var out []string
	for _, p := range paths {
		name, ok := strings.CutPrefix(p, "/properties/")
		if !ok || strings.Contains(name, "/") {
			t.Errorf("%s: %s is not a top-level property: the upgrade test compares top-level properties only", typ, p)
			continue
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// TestReplacementRulesMatchTheRegistry: every entry of replacementRules lists exactly the
// properties that the type's registry schema makes create-only (what the reference pages
// mark "Update requires: Replacement"), and every resource in curfew's templates that sets
// its own identifier (a physical name the template chooses) has an entry.
func TestReplacementRulesMatchTheRegistry(t *testing.T) {
	schema := registrySchemas(t)
	for typ, rule := range replacementRules {
		got := slices.Sorted(slices.Values(rule.replacement))
		if want := topLevel(t, typ, schema(typ).CreateOnlyProperties); !slices.Equal(got, want) {
			t.Errorf("%s: replacementRules lists %v, the registry schema %v: check %s and update the entry", typ, got, want, rule.source)
		}
	}
	for _, o := range []*org{seed, oidcOrg} {
		for stack, tmpl := range o.templates {
			for id, r := range tmpl["Resources"].(map[string]any) {
				typ, props := typeAndProps(r)
				s := schema(typ)
				for _, p := range topLevel(t, typ, s.PrimaryIdentifier) {
					_, set := props[p]
					if set && !slices.Contains(s.ReadOnlyProperties, "/properties/"+p) && !slices.Contains(replacementRules[typ].names, p) {
						t.Errorf("%s %s: %s names the resource (%s is its identifier): add %s to replacementRules with %s among its names",
							stack, id, typ, p, typ, p)
					}
				}
			}
		}
	}
}
