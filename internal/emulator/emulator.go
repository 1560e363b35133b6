// Package emulator runs the moto AWS emulator for curfew's tests: it starts moto_server on
// 127.0.0.1, waits until it answers, and hands out aws.Configs for named accounts obtained
// through a real sts:AssumeRole, as curfew reaches accounts in AWS.
package emulator

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curfew/curfew/internal/childproc"
	"github.com/curfew/curfew/internal/clock"
)

// DefaultRegion is the region of configs that do not name one.
const DefaultRegion = "eu-west-1"

// installHint tells a developer how to get moto_server.
const installHint = "run `make tools` (it installs moto[server] from .tools/requirements.txt into .tools/venv)"

// Server is a running moto server.
type Server struct {
	// URL is the endpoint to point SDK clients at, http://localhost:<port>: moto's
	// CloudFormation resolves template URLs only on localhost.
	URL string
	// Port is the TCP port moto listens on, on 127.0.0.1.
	Port int

	cmd  *exec.Cmd
	done chan error
}

// Start launches moto_server from the project's virtual environment and waits until it
// answers. Close stops it.
func Start(ctx context.Context) (*Server, error) {
	bin, err := motoServerPath()
	if err != nil {
		return nil, err
	}
	port, err := childproc.FreePort()
	if err != nil {
		return nil, err
	}
	cmd, err := serverCommand(bin, port)
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	logPath := filepath.Join(os.TempDir(), fmt.Sprintf("moto-%d.log", port))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create moto log: %w", err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w; %s", bin, err, installHint)
	}
	s := &Server{
		URL:  fmt.Sprintf("http://localhost:%d", port),
		Port: port,
		cmd:  cmd,
		done: make(chan error, 1),
	}
	go func() {
		s.done <- cmd.Wait()
		logFile.Close()
	}()
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		s.Close()
		return nil, fmt.Errorf("moto_server did not answer (log: %s): %w", logPath, err)
	}
	return s, nil
}

// serverCommand is moto_server on 127.0.0.1:port. In a test run as of another date
// (package clock), moto runs under libfaketime with the same offset, so that the dates it
// stamps (events, expirations, launch times) agree with curfew's clock, as AWS's would.
func serverCommand(bin string, port int) (*exec.Cmd, error) {
	args := []string{bin, "--host", "127.0.0.1", "--port", strconv.Itoa(port)}
	// MOTO_ACCOUNT_ID on the server would override the account of assumed-role keys.
	env := withoutEnv(os.Environ(), "MOTO_ACCOUNT_ID")
	if offset := clock.Offset(); offset != 0 {
		lib, err := libfaketime()
		if err != nil {
			return nil, fmt.Errorf("the clock is moved by %s: %w", offset, err)
		}
		// The library itself, not the faketime command: its shared memory would lock a
		// semaphore on every reading of the clock, which slowed moto several times over.
		// The thread-safe build, as moto_server answers on threads; only the wall clock
		// moves: timeouts keep the real monotonic clock.
		env = append(env, "LD_PRELOAD="+lib, fmt.Sprintf("FAKETIME=%+d", int64(offset.Seconds())), "FAKETIME_DONT_FAKE_MONOTONIC=1")
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	return cmd, nil
}

// libfaketime finds Debian's thread-safe libfaketime.
func libfaketime() (string, error) {
	found, _ := filepath.Glob("/usr/lib/*/faketime/libfaketimeMT.so.1")
	if len(found) == 0 {
		found, _ = filepath.Glob("/usr/lib/faketime/libfaketimeMT.so.1")
	}
	if len(found) == 0 {
		return "", errors.New("libfaketime is missing: run `make test-as-of` (it installs faketime) or apt-get install faketime")
	}
	return found[0], nil
}

// Connect returns a Server for a moto already running at url, started by someone else:
// its Close leaves it running.
func Connect(url string) *Server {
	return &Server{URL: url}
}

// Close stops the server and every process it started; on a Server from Connect it does
// nothing.
func (s *Server) Close() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	childproc.StopGroup(s.cmd.Process.Pid, s.done)
}

func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/moto-api/data.json", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-s.done:
			return fmt.Errorf("moto_server exited: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// BaseConfig returns a config with moto's default static credentials (account
// 123456789012), pointed at the server. Retries are kept low so that a request moto
// cannot answer fails fast instead of being retried.
func (s *Server) BaseConfig(region string) aws.Config {
	if region == "" {
		region = DefaultRegion
	}
	return aws.Config{
		Region:           region,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		RetryMaxAttempts: 2,
	}
}

// AccountConfig assumes a role in accountID through sts:AssumeRole, as curfew does, and
// returns a config whose calls land in that account. The role need not exist: moto gives
// an assumed role's credentials the account of the role ARN.
func (s *Server) AccountConfig(ctx context.Context, accountID, region string) (aws.Config, error) {
	base := s.BaseConfig(region)
	out, err := sts.NewFromConfig(base).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(fmt.Sprintf("arn:aws:iam::%s:role/curfew-test-admin", accountID)),
		RoleSessionName: aws.String("curfew-test"),
	})
	if err != nil {
		return aws.Config{}, fmt.Errorf("assume role in %s: %w", accountID, err)
	}
	c := out.Credentials
	base.Credentials = credentials.NewStaticCredentialsProvider(
		aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return base, nil
}

// NewAccountID returns a random 12-digit account id starting with 9, so that each test can
// have accounts of its own on a shared server.
func NewAccountID() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1e11))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("9%011d", n.Int64())
}

// motoServerPath finds moto_server in the project's virtual environment.
func motoServerPath() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, ".tools", "venv", "bin", "moto_server")
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("moto_server is not installed at %s: %s", bin, installHint)
	}
	return bin, nil
}

// moduleRoot is the nearest directory above the working directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run the tests from curfew's repository")
		}
		dir = parent
	}
}

func withoutEnv(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if len(kv) > len(name) && kv[:len(name)+1] == name+"=" {
			continue
		}
		out = append(out, kv)
	}
	return out
}
