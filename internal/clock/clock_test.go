package clock

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// childEnv marks the test binary run again as a child: it prints what its clock reads.
const childEnv = "CURFEW_CLOCK_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		fmt.Printf("offset=%s moved=%s\n", Offset(), Now().Sub(time.Now()).Round(time.Hour))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child runs this test binary again with OffsetEnv=value and returns what it printed.
func child(t *testing.T, value string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", OffsetEnv+"="+value)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Only a test build moves the clock: the deployed functions and the released CLI read the
// wall clock whatever their environment says.
func TestOnlyATestBuildMovesTheClock(t *testing.T) {
	out, err := child(t, "8760h")
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	want := "offset=0s moved=0s"
	if tagged {
		want = "offset=8760h0m0s moved=8760h0m0s"
	}
	if strings.TrimSpace(out) != want {
		t.Errorf("with %s=8760h (tagged build: %v) the clock read %q, want %q", OffsetEnv, tagged, strings.TrimSpace(out), want)
	}
}

// A malformed offset stops a test build at start, naming the variable, rather than running
// the suite on the real date while the person believes it is another.
func TestMalformedOffsetStopsATestBuild(t *testing.T) {
	out, err := child(t, "a year")
	if !tagged {
		if err != nil || strings.TrimSpace(out) != "offset=0s moved=0s" {
			t.Errorf("an untagged build read %s=%q: %v %q", OffsetEnv, "a year", err, out)
		}
		return
	}
	if err == nil || !strings.Contains(out, OffsetEnv+`="a year" is not a Go duration`) {
		t.Errorf("a malformed offset gave %v:\n%s", err, out)
	}
}

// Env and BuildTag hand the offset to the processes a test starts exactly when it is moved.
func TestChildrenGetTheOffsetWhenMoved(t *testing.T) {
	if Offset() == 0 {
		if Env() != nil || BuildTag() != "" {
			t.Errorf("unmoved clock: Env() = %q, BuildTag() = %q, want none", Env(), BuildTag())
		}
		return
	}
	if got := Env(); len(got) != 1 || got[0] != OffsetEnv+"="+Offset().String() || BuildTag() != Tag {
		t.Errorf("moved clock: Env() = %q, BuildTag() = %q", got, BuildTag())
	}
}

func TestOrPrefersTheSeam(t *testing.T) {
	fixed := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)
	if got := Or(func() time.Time { return fixed }); !got.Equal(fixed) {
		t.Errorf("Or(seam) = %s, want the seam's %s", got, fixed)
	}
	before := Now()
	got := Or(nil)
	if got.Before(before) || got.After(Now()) {
		t.Errorf("Or(nil) = %s, want Now (between %s and now)", got, before)
	}
}
