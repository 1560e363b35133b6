package demo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func testStack(t *testing.T) stack {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "service.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct{ Resources map[string]resource }
	if err := json.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
	return stack{Name: "curfew-service", Account: "111111111111", Region: "eu-west-1", Resources: tmpl.Resources}
}

func TestSkippedIsWhatTheStackLacks(t *testing.T) {
	s := testStack(t)
	got := s.skipped([]string{"Shutdown", "ShutdownRole", "DLQ", "CI"})
	if want := []string{"Group", "Stop", "User"}; !slices.Equal(got, want) {
		t.Errorf("skipped %v, want %v", got, want)
	}
}

// The schedule's properties resolve against the deployed resources' physical ids.
func TestResolveScheduleProperties(t *testing.T) {
	p := physical{stack: testStack(t), ids: map[string]string{
		"Shutdown": "curfew-shutdown", "ShutdownRole": "curfew-shutdown",
		"DLQ": "https://sqs.eu-west-1.amazonaws.com/111111111111/curfew-dlq",
	}}
	var props struct {
		ScheduleExpression string
		Target             struct {
			Arn, RoleArn, Input string
			DeadLetterConfig    struct{ Arn string }
		}
		Description string
	}
	if err := p.properties("Stop", &props); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ got, want string }{
		{props.Target.Arn, "arn:aws:lambda:eu-west-1:111111111111:function:curfew-shutdown"},
		{props.Target.RoleArn, "arn:aws:iam::111111111111:role/curfew-shutdown"},
		{props.Target.DeadLetterConfig.Arn, "arn:aws:sqs:eu-west-1:111111111111:curfew-dlq"},
		{props.Target.Input, `{"accounts":["staging"],"trigger":"schedule"}`},
		{props.Description, "stop in eu-west-1 of 111111111111"},
	} {
		if c.got != c.want {
			t.Errorf("resolved %q, want %q", c.got, c.want)
		}
	}
	if err := p.properties("Group", new(map[string]any)); err == nil {
		t.Error("a Ref to a resource that is not deployed resolved")
	}
}
