package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildLambda builds lambdas/<name> as deployed (-tags lambda.norpc, stripped) for goarch
// into dir/<name>/bootstrap and returns its path.
func buildLambda(ctx context.Context, dir, name, goarch string) (string, error) {
	out := filepath.Join(dir, name, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, "./lambdas/"+name)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if data, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build lambdas/%s: %w\n%s", name, err, data)
	}
	return out, nil
}

// rieBinary is the Lambda Runtime Interface Emulator pinned as a tool in go.mod.
func rieBinary(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "tool", "-n", "aws-lambda-rie").Output()
	if err != nil {
		return "", fmt.Errorf("the Lambda Runtime Interface Emulator (go tool aws-lambda-rie, pinned in go.mod): %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// coldInvoke starts bootstrap under the emulator with exactly env (plus PATH and an empty
// HOME), sends it one payload, stops it, and returns the answer and the time from the
// emulator's start to the answer: a cold start and one invocation, as a Lambda's first.
// A function error (HTTP 200 with errorMessage) is an answer too.
func coldInvoke(ctx context.Context, rie, bootstrap string, env map[string]string, payload string) ([]byte, time.Duration, error) {
	dir, err := os.MkdirTemp("", "curfew-bench-rie-")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(dir)
	apiPort, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	rapidPort, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", "127.0.0.1:"+strconv.Itoa(apiPort),
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(rapidPort),
		bootstrap)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, fmt.Errorf("start %s: %w", rie, err)
	}
	defer func() {
		// The emulator and the function it started, by the group this call created.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	if err := waitListening(ctx, apiPort, 30*time.Second); err != nil {
		return nil, 0, fmt.Errorf("the emulator did not listen: %w\n%s", err, logs.String())
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/2015-03-31/functions/function/invocations", apiPort)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(payload))
	if err != nil {
		return nil, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("invoke: %w\n%s", err, logs.String())
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("invoke: HTTP %d: %s\n%s", resp.StatusCode, body, logs.String())
	}
	return body, took, nil
}

// functionError is the errorMessage of an answer, or "" for a result.
func functionError(answer []byte) string {
	var fe struct {
		Message string `json:"errorMessage"`
	}
	_ = json.Unmarshal(answer, &fe)
	return fe.Message
}

func waitListening(ctx context.Context, port int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	return fmt.Errorf("nothing on 127.0.0.1:%d after %s", port, limit)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
