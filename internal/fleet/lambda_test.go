package fleet_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/lambdarun"
	"github.com/curfew/curfew/internal/lambdatest"
	"github.com/curfew/curfew/internal/lease"
)

// The built curfew-shutdown and curfew-restart binaries, run as Lambda runs them under the
// Runtime Interface Emulator, stop and start the test fleet from the home account's
// credentials and write the run history.
func TestLambdasUnderTheEmulator(t *testing.T) {
	t.Parallel()
	f := newTestFleet(t)
	ctx := t.Context()
	home := f.config("home", west)
	creds, err := home.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bucket := "curfew-runs-" + f.account("home").ID
	s3Client := emulator.S3(home)
	emulator.Bucket(t, s3Client, bucket)
	env := map[string]string{
		"AWS_ENDPOINT_URL":            f.s.URL,
		"AWS_REGION":                  west,
		"AWS_ACCESS_KEY_ID":           creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       creds.SecretAccessKey,
		"AWS_SESSION_TOKEN":           creds.SessionToken,
		"AWS_LAMBDA_LOG_FORMAT":       "JSON",
		"AWS_LAMBDA_FUNCTION_TIMEOUT": "120",
		"CURFEW_BUCKET":               bucket,
	}
	shutdown := lambdatest.Start(t, "shutdown", f.m, env)
	restart := lambdatest.Start(t, "restart", f.m, env)
	since := clock.Now().Add(-time.Minute)

	invoke := func(fn *lambdatest.Function, payload string) fleet.Report {
		t.Helper()
		raw, err := fn.Invoke(ctx, payload)
		if err != nil {
			t.Fatalf("invoke %s: %v\n%s", payload, err, fn.Output())
		}
		var rep fleet.Report
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rep); err != nil {
			t.Fatalf("answer %s: %v", raw, err)
		}
		return rep
	}

	// What EventBridge Scheduler sends at night (cdk/schedules.go).
	rep := invoke(shutdown, `{"trigger":"schedule","accounts":["staging","sandbox"]}`)
	if got := f.names(rep)[fleet.Stopped]; !slices.Equal(got, wantStopped) || rep.Failed() || rep.HistoryError != "" {
		t.Errorf("shutdown stopped %v, want %v; report %+v", got, wantStopped, rep)
	}
	if got := markedNames(f.observe()); !slices.Equal(got, wantStopped) {
		t.Errorf("marked %v, want %v", got, wantStopped)
	}

	_, err = shutdown.Invoke(ctx, `{"accounts":["production"]}`)
	var fe *lambdatest.FunctionError
	if !errors.As(err, &fe) || !strings.Contains(fe.Message, `account "production" is production`) {
		t.Errorf("production payload: %v", err)
	}

	// Another run holds the lease: the restart is refused, and Lambda reports the error by
	// its type, as the CLI prints it. Once the lease is gone the restart goes ahead.
	holder := lease.Holder{RunID: "20261127T190000Z-a1b2c3", Kind: "shutdown", Trigger: "manual", Since: clock.Now().UTC(), Until: clock.Now().UTC().Add(10 * time.Minute)}
	body, err := json.Marshal(holder)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(lease.Key(f.account("staging").ID)), Body: strings.NewReader(string(body))}); err != nil {
		t.Fatal(err)
	}
	_, err = restart.Invoke(ctx, `{"trigger":"manual"}`)
	if !errors.As(err, &fe) || fe.Type != "HeldError" || !strings.Contains(fe.Message, "in account staging ("+f.account("staging").ID+"): shutdown run 20261127T190000Z-a1b2c3 (manual) has held its lease") {
		t.Errorf("restart while another run holds the lease: %v", err)
	}
	if _, err := s3Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(lease.Key(f.account("staging").ID))}); err != nil {
		t.Fatal(err)
	}

	rep = invoke(restart, `{"trigger":"manual"}`)
	if got := f.names(rep)[fleet.Started]; !slices.Equal(got, wantStopped) || rep.Failed() {
		t.Errorf("restart started %v, want %v; report %+v", got, wantStopped, rep)
	}
	after := f.observe()
	if m := markedNames(after); len(m) != 0 || after["by-person"].state != "stopped" {
		t.Errorf("after restart: marked %v, by-person %s", m, after["by-person"].state)
	}

	if left, err := s3Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(lease.Prefix)}); err != nil || len(left.Contents) != 0 {
		t.Errorf("leases left behind: %v %+v", err, left)
	}

	runs, err := history.Store{Client: s3Client, Bucket: bucket}.Since(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	did := func(r history.Run, action string) int {
		n := 0
		for _, c := range r.Changes {
			if c.Did(r.Kind) == action {
				n++
			}
		}
		return n
	}
	if len(runs) != 2 || runs[0].Kind != history.Shutdown || runs[1].Kind != history.Restart ||
		did(runs[0], history.Stopped) != len(wantStopped) || did(runs[1], history.Started) != len(wantStopped) {
		t.Errorf("run history: %+v", runs)
	}

	out := shutdown.Output()
	for _, want := range []string{`"outcome":"stopped"`, `"account":"staging"`, `"requestId"`, `"_aws"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the shutdown's output lacks %s:\n%s", want, out)
		}
	}
}

// Every Lambda binary resolves the account map's time zone with no zoneinfo on the
// machine: each built binary runs in a user and mount namespace of its own, where an empty
// tmpfs hides every place Go looks for zoneinfo (the system's folders and GOROOT's zip).
// It must get past reading the map and stop only for want of the Lambda runtime API. A
// program without time/tzdata, run the same way, proves the zoneinfo hidden.
func TestLambdasCarryTheTimeZoneDatabase(t *testing.T) {
	t.Parallel()
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Fatal("unshare not found: install util-linux (apt-get install util-linux)")
	}
	root, err := lambdarun.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	hidden := []string{"/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ", "/etc/zoneinfo",
		filepath.Join(strings.TrimSpace(string(goroot)), "lib", "time")}
	f := emptyFleet(t)
	taskRoot, err := lambdarun.TaskRoot(t.TempDir(), f.m)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_REGION=" + west,
		"LAMBDA_TASK_ROOT=" + taskRoot, "CURFEW_BUCKET=curfew-runs", "CURFEW_TOPIC_ARN=arn:aws:sns:eu-west-1:111111111111:curfew"}
	// run starts bin with the zoneinfo hidden and returns what it wrote.
	run := func(bin string) string {
		t.Helper()
		script := `bin=$1; shift; for d in "$@"; do if [ -d "$d" ]; then mount -t tmpfs none "$d" || exit 97; fi; done; exec "$bin"`
		cmd := exec.Command(unshare, append([]string{"--user", "--map-root-user", "--mount", "sh", "-c", script, "sh", bin}, hidden...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) || strings.Contains(string(out), "unshare: ") || exit != nil && exit.ExitCode() == 97 {
			t.Fatalf("cannot hide the zoneinfo (%v): %s; this test needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)", err, out)
		}
		return string(out)
	}

	control := filepath.Join(t.TempDir(), "control.go")
	if err := os.WriteFile(control, []byte("package main\n\nimport (\n\t\"fmt\"\n\t\"time\"\n)\n\nfunc main() { _, err := time.LoadLocation(\"Europe/Madrid\"); fmt.Println(\"load:\", err) }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	controlBin := filepath.Join(t.TempDir(), "control")
	build := exec.Command("go", "build", "-o", controlBin, control)
	build.Dir = filepath.Dir(control)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the control program: %v\n%s", err, out)
	}
	if out := run(controlBin); !strings.Contains(out, "unknown time zone Europe/Madrid") {
		t.Fatalf("a program without time/tzdata still found Europe/Madrid (%q): the zoneinfo is not hidden", out)
	}

	for _, name := range []string{"shutdown", "restart", "cost-report"} {
		t.Run(name, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "bootstrap")
			if err := lambdarun.Build(t.Context(), root, name, bin); err != nil {
				t.Fatal(err)
			}
			out := run(bin)
			if strings.Contains(out, "IANA time zone") || !strings.Contains(out, "AWS_LAMBDA_RUNTIME_API") {
				t.Errorf("%s without zoneinfo wrote %q, want it past the account map, stopping for want of AWS_LAMBDA_RUNTIME_API", name, out)
			}
		})
	}
}
