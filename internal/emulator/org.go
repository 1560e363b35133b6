package emulator

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// Org is an organisation in moto (all features), run by its management account: the one
// fixture of every test that needs units and the accounts found in them.
type Org struct {
	t      testing.TB
	client *organizations.Client
	// Management is the management account's id; Root the root's.
	Management, Root string
}

// NewOrg creates an organisation whose management account is new, reached in region
// through a real AssumeRole.
func (s *Server) NewOrg(t testing.TB, region string) *Org {
	t.Helper()
	mgmt := NewAccountID()
	client := organizations.NewFromConfig(s.Account(t, mgmt, region))
	if _, err := client.CreateOrganization(t.Context(), &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	roots, err := client.ListRoots(t.Context(), &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return &Org{t: t, client: client, Management: mgmt, Root: aws.ToString(roots.Roots[0].Id)}
}

// Unit creates an organisational unit under parent and returns its id.
func (o *Org) Unit(parent, name string) string {
	o.t.Helper()
	out, err := o.client.CreateOrganizationalUnit(o.t.Context(), &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})
	if err != nil {
		o.t.Fatal(err)
	}
	return aws.ToString(out.OrganizationalUnit.Id)
}

// Account creates an account (NewAccount) and moves it into unit; it returns the
// account's id.
func (o *Org) Account(name, unit string) string {
	o.t.Helper()
	id := o.NewAccount(name)
	o.Move(id, o.Root, unit)
	return id
}

// NewAccount creates an account under the root, its email the name in lower case without
// spaces, at example.com; it returns the account's id.
func (o *Org) NewAccount(name string) string {
	o.t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@example.com"
	out, err := o.client.CreateAccount(o.t.Context(), &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email)})
	if err != nil {
		o.t.Fatal(err)
	}
	return aws.ToString(out.CreateAccountStatus.AccountId)
}

// Client is the management account's Organizations client, for what the fixture does not
// do itself (trusted access, policies).
func (o *Org) Client() *organizations.Client { return o.client }

// Move moves an account from one parent to another.
func (o *Org) Move(id, from, to string) {
	o.t.Helper()
	if _, err := o.client.MoveAccount(o.t.Context(), &organizations.MoveAccountInput{AccountId: aws.String(id), SourceParentId: aws.String(from), DestinationParentId: aws.String(to)}); err != nil {
		o.t.Fatal(err)
	}
}
