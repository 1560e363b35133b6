package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/clock"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/lambdarun"
	"github.com/curfew/curfew/internal/runtable"
)

// startFunction runs a deployed function's binary under the Lambda Runtime Interface
// Emulator as Lambda would run it: the deployed configuration's environment, timeout and
// memory, and credentials of its execution role in the home account (assumed).
// Its clock reads at when it starts (the demo replays a month), and it reaches AWS at
// endpoint, moto when empty. It returns the deployed environment too.
func (d *Demo) startFunction(ctx context.Context, w io.Writer, function, folder string, at time.Time, endpoint string) (*lambdarun.Function, map[string]string, error) {
	return d.startFunctionWith(ctx, w, function, folder, at, endpoint, nil)
}

// startFunctionWith is startFunction with extra variables set over the deployed
// environment: what stands in for a part of AWS the demo runs itself (a function URL,
// another function under the RIE).
func (d *Demo) startFunctionWith(ctx context.Context, w io.Writer, function, folder string, at time.Time, endpoint string, extra map[string]string) (*lambdarun.Function, map[string]string, error) {
	home := d.m.HomeAccount()
	cfg, err := d.moto.AccountConfig(ctx, home.ID, d.m.HomeRegion)
	if err != nil {
		return nil, nil, err
	}
	conf, err := lambda.NewFromConfig(cfg).GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(function)})
	if err != nil {
		return nil, nil, fmt.Errorf("read the deployed configuration of %s: %w", function, err)
	}
	role := aws.ToString(conf.Role)
	creds, err := sts.NewFromConfig(d.moto.BaseConfig(d.m.HomeRegion)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(role), RoleSessionName: aws.String(function),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("assume %s: %w", role, err)
	}
	deployed := map[string]string{}
	if conf.Environment != nil {
		deployed = conf.Environment.Variables
	}
	env := maps.Clone(deployed)
	names := slices.Sorted(maps.Keys(deployed))
	env["AWS_REGION"] = d.m.HomeRegion
	env["AWS_DEFAULT_REGION"] = d.m.HomeRegion
	env["AWS_ENDPOINT_URL"] = d.moto.URL
	if endpoint != "" {
		env["AWS_ENDPOINT_URL"] = endpoint
	}
	env["AWS_ACCESS_KEY_ID"] = aws.ToString(creds.Credentials.AccessKeyId)
	env["AWS_SECRET_ACCESS_KEY"] = aws.ToString(creds.Credentials.SecretAccessKey)
	env["AWS_SESSION_TOKEN"] = aws.ToString(creds.Credentials.SessionToken)
	env["AWS_LAMBDA_FUNCTION_NAME"] = function
	env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
	env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = strconv.Itoa(int(aws.ToInt32(conf.Timeout)))
	env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = strconv.Itoa(int(aws.ToInt32(conf.MemorySize)))
	maps.Copy(env, extra)
	// The map the deployed code carries: the one the demo deployed.
	f, err := lambdarun.Start(ctx, lambdarun.Options{Name: folder, Map: d.m, Env: env, Dir: d.path("lambda", folder), Root: d.opts.Root, Binary: d.binary(folder), At: at})
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(w, "%s: lambdas/%s under the RIE as role %s, env from the deployed function (%s), timeout %ds, its clock at %s\n",
		function, folder, role, strings.Join(names, ", "), aws.ToInt32(conf.Timeout), at.Format("Mon 2 Jan 15:04 MST"))
	return f, deployed, nil
}

// nights replays the month before the last cost report: every night but the last, then
// the last night in full — curfew-shutdown with the payload of the deployed stop
// schedule, its report printed and the fleet checked: exactly the expected resources
// stopped and marked, production untouched.
func (d *Demo) nights(ctx context.Context, w io.Writer) error {
	m, err := d.planMonth(clock.Now())
	if err != nil {
		return err
	}
	d.month = m
	first, last := m.nights[0], m.nights[len(m.nights)-1]
	fmt.Fprintf(w, "%d nights, %s to %s: the deployed schedules' payloads, curfew-shutdown at %s and curfew-restart at %s %s, each under the RIE with its clock at the instant its cron fires\n",
		len(m.nights), first.stop.Format("Mon 2 Jan"), last.morning.Format("Mon 2 Jan"), first.stop.Format("15:04"), first.morning.Format("15:04"), m.stop.timezone)
	if err := d.replay(ctx, w, m); err != nil {
		return err
	}
	stop := m.stop
	fmt.Fprintf(w, "\nthe last night, %s:\n", last.stop.Format("Mon 2 Jan 15:04 MST"))
	f, _, err := d.startFunction(ctx, w, accounts.ShutdownFunction, "shutdown", last.stop, "")
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(w, "payload of schedule %s (%s %s): %s\n\n", stop.name, stop.expression, stop.timezone, stop.input)
	answer, err := f.Invoke(ctx, stop.input)
	if err != nil {
		return fmt.Errorf("invoke %s: %w\n%s", accounts.ShutdownFunction, err, f.Output())
	}
	var rep fleet.Report
	if err := json.Unmarshal(answer, &rep); err != nil {
		return fmt.Errorf("decode the report %s: %w", answer, err)
	}
	if err := runtable.Write(w, rep); err != nil {
		return err
	}
	if rep.Failed() {
		return fmt.Errorf("%w: the shutdown reported failures\n%s", ErrCheck, f.Output())
	}
	d.summary.stopped += rep.Totals.Stopped
	after, err := d.keep(ctx, &d.state.Night)
	if err != nil {
		return err
	}
	fmt.Fprintln(w)
	prod := inAccount(after, "production")
	for _, name := range prod {
		fmt.Fprintf(w, "production %-9s %s  %s before, %s now, unmarked: %v\n", name, after[name].ID, d.state.Before[name].State, after[name].State, !after[name].Marked)
	}
	if problems := d.state.CheckNight(); len(problems) > 0 {
		return fmt.Errorf("%w: after the night:\n  %s", ErrCheck, strings.Join(problems, "\n  "))
	}
	fmt.Fprintf(w, "checked in AWS: exactly %s stopped and marked; production and everything else unchanged\n", strings.Join(d.state.Stops, ", "))
	return nil
}
