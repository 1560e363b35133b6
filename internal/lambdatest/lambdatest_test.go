package lambdatest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/curfew/curfew/internal/accounts"
)

// A handler error comes back as a *FunctionError; concurrent invocations are serialised;
// nothing is left running after the test.
func TestInvokeAndCleanup(t *testing.T) {
	m, err := accounts.Load(filepath.Join("..", "..", "accounts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	t.Run("invoke", func(t *testing.T) {
		f := Start(t, "shutdown", m, map[string]string{"AWS_REGION": "eu-west-1"})
		pid = f.PID()
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				_, err := f.Invoke(t.Context(), map[string]any{"accounts": []string{"production"}})
				var fe *FunctionError
				if !errors.As(err, &fe) || !strings.Contains(fe.Message, "production") {
					t.Errorf("Invoke = %v, want a function error about production", err)
				}
			})
		}
		wg.Wait()
		if _, err := f.Invoke(t.Context(), `{"unknown":1}`); err == nil || !strings.Contains(err.Error(), "unknown field") {
			t.Errorf("unknown field: %v", err)
		}
	})
	if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process group %d still exists after cleanup (%v)", pid, err)
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
		t.Errorf("process %d still exists", pid)
	}
}

// TestBadMapStopsEachFunctionBeforeAnyAWSCall gives each function a task root whose
// account map is malformed, or missing: the function stops at cold start naming the file
// and every problem, and sends nothing to AWS.
func TestBadMapStopsEachFunctionBeforeAnyAWSCall(t *testing.T) {
	var calls atomic.Int32
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer aws.Close()
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, accounts.FunctionMapFile), []byte("identity: people\naccounts:\n  - {name: people, id: \"123\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, root, want string }{
		{"malformed", bad, "is not 12 digits (quote it in YAML"},
		{"missing", t.TempDir(), "no such file or directory"},
	} {
		for _, fn := range []string{"shutdown", "restart", "cost-report"} {
			t.Run(c.name+"/"+fn, func(t *testing.T) {
				f := Start(t, fn, nil, map[string]string{
					"LAMBDA_TASK_ROOT": c.root, "AWS_ENDPOINT_URL": aws.URL, "AWS_REGION": "eu-west-1",
					"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
					"CURFEW_BUCKET": "curfew-runs", "CURFEW_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:curfew",
				})
				if _, err := f.Invoke(t.Context(), `{}`); err == nil {
					t.Fatal("the function answered with a bad map")
				}
				out := f.Output()
				if !strings.Contains(out, "read the account map") || !strings.Contains(out, filepath.Join(c.root, accounts.FunctionMapFile)) || !strings.Contains(out, c.want) {
					t.Errorf("output does not name the map and %q:\n%s", c.want, out)
				}
			})
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d requests reached AWS", n)
	}
}
