package assume_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curfew/curfew/internal/assume"
	"github.com/curfew/curfew/internal/emulator"
)

func TestMain(m *testing.M) { emulator.Main(m) }

func TestRoleRunsCallsInTheTargetAccount(t *testing.T) {
	s := emulator.Shared(t)
	home := s.Account(t, emulator.NewAccountID(), "eu-west-1")
	target := emulator.NewAccountID()
	cfg := assume.Role(home, "arn:aws:iam::"+target+":role/CurfewScheduler", "curfew-run-1", "curfew-ext")
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Account); got != target {
		t.Errorf("account = %s, want %s", got, target)
	}
	if arn := aws.ToString(out.Arn); !strings.Contains(arn, "assumed-role/CurfewScheduler/curfew-run-1") {
		t.Errorf("arn = %s, want the assumed CurfewScheduler session", arn)
	}
	// The base config is unchanged.
	baseOut, err := sts.NewFromConfig(home).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(baseOut.Account) == target {
		t.Error("assume.Role changed the base config's credentials")
	}
}
