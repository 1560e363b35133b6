// Package childproc holds what curfew's test servers share about the child processes they
// run (moto_server, the Lambda Runtime Interface Emulator): a free port to bind, and the
// end of a process group.
package childproc

import (
	"fmt"
	"net"
	"syscall"
	"time"
)

// FreePort is a TCP port free on 127.0.0.1 when asked.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StopGroup ends the process group led by pid: SIGTERM, then SIGKILL when done has not
// said within 5 seconds that the leader ended. It returns once the leader has ended.
func StopGroup[T any](pid int, done <-chan T) {
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
}
