package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/curfew/curfew/internal/lambdarun"
)

// coldStarts is how many cold starts of each Lambda are timed.
const coldStarts = 5

// footprintEnv is what each Lambda needs to initialise: an account map and, for the cost
// report, its bucket and topic. No AWS call happens: the payload is refused first.
var footprintEnv = map[string]string{
	"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
	"AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_EC2_METADATA_DISABLED": "true",
	"CURFEW_BUCKET": "curfew-bench", "CURFEW_TOPIC_ARN": "arn:aws:sns:eu-west-1:800000000000:curfew-bench",
}

// partFootprint is part 4: the size of each Lambda as `make lambdas` builds it, and its
// cold start under the Runtime Interface Emulator.
func partFootprint(ctx context.Context, t *table, lambdaDir string) ([]string, error) {
	names, err := filepath.Glob("lambdas/*/main.go")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("no lambdas/*/main.go: run the bench from the repository's root")
	}
	root, rie, err := rieTools(ctx)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "curfew-bench-lambdas-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	m, err := benchMap("800000000000", []string{"800000000001"}, regionNames[:1])
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for k, v := range footprintEnv {
		env[k] = v
	}
	for _, mainGo := range names {
		name := filepath.Base(filepath.Dir(mainGo))
		shipped := filepath.Join(lambdaDir, name, "bootstrap")
		st, err := os.Stat(shipped)
		if err != nil {
			return nil, fmt.Errorf("%s: run `make lambdas` first: %w", shipped, err)
		}
		// The emulator runs the function on this machine: a build for its architecture,
		// with the same flags.
		bin := filepath.Join(work, name, "bootstrap")
		if err := lambdarun.BuildFor(ctx, root, name, runtime.GOARCH, bin); err != nil {
			return nil, err
		}
		var took []time.Duration
		for range coldStarts {
			answer, d, err := coldInvoke(ctx, lambdarun.Options{Name: name, Map: m, Env: env, Root: root, Binary: bin, Emulator: rie}, `[]`)
			var fe *lambdarun.FunctionError
			if !errors.As(err, &fe) {
				if err == nil {
					return nil, fmt.Errorf("%s accepted the payload [] and may have called AWS: %s", name, answer)
				}
				return nil, fmt.Errorf("cold start of %s: %w", name, err)
			}
			took = append(took, d)
		}
		slices.Sort(took)
		t.row("4", fmt.Sprintf("Lambda %s: arm64 size, cold start (RIE)", name),
			fmt.Sprintf("%.1f MB, %.1f ms (min %.1f, max %.1f)", float64(st.Size())/(1<<20),
				ms(took[len(took)/2]), ms(took[0]), ms(took[len(took)-1])),
			"", "")
	}
	return []string{
		fmt.Sprintf("part 4: sizes are of build/lambda/<name>/bootstrap from `make lambdas` (CGO_ENABLED=0 GOOS=linux GOARCH=arm64 -tags lambda.norpc -trimpath -ldflags='-s -w'). "+
			"This machine is %s/%s, so the cold start is of the same build for %s: the time from starting the Lambda RIE (go tool aws-lambda-rie) to the answer of a first invocation "+
			"that the handler refuses before any AWS call (payload []), median of %d fresh starts; the RIE's own start is included.", runtime.GOOS, runtime.GOARCH, runtime.GOARCH, coldStarts),
	}, nil
}

// rieTools returns the module's root and the Lambda Runtime Interface Emulator pinned as
// a tool in its go.mod, looked up once so that no go command runs in a timed start.
func rieTools(ctx context.Context) (root, rie string, err error) {
	if root, err = lambdarun.ModuleRoot(); err != nil {
		return "", "", err
	}
	if rie, err = lambdarun.EmulatorPath(ctx, root); err != nil {
		return "", "", err
	}
	return root, rie, nil
}

// coldInvoke starts the function under the emulator, sends it one payload, stops it, and
// returns its answer and the time from the emulator's start to the answer: a cold start
// and one invocation, as a Lambda's first. A function error comes back as a
// *lambdarun.FunctionError, with the time.
func coldInvoke(ctx context.Context, o lambdarun.Options, payload string) ([]byte, time.Duration, error) {
	start := time.Now()
	f, err := lambdarun.Start(ctx, o)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	answer, err := f.Invoke(ctx, payload)
	took := time.Since(start)
	var fe *lambdarun.FunctionError
	if err != nil && !errors.As(err, &fe) {
		return nil, 0, fmt.Errorf("%w\n%s", err, f.Output())
	}
	return answer, took, err
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
