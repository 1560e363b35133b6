package childproc

import (
	"net"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// A free port can be bound at once.
func TestFreePort(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("port %d is not free: %v", port, err)
	}
	l.Close()
}

// StopGroup returns once the leader has ended: at once when it ends on SIGTERM, after 5
// seconds and a SIGKILL when it ignores SIGTERM.
func TestStopGroup(t *testing.T) {
	for _, tc := range []struct {
		name, script string
		atLeast      time.Duration
	}{
		{"ends on SIGTERM", "sleep 60 & wait", 0},
		{"ignores SIGTERM", `trap "" TERM; sleep 60 & wait; wait`, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("sh", "-c", tc.script)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			time.Sleep(200 * time.Millisecond) // let the shell start its child
			start := time.Now()
			StopGroup(cmd.Process.Pid, done)
			if took := time.Since(start); took < tc.atLeast || took > tc.atLeast+3*time.Second {
				t.Errorf("stopped in %s, want about %s", took, tc.atLeast)
			}
		})
	}
}
