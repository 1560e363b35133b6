package history_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/history"
	"github.com/curfew/curfew/internal/history/historytest"
)

func TestMain(m *testing.M) { emulator.Main(m) }

func TestPutAndSince(t *testing.T) {
	bucket := "curfew-runs-test"
	store := historytest.NewStore(t, emulator.Shared(t).Account(t, emulator.NewAccountID(), "eu-west-1"), bucket)
	day := time.Date(2026, 11, 20, 19, 0, 0, 0, time.UTC)
	runs := []history.Run{
		{ID: "old", Kind: history.Shutdown, Started: day.AddDate(0, 0, -40)},
		{ID: "night", Kind: history.Shutdown, Started: day, Changes: []history.Change{
			{Account: "staging", Region: "eu-west-1", Type: history.EC2Instance, ID: "i-1", Size: "t3.micro", At: day},
		}},
		{ID: "morning", Kind: history.Restart, Started: day.Add(11 * time.Hour), Changes: []history.Change{
			{Account: "staging", Region: "eu-west-1", Type: history.EC2Instance, ID: "i-1", Size: "t3.micro", At: day.Add(11 * time.Hour)},
		}},
	}
	for _, r := range []history.Run{runs[2], runs[0], runs[1]} { // written out of order
		if err := store.Put(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	// An object that is not a run summary costs only itself.
	if _, err := store.Client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String("runs/2026/11/20/20261120T200000Z-shutdown-torn.json"), Body: strings.NewReader(`{"id":"torn","kind":`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Since(t.Context(), day.AddDate(0, 0, -30)); err == nil || !strings.Contains(err.Error(), "torn") {
		t.Errorf("Since = %v, want the torn object's error", err)
	}
	scan, err := store.Read(t.Context(), day.AddDate(0, 0, -30))
	if err != nil {
		t.Fatal(err)
	}
	if len(scan.Unreadable) != 1 || scan.Unreadable[0].Key != "runs/2026/11/20/20261120T200000Z-shutdown-torn.json" ||
		!strings.Contains(scan.Unreadable[0].Err.Error(), "decode s3://curfew-runs-test/runs/2026/11/20/20261120T200000Z-shutdown-torn.json") {
		t.Errorf("unreadable = %v, want the torn object named", scan.Unreadable)
	}
	got := scan.Runs
	if len(got) != 2 || got[0].ID != "night" || got[1].ID != "morning" {
		t.Fatalf("Since = %+v, want night then morning", got)
	}
	if c := got[0].Changes; len(c) != 1 || c[0].ID != "i-1" || c[0].Size != "t3.micro" || !c[0].At.Equal(day) {
		t.Errorf("changes did not round-trip: %+v", c)
	}
}
