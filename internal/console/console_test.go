package console_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/console"
)

func load() *accounts.Map {
	m, err := accounts.Load("testdata/accounts.yaml")
	if err != nil {
		panic(err)
	}
	return m
}

func ExampleLinks() {
	for _, l := range console.Links(load(), "") {
		fmt.Println(l.URL)
	}
	// Output:
	// https://signin.aws.amazon.com/switchrole?account=222222222222&roleName=DeveloperAccess&displayName=staging&color=b7ca9d
	// https://signin.aws.amazon.com/switchrole?account=333333333333&roleName=DeveloperAccess&displayName=sandbox&color=b7ca9d
	// https://signin.aws.amazon.com/switchrole?account=444444444444&roleName=DeveloperAccess&displayName=production&color=f2b0a9
}

func ExampleExtensionConfig() {
	fmt.Print(console.ExtensionConfig(load(), "acme-"))
	// Output:
	// [acme-identity]
	// aws_account_id = 111111111111
	//
	// [acme-staging]
	// source_profile = acme-identity
	// aws_account_id = 222222222222
	// role_name = DeveloperAccess
	// region = eu-west-1
	// color = b7ca9d
	//
	// [acme-sandbox]
	// source_profile = acme-identity
	// aws_account_id = 333333333333
	// role_name = DeveloperAccess
	// region = eu-west-1
	// color = b7ca9d
	//
	// [acme-production]
	// source_profile = acme-identity
	// aws_account_id = 444444444444
	// role_name = DeveloperAccess
	// region = eu-west-1
	// color = f2b0a9
}

// A display name with spaces or ampersands stays one query parameter.
func TestLinksEscapeDisplayName(t *testing.T) {
	l := console.Links(load(), "a&b ")[0]
	u, err := url.Parse(l.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("displayName") != "a&b staging" || q.Get("account") != "222222222222" || q.Get("roleName") != "DeveloperAccess" {
		t.Errorf("query of %s = %v", l.URL, q)
	}
}

func ExamplePortalLinks() {
	m, err := accounts.Load("testdata/accounts-identity-center.yaml")
	if err != nil {
		panic(err)
	}
	for _, l := range console.PortalLinks(m) {
		fmt.Println(l.URL)
	}
	// Output:
	// https://acme.awsapps.com/start/#/console?account_id=222222222222&role_name=DeveloperAccess-non-production
	// https://acme.awsapps.com/start/#/console?account_id=333333333333&role_name=DeveloperAccess-non-production
	// https://acme.awsapps.com/start/#/console?account_id=444444444444&role_name=DeveloperAccess-production
	// https://acme.awsapps.com/start/#/console?account_id=111111111111&role_name=CurfewOperator
}
