package main

import (
	"errors"
	"strings"
	"testing"
)

// On a terminal, stop over every account asks and goes ahead only on yes.
func TestStopOverEveryAccountAsksOnATerminal(t *testing.T) {
	mapPath, calls := stopStartEnv(t)
	tests := []struct {
		answer  string
		invoked int
	}{
		{"n\n", 0},
		{"\n", 0},
		{"whatever\n", 0},
		{"y\n", 1},
		{"YES\n", 1},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.answer), func(t *testing.T) {
			terminal, tty := openPTY(t)
			t.Cleanup(func() { tty.Close() })
			// The answer waits in the terminal's input queue until curfew reads it.
			if _, err := terminal.Write([]byte(tt.answer)); err != nil {
				t.Fatal(err)
			}
			before := len(calls())
			r := curfewWith(t, tty, nil, "--map", mapPath, "stop")
			if got := len(calls()) - before; got != tt.invoked {
				t.Fatalf("%d invocations, want %d (error %v)", got, tt.invoked, r.err)
			}
			if !strings.Contains(r.stderr, "curfew stop runs curfew-shutdown in every non-production account: staging, sandbox. Go ahead? [y/N] ") {
				t.Errorf("no question on the terminal; stderr:\n%s", r.stderr)
			}
			if tt.invoked == 0 && (!errors.Is(r.err, ErrNotConfirmed) || !strings.Contains(r.err.Error(), "nothing was changed")) {
				t.Errorf("error %v, want ErrNotConfirmed saying nothing was changed", r.err)
			}
			if tt.invoked == 1 && r.err != nil {
				t.Errorf("error %v", r.err)
			}
		})
	}
}
