package demo

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// A failing step ends the run with a *StepError naming it; later steps do not run; the
// progress shows a line per step with elapsed time.
func TestRunStepsStopsAtTheFailingStep(t *testing.T) {
	boom := errors.New("boom")
	var ran []string
	step := func(name string, err error) Step {
		return Step{Name: name, Run: func(_ context.Context, w io.Writer) error {
			ran = append(ran, name)
			io.WriteString(w, "detail of "+name+"\n")
			return err
		}}
	}
	var out strings.Builder
	err := RunSteps(t.Context(), &out, []Step{step("first", nil), step("second", boom), step("third", nil)})
	var se *StepError
	if !errors.As(err, &se) || se.Number != 2 || se.Name != "second" || !errors.Is(err, boom) {
		t.Fatalf("RunSteps = %v, want step 2 (second) failing with boom", err)
	}
	if got := err.Error(); got != "step 2 (second) failed: boom" {
		t.Errorf("error %q", got)
	}
	if strings.Join(ran, ",") != "first,second" {
		t.Errorf("ran %v, want first and second only", ran)
	}
	for _, want := range []string{"==> [1/3] first\n", "    detail of first\n", "    ok in ", "(elapsed ", "==> [2/3] second\n", "    FAILED after "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "third") {
		t.Errorf("the third step was announced:\n%s", out.String())
	}
}

// Ctrl-C cancels the context: the step running then is named, as interrupted.
func TestRunStepsInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	steps := []Step{
		{Name: "first", Run: func(context.Context, io.Writer) error { return nil }},
		{Name: "long", Run: func(ctx context.Context, _ io.Writer) error { cancel(); <-ctx.Done(); return nil }},
		{Name: "never", Run: func(context.Context, io.Writer) error { t.Error("ran after the interrupt"); return nil }},
	}
	err := RunSteps(ctx, io.Discard, steps)
	var se *StepError
	if !errors.As(err, &se) || se.Name != "long" || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("RunSteps = %v, want step long interrupted", err)
	}
}
