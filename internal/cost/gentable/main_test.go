package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/cost/pricetable"
)

const fixture = "../pricetable/testdata/offers"

// The generator writes the golden table of the fixture and says what it read; regions
// may be separated by spaces, as make passes them.
func TestGentableWritesTheTable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "pricetable.json")
	var log bytes.Buffer

	err := run([]string{"-offers", fixture, "-regions", "us-east-1 eu-west-1", "-out", out}, &log)

	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../pricetable/testdata/table.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("wrote:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(log.String(), "AmazonEC2 us-east-1 published 2025-09-12T22:53:08Z (version 20250912225308): 1 keys left out for two different prices") {
		t.Errorf("log = %q, want each file's date and what it left out", log.String())
	}
}

// A malformed offer file, or a flag missing, leaves the table as it was and no file
// beside it.
func TestGentableWritesNothingOnError(t *testing.T) {
	offers := t.TempDir()
	if err := os.CopyFS(offers, os.DirFS(fixture)); err != nil {
		t.Fatal(err)
	}
	bad := pricetable.OfferPath(offers, pricetable.RDSOffer, "eu-west-1")
	b, err := os.ReadFile(bad)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, bytes.Replace(b, []byte(`"40.4000000000"`), []byte(`"forty"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"bad price", []string{"-offers", offers, "-regions", "us-east-1,eu-west-1"}, bad + `:7: PricePerUnit "forty" is not a price`},
		{"no regions", []string{"-offers", fixture}, "missing -regions"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "pricetable.json")
			if err := os.WriteFile(out, []byte("the old table\n"), 0o644); err != nil {
				t.Fatal(err)
			}

			err := run(append(tt.args, "-out", out), &bytes.Buffer{})

			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one saying %q", err, tt.want)
			}
			if got, _ := os.ReadFile(out); string(got) != "the old table\n" {
				t.Errorf("the table now holds %q, want it untouched", got)
			}
			if files, _ := os.ReadDir(dir); len(files) != 1 {
				t.Errorf("files beside the table: %v, want none", files)
			}
		})
	}
}
