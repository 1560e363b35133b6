package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/curfew/curfew/internal/emulator"
)

// The real AWS CLI reads the profiles curfew wrote: `aws sts get-caller-identity --profile
// staging` asks for the MFA code on its terminal, assumes DeveloperAccess in staging from
// the identity profile, and answers as that role.
func TestAWSCLIAssumesDeveloperAccessWithGeneratedProfiles(t *testing.T) {
	awsCLI := pinnedAWSCLI(t)
	s := emulator.Shared(t)
	mapPath, ids := testMap(t)
	configFile := developerEnv(t, mapPath, s.URL)

	home := t.TempDir() // the CLI caches assumed-role credentials under ~/.aws/cli/cache
	cmd := exec.Command(awsCLI, "sts", "get-caller-identity", "--profile", "staging", "--output", "json")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + configFile,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.Getenv("AWS_SHARED_CREDENTIALS_FILE"),
		"AWS_ENDPOINT_URL=" + s.URL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	}
	// getpass reads the code from the process's controlling terminal, so the CLI gets a
	// terminal of its own: a pseudo-terminal whose other end this test types into.
	terminal, tty := openPTY(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()

	prompt := fmt.Sprintf("Enter MFA code for arn:aws:iam::%s:mfa/alice: ", ids["identity"])
	var screen lockedBuffer
	answered := make(chan struct{})
	go func() {
		buf := make([]byte, 1024)
		once := sync.Once{}
		for {
			n, err := terminal.Read(buf)
			screen.Write(buf[:n])
			if strings.Contains(screen.String(), prompt) {
				once.Do(func() {
					terminal.Write([]byte("123456\n"))
					close(answered)
				})
			}
			if err != nil {
				return
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("aws sts get-caller-identity: %v\nterminal: %q\nstderr: %s", err, screen.String(), stderr.String())
		}
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("aws did not finish; terminal: %q\nstderr: %s", screen.String(), stderr.String())
	}
	select {
	case <-answered:
	default:
		t.Fatalf("aws never asked for the MFA code; terminal: %q", screen.String())
	}
	var identity struct{ Account, Arn, UserId string }
	if err := json.Unmarshal(stdout.Bytes(), &identity); err != nil {
		t.Fatalf("decode %q: %v", stdout.String(), err)
	}
	wantARN := fmt.Sprintf("arn:aws:sts::%s:assumed-role/DeveloperAccess/alice", ids["staging"])
	if identity.Account != ids["staging"] || identity.Arn != wantARN {
		t.Errorf("identity = %+v, want account %s and ARN %s", identity, ids["staging"], wantARN)
	}
}

// openPTY opens a pseudo-terminal pair: the controlling side for the test, the terminal
// side for the child.
func openPTY(t *testing.T) (terminal, tty *os.File) {
	t.Helper()
	terminal, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	t.Cleanup(func() { terminal.Close() })
	unlock := int32(0)
	if err := ioctl(terminal.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	var n uint32
	if err := ioctl(terminal.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); err != nil {
		t.Fatalf("pty number: %v", err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	return terminal, tty
}

func ioctl(fd, request, arg uintptr) error {
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, request, arg); errno != 0 {
		return errno
	}
	return nil
}

// lockedBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// pinnedAWSCLI is the AWS CLI pinned in .tools/requirements.txt; the test fails when it
// is not installed.
func pinnedAWSCLI(t *testing.T) string {
	t.Helper()
	awsCLI := filepath.Join(moduleRoot(t), ".tools", "venv", "bin", "aws")
	if _, err := os.Stat(awsCLI); err != nil {
		t.Fatalf("the pinned AWS CLI is not installed at %s: run `make tools` (awscli is pinned in .tools/requirements.txt)", awsCLI)
	}
	return awsCLI
}

// moduleRoot is the directory holding go.mod; tests run in cmd/curfew.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("no go.mod in %s: %v", dir, err)
	}
	return dir
}
