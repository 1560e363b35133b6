package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Step is one stage of the demo, printed as it starts and ends.
type Step struct {
	// Name names the step in the progress lines and in its error.
	Name string
	// Run does the step; what it prints goes to the writer, indented by the runner.
	Run func(ctx context.Context, w io.Writer) error
}

// StepError is the failure of one step: the demo stops there.
type StepError struct {
	// Number is the step's position, from 1.
	Number int
	Name   string
	Err    error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("step %d (%s) failed: %v", e.Number, e.Name, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// RunSteps runs the steps in order and stops at the first that fails, or when ctx ends
// (Ctrl-C), with a *StepError naming it. Each step prints a header line and a closing line
// with its own and the total elapsed time.
func RunSteps(ctx context.Context, w io.Writer, steps []Step) error {
	begin := time.Now()
	for i, s := range steps {
		fmt.Fprintf(w, "\n==> [%d/%d] %s\n", i+1, len(steps), s.Name)
		start := time.Now()
		err := ctx.Err()
		if err == nil {
			err = s.Run(ctx, &indent{w: w, bol: true})
		}
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		took, total := time.Since(start), time.Since(begin)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				err = fmt.Errorf("interrupted: %w", err)
			}
			fmt.Fprintf(w, "    FAILED after %s (elapsed %s)\n", round(took), round(total))
			return &StepError{Number: i + 1, Name: s.Name, Err: err}
		}
		fmt.Fprintf(w, "    ok in %s (elapsed %s)\n", round(took), round(total))
	}
	return nil
}

func round(d time.Duration) time.Duration { return d.Round(100 * time.Millisecond) }

// indent prefixes every line written through it with four spaces.
type indent struct {
	w   io.Writer
	bol bool
}

func (i *indent) Write(p []byte) (int, error) {
	var out []byte
	for _, b := range p {
		if i.bol {
			out = append(out, "    "...)
			i.bol = false
		}
		out = append(out, b)
		if b == '\n' {
			i.bol = true
		}
	}
	if _, err := i.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
