package lambdatest

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
