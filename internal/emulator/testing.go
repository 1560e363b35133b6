package emulator

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// shared is the server of the running test binary, started by Main.
var shared *Server

// Main runs a test binary's tests with one moto server shared by all of them, and stops
// the server when they end. Call it from TestMain: func TestMain(m *testing.M) { emulator.Main(m) }.
// Tests keep apart by using accounts of their own (NewAccountID), never by resetting moto,
// which would also forget every assumed-role credential.
func Main(m *testing.M) {
	s, err := Start(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "emulator:", err)
		os.Exit(1)
	}
	shared = s
	code := m.Run()
	s.Close()
	os.Exit(code)
}

// Shared returns the server started by Main; the test fails if Main did not run.
func Shared(t testing.TB) *Server {
	t.Helper()
	if shared == nil {
		t.Fatal("emulator.Shared: no server; call emulator.Main(m) from TestMain")
	}
	return shared
}

// Own starts a moto server for t alone, stopped when t ends: for a test whose world no
// other test may share, such as CloudFormation deployments into an organisation.
func Own(t testing.TB) *Server {
	t.Helper()
	s, err := Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Account returns a config for accountID in region, through a real AssumeRole.
func (s *Server) Account(t testing.TB, accountID, region string) aws.Config {
	t.Helper()
	cfg, err := s.AccountConfig(t.Context(), accountID, region)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
