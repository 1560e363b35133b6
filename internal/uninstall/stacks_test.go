package uninstall

import (
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// With access: identity-center, uninstall's destroy sequence removes curfew-identity-center
// after the service and before the account stacks, whose CurfewGuardrails is attached to
// the roles Identity Center made: IAM refuses to delete an attached policy.
func TestUninstallDestroysIdentityCenterBeforeTheAccounts(t *testing.T) {
	inOrder(t, destroySequence(t, "../../cmd/curfew/testdata/accounts-identity-center.yaml"),
		"cdk destroy curfew-service --profile <the profile you deployed curfew-service with>",
		"cdk destroy curfew-identity-center --profile <the profile you deployed curfew-identity-center with> -c accountMap=accounts.yaml",
		"cdk destroy curfew-staging --profile <the profile you deployed curfew-staging with>",
		"cdk destroy curfew-identity --profile <the profile you deployed curfew-identity with>",
	)
}

// With organisational units, the StackSets' stack goes after the service (no run looks
// for the found accounts' roles any more) and before the listed accounts; the account
// list's bucket, kept by CloudFormation under a fixed name, is named for deletion.
func TestUninstallDestroysTheOrganisationStack(t *testing.T) {
	inOrder(t, destroySequence(t, "../../cdk/testdata/organization-units.yaml"),
		"cdk destroy curfew-service --profile <the profile you deployed curfew-service with>",
		"cdk destroy curfew-organization --profile <the profile you deployed curfew-organization with> -c accountMap=accounts.yaml",
		"cdk destroy curfew-staging --profile <the profile you deployed curfew-staging with>",
		"cdk destroy curfew-identity --profile <the profile you deployed curfew-identity with>",
		"curfew-accounts-111111111111-eu-west-1",
	)
}

// inOrder fails unless each of wants appears in out after the one before it.
func inOrder(t *testing.T, out string, wants ...string) {
	t.Helper()
	at := 0
	for _, want := range wants {
		i := strings.Index(out[at:], want)
		if i < 0 {
			t.Fatalf("the destroy sequence lacks %q after position %d:\n%s", want, at, out)
		}
		at += i
	}
}

// destroySequence is what uninstall prints to destroy the stacks of the map at path.
func destroySequence(t *testing.T, path string) string {
	t.Helper()
	m, err := accounts.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	Uninstall{Map: m, MapPath: "accounts.yaml", Out: &out}.writeDestroySequence()
	return out.String()
}
