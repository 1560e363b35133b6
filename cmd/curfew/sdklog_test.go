package main

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The SDK's own warnings never reach the person's terminal: an answer cut short (here
// STS's, cut after its first bytes) makes the SDK warn that it could not drain the body;
// curfew says what failed in its own line, and the warning is in its log, which --debug
// prints. The SDK's default logger would write it to the process's stderr, where the AWS
// CLI shows it to the person around curfew credentials' line.
func TestSDKWarningsStayInTheDebugLog(t *testing.T) {
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(buf, r.ContentLength))
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 4096\r\n\r\n<GetSessionTokenResponse>")
		_ = buf.Flush()
	}))
	defer cut.Close()
	identityKeys(t, cut.URL)
	config := curfewProfile(t, credentialsArgs("222222222222"))

	for _, debug := range []bool{false, true} {
		tty := &fakeTerminal{code: "123456"}
		setup := func(a *app) {
			a.openTerminal, a.configFile, a.cacheDir = tty.open, config, filepath.Join(t.TempDir(), "curfew")
		}
		args := []string{"login"}
		if debug {
			args = append([]string{"--debug"}, args...)
		}
		var r result
		process := stderrOf(t, func() { r = curfewWith(t, strings.NewReader(""), setup, args...) })
		if r.err == nil {
			t.Fatalf("debug %v: curfew login against an answer cut short succeeded", debug)
		}
		if strings.Contains(process, "SDK ") || strings.Contains(process, "WARN") {
			t.Errorf("debug %v: the process's stderr shows the SDK's own log:\n%s", debug, process)
		}
		warned := strings.Contains(r.stderr, "failed to discard remaining HTTP response body")
		if warned != debug {
			t.Errorf("debug %v: curfew's stderr has the SDK's warning: %v, want %v:\n%s", debug, warned, debug, r.stderr)
		}
	}
}

// stderrOf runs f with the process's stderr (os.Stderr) captured, and returns it.
func stderrOf(t *testing.T, f func()) string {
	t.Helper()
	read, write, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = write
	done := make(chan string)
	go func() {
		var b strings.Builder
		s := bufio.NewScanner(read)
		for s.Scan() {
			b.WriteString(s.Text() + "\n")
		}
		done <- b.String()
	}()
	defer func() { os.Stderr = saved }()
	f()
	os.Stderr = saved
	write.Close()
	return <-done
}
