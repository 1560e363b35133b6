package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/emulator"
)

// underShell starts `sh -c` running bin with args in the background, as an SDK runs a
// credential_process through sh, and returns the shell and curfew's own process id.
func underShell(t *testing.T, env []string, bin string, args ...string) (shell *exec.Cmd, pid int) {
	t.Helper()
	script := `"$0" "$@" >/dev/null 2>&1 & echo $!; wait`
	shell = exec.Command("sh", append([]string{"-c", script, bin}, args...)...)
	shell.Env = env
	out, err := shell.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := shell.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if pid, err = strconv.Atoi(strings.TrimSpace(line)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	return shell, pid
}

// running says whether pid is a live process (a zombie has ended: its parent, init or a
// subreaper, has yet to reap it).
func running(pid int) bool {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "State:") {
			return !strings.Contains(line, "Z")
		}
	}
	return true
}

// endsWithin waits until pid has ended, or fails after d.
func endsWithin(t *testing.T, pid int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for running(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("curfew credentials (pid %d) still runs %s after its parent was killed: an orphan", pid, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lockCache takes the cache's lock as another curfew would, and returns its release.
func lockCache(t *testing.T, dir string, wait time.Duration) (release func(), ok bool) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(wait)
	for {
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
			return func() { f.Close() }, true
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The Go SDK kills a credential_process's `sh -c` after 60 seconds; curfew credentials
// must end with it, never live on as an orphan: here it waits for the cache's lock (held
// by another curfew) when its shell is killed, and ends within a second.
func TestCredentialsEndsWithItsKilledParentWhileWaitingForTheLock(t *testing.T) {
	bin := buildCurfew(t)
	home := t.TempDir()
	cache := filepath.Join(home, "cache")
	dir := filepath.Join(cache, "curfew")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	release, ok := lockCache(t, dir, time.Second)
	if !ok {
		t.Fatal("cannot take the cache lock")
	}
	defer release()
	credentials := filepath.Join(home, "credentials")
	if err := os.WriteFile(credentials, []byte("[identity]\naws_access_key_id = AKIAALICEEXAMPLE\naws_secret_access_key = alice-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + cache, "AWS_SHARED_CREDENTIALS_FILE=" + credentials,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_EC2_METADATA_DISABLED=true"}
	shell, pid := underShell(t, env, bin, credentialsArgs(emulator.NewAccountID())...)
	time.Sleep(500 * time.Millisecond) // curfew waits for the lock
	if !running(pid) {
		t.Fatal("curfew credentials ended before its parent was killed; the test proves nothing")
	}
	shell.Process.Kill()
	shell.Wait()
	endsWithin(t, pid, 2*time.Second)
}

// curfew credentials holding the cache's lock (assuming a role from an STS that never
// answers) when its shell is killed ends, and the lock is free for the next caller at
// once, not after the hung call.
func TestCredentialsLeavesNoLockForADeadParent(t *testing.T) {
	bin := buildCurfew(t)
	s := emulator.Shared(t)
	home := t.TempDir()
	cache := filepath.Join(home, "cache")
	configFile, credentials := filepath.Join(home, "config"), filepath.Join(home, "credentials")
	if err := os.WriteFile(credentials, []byte("[identity]\naws_access_key_id = AKIAALICEEXAMPLE\naws_secret_access_key = alice-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	account := emulator.NewAccountID()
	line := bin + " " + strings.Join(credentialsArgs(account), " ")
	config := "# BEGIN curfew profiles\n[profile identity]\nregion = eu-west-1\n\n[profile staging]\ncredential_process = " + line + "\nregion = eu-west-1\n# END curfew profiles\n"
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + cache, "AWS_CONFIG_FILE=" + configFile,
		"AWS_SHARED_CREDENTIALS_FILE=" + credentials, "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}
	// The day's session, opened by curfew login on a terminal against the emulator.
	_, screen := onTerminal(t, append(env, "AWS_ENDPOINT_URL="+s.URL), "123456\n", bin, "login")
	if !strings.Contains(screen, "MFA code") {
		t.Fatalf("curfew login asked nothing: %q", screen)
	}
	// An STS that accepts connections and never answers.
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	go func() {
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	shell, pid := underShell(t, append(env, "AWS_ENDPOINT_URL=http://"+hung.Addr().String()), bin, credentialsArgs(account)...)
	time.Sleep(700 * time.Millisecond) // curfew holds the lock, waiting for AssumeRole
	if _, free := lockCache(t, filepath.Join(cache, "curfew"), 0); free {
		t.Fatal("the lock is free while curfew credentials assumes the role; the test proves nothing")
	}
	if !running(pid) {
		t.Fatal("curfew credentials ended before its parent was killed; the test proves nothing")
	}
	shell.Process.Kill()
	shell.Wait()
	endsWithin(t, pid, 2*time.Second)
	release, free := lockCache(t, filepath.Join(cache, "curfew"), time.Second)
	if !free {
		t.Fatal("the cache lock is still held after curfew credentials' parent was killed")
	}
	release()
}
