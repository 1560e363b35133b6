package demo

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedulertypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"golang.org/x/sync/errgroup"
)

// deployParallel is how many CDK CLI processes run at once: each is a Node process, and the
// machine may have two cores.
const deployParallel = 3

// deploy runs the pinned CDK CLI as the README tells a user to: synthesise once, bootstrap
// every account and region of the assembly, check each account with curfew preflight,
// deploy each stack with its own account's profile. Then it lists what moto's CloudFormation skipped and creates what the demo
// needs of it through the services' own APIs.
func (d *Demo) deploy(ctx context.Context, w io.Writer) error {
	if _, err := os.Stat(d.opts.CDK); err != nil {
		return fmt.Errorf("the CDK CLI is missing at %s: run `make tools` (or `make demo`, which installs it)", d.opts.CDK)
	}
	out := d.path("cdk.out")
	var mu sync.Mutex
	timed := func(line string, run func() error) error {
		start := time.Now()
		err := run()
		if err == nil {
			mu.Lock()
			fmt.Fprintf(w, "%-64s %5.1fs\n", line, time.Since(start).Seconds())
			mu.Unlock()
		}
		return err
	}
	// The functions deployed into moto are the builds for this machine that the emulator runs
	// (step 1): moto stores their code and never runs it, so the demo needs no arm64 build.
	if err := timed("cdk synth -c accountMap="+d.rel(d.mapPath)+" -c lambdaDir="+d.rel(d.path("bin")), func() error {
		return d.cdk(ctx, "synth", d.opts.Root, "synth", "--quiet", "-o", out, "-c", "accountMap="+d.mapPath, "-c", "lambdaDir="+d.path("bin"))
	}); err != nil {
		return err
	}
	stacks, err := readAssembly(out)
	if err != nil {
		return err
	}
	d.stacks = stacks

	var envs []string
	for _, s := range stacks {
		if env := "aws://" + s.Account + "/" + s.Region; !slices.Contains(envs, env) {
			envs = append(envs, env)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(deployParallel)
	for _, env := range envs {
		profile, err := d.profileFor(strings.Split(strings.TrimPrefix(env, "aws://"), "/")[0])
		if err != nil {
			return err
		}
		g.Go(func() error {
			return timed(fmt.Sprintf("cdk bootstrap %s --profile %s", env, profile), func() error {
				return d.cdk(gctx, "bootstrap-"+profile, d.work, "bootstrap", env, "--profile", profile)
			})
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := d.preflight(ctx, w, timed); err != nil {
		return err
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(deployParallel)
	// The largest stack first (curfew-service, about ten seconds in moto): the others deploy
	// beside it instead of before it.
	byWork := slices.Clone(stacks)
	slices.SortStableFunc(byWork, func(a, b stack) int { return len(b.Resources) - len(a.Resources) })
	for _, s := range byWork {
		profile, err := d.profileFor(s.Account)
		if err != nil {
			return err
		}
		g.Go(func() error {
			return timed(fmt.Sprintf("cdk deploy %s --profile %s", s.Name, profile), func() error {
				return d.cdk(gctx, "deploy-"+s.Name, d.work, "deploy", "--app", out, s.Name, "--profile", profile, "--require-approval", "never")
			})
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}

	fmt.Fprintln(w, "what moto's CloudFormation skipped (template resources missing from ListStackResources):")
	d.physical = map[string]physical{}
	for _, s := range stacks {
		p, missing, err := d.deployedResources(ctx, s)
		if err != nil {
			return err
		}
		d.physical[s.Name] = p
		fmt.Fprintf(w, "  %-18s %2d in the template, %2d created, %2d skipped%s\n", s.Name, len(s.Resources), len(s.Resources)-len(missing), len(missing), byType(s, missing))
	}
	for _, s := range stacks {
		if err := d.createSkipped(ctx, w, s); err != nil {
			return err
		}
	}
	return nil
}

// byType summarises skipped resources by type: ": AWS::IAM::Group ×2, ...".
func byType(s stack, ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	n := map[string]int{}
	for _, id := range ids {
		n[s.Resources[id].Type]++
	}
	var parts []string
	for _, t := range slices.Sorted(maps.Keys(n)) {
		parts = append(parts, fmt.Sprintf("%s ×%d", t, n[t]))
	}
	return ": " + strings.Join(parts, ", ")
}

// deployedResources reads the stack's resources as CloudFormation reports them and returns
// their physical ids and the template's logical ids it lacks.
func (d *Demo) deployedResources(ctx context.Context, s stack) (physical, []string, error) {
	cfg, err := d.moto.AccountConfig(ctx, s.Account, s.Region)
	if err != nil {
		return physical{}, nil, err
	}
	p := physical{stack: s, ids: map[string]string{}}
	pages := cloudformation.NewListStackResourcesPaginator(cloudformation.NewFromConfig(cfg), &cloudformation.ListStackResourcesInput{StackName: aws.String(s.Name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return physical{}, nil, fmt.Errorf("list the resources of %s: %w", s.Name, err)
		}
		for _, r := range page.StackResourceSummaries {
			// moto lists what it skipped without a logical id.
			if id := aws.ToString(r.LogicalResourceId); id != "" && aws.ToString(r.PhysicalResourceId) != "" {
				p.ids[id] = aws.ToString(r.PhysicalResourceId)
			}
		}
	}
	return p, s.skipped(slices.Collect(maps.Keys(p.ids))), nil
}

// createSkipped creates, through their own APIs, the skipped resources the demo relies on:
// IAM groups (the developers group, the CI user's group), Scheduler schedules and their
// group. Others are listed as not needed.
func (d *Demo) createSkipped(ctx context.Context, w io.Writer, s stack) error {
	p := d.physical[s.Name]
	cfg, err := d.moto.AccountConfig(ctx, s.Account, s.Region)
	if err != nil {
		return err
	}
	// Schedule groups first: each schedule names its group, which must exist.
	for _, id := range s.skipped(slices.Collect(maps.Keys(p.ids))) {
		if s.Resources[id].Type != "AWS::Scheduler::ScheduleGroup" {
			continue
		}
		var props struct{ Name string }
		if err := p.properties(id, &props); err != nil {
			return err
		}
		if _, err := scheduler.NewFromConfig(cfg).CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String(props.Name)}); err != nil {
			return fmt.Errorf("%s: create schedule group %s: %w", s.Name, id, err)
		}
		p.ids[id] = props.Name
		fmt.Fprintf(w, "  %s: created schedule group %q through EventBridge Scheduler\n", s.Name, props.Name)
	}
	var notNeeded []string
	for _, id := range s.skipped(slices.Collect(maps.Keys(p.ids))) {
		switch t := s.Resources[id].Type; t {
		case "AWS::IAM::Group":
			name, err := createGroup(ctx, iam.NewFromConfig(cfg), p, id)
			if err != nil {
				return fmt.Errorf("%s: create IAM group %s: %w", s.Name, id, err)
			}
			p.ids[id] = name
			fmt.Fprintf(w, "  %s: created IAM group %q through IAM\n", s.Name, name)
		case "AWS::Scheduler::Schedule":
			sc, err := createSchedule(ctx, scheduler.NewFromConfig(cfg), p, id)
			if err != nil {
				return fmt.Errorf("%s: create schedule %s: %w", s.Name, id, err)
			}
			d.schedules = append(d.schedules, sc)
			fmt.Fprintf(w, "  %s: created schedule %q (%s %s) through EventBridge Scheduler\n", s.Name, sc.name, sc.expression, sc.timezone)
		default:
			notNeeded = append(notNeeded, fmt.Sprintf("%s (%s)", id, strings.TrimPrefix(t, "AWS::")))
		}
	}
	// Group members come after the groups: users and policies refer to them.
	if err := addGroupMembers(ctx, w, iam.NewFromConfig(cfg), p); err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	if len(notNeeded) > 0 {
		fmt.Fprintf(w, "  %s: left out, not needed by the demo: %s\n", s.Name, strings.Join(notNeeded, ", "))
	}
	return nil
}

// createGroup creates an AWS::IAM::Group of the template with its managed policies and
// returns its name.
func createGroup(ctx context.Context, c *iam.Client, p physical, id string) (string, error) {
	var props struct {
		GroupName         string
		Path              string
		ManagedPolicyArns []string
	}
	if err := p.properties(id, &props); err != nil {
		return "", err
	}
	name := props.GroupName
	if name == "" {
		// CloudFormation's generated name: stack name and logical id.
		name = p.stack.Name + "-" + id
	}
	in := &iam.CreateGroupInput{GroupName: aws.String(name)}
	if props.Path != "" {
		in.Path = aws.String(props.Path)
	}
	if _, err := c.CreateGroup(ctx, in); err != nil {
		return "", err
	}
	for _, arn := range props.ManagedPolicyArns {
		if _, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(name), PolicyArn: aws.String(arn)}); err != nil {
			return "", fmt.Errorf("attach %s: %w", arn, err)
		}
	}
	return name, nil
}

// addGroupMembers adds the template's users to the groups they name (AWS::IAM::User
// Groups) and attaches managed policies that name groups (AWS::IAM::ManagedPolicy Groups).
func addGroupMembers(ctx context.Context, w io.Writer, c *iam.Client, p physical) error {
	for _, id := range slices.Sorted(maps.Keys(p.stack.Resources)) {
		var props struct{ Groups []string }
		switch p.stack.Resources[id].Type {
		case "AWS::IAM::User", "AWS::IAM::ManagedPolicy":
		default:
			continue
		}
		if err := p.properties(id, &props); err != nil {
			return err
		}
		for _, g := range props.Groups {
			var err error
			if p.stack.Resources[id].Type == "AWS::IAM::User" {
				_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String(g), UserName: aws.String(p.ids[id])})
				fmt.Fprintf(w, "  %s: added user %q to group %q\n", p.stack.Name, p.ids[id], g)
			} else {
				_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(g), PolicyArn: aws.String(p.ids[id])})
			}
			if err != nil {
				return fmt.Errorf("group %s: %w", g, err)
			}
		}
	}
	return nil
}

// schedule is a schedule the demo created.
type schedule struct {
	name, expression, timezone string
	// target is the ARN of the function it invokes, input its payload.
	target, input string
}

// createSchedule creates an AWS::Scheduler::Schedule of the template.
func createSchedule(ctx context.Context, c *scheduler.Client, p physical, id string) (schedule, error) {
	var props struct {
		Name                       string
		GroupName                  string
		Description                string
		ScheduleExpression         string
		ScheduleExpressionTimezone string
		State                      string
		FlexibleTimeWindow         struct {
			Mode                   string
			MaximumWindowInMinutes *int32
		}
		Target struct {
			Arn              string
			RoleArn          string
			Input            string
			DeadLetterConfig *struct{ Arn string }
			RetryPolicy      *struct {
				MaximumEventAgeInSeconds *int32
				MaximumRetryAttempts     *int32
			}
		}
	}
	if err := p.properties(id, &props); err != nil {
		return schedule{}, err
	}
	name := props.Name
	if name == "" {
		name = p.stack.Name + "-" + id
	}
	in := &scheduler.CreateScheduleInput{
		Name:                       aws.String(name),
		Description:                aws.String(props.Description),
		ScheduleExpression:         aws.String(props.ScheduleExpression),
		ScheduleExpressionTimezone: aws.String(props.ScheduleExpressionTimezone),
		State:                      schedulertypes.ScheduleState(props.State),
		FlexibleTimeWindow: &schedulertypes.FlexibleTimeWindow{
			Mode:                   schedulertypes.FlexibleTimeWindowMode(props.FlexibleTimeWindow.Mode),
			MaximumWindowInMinutes: props.FlexibleTimeWindow.MaximumWindowInMinutes,
		},
		Target: &schedulertypes.Target{
			Arn:     aws.String(props.Target.Arn),
			RoleArn: aws.String(props.Target.RoleArn),
			Input:   aws.String(props.Target.Input),
		},
	}
	if props.GroupName != "" {
		in.GroupName = aws.String(props.GroupName)
	}
	if dl := props.Target.DeadLetterConfig; dl != nil {
		in.Target.DeadLetterConfig = &schedulertypes.DeadLetterConfig{Arn: aws.String(dl.Arn)}
	}
	if rp := props.Target.RetryPolicy; rp != nil {
		in.Target.RetryPolicy = &schedulertypes.RetryPolicy{MaximumEventAgeInSeconds: rp.MaximumEventAgeInSeconds, MaximumRetryAttempts: rp.MaximumRetryAttempts}
	}
	if _, err := c.CreateSchedule(ctx, in); err != nil {
		return schedule{}, err
	}
	// Read it back: the night runs with the payload the scheduler holds.
	got, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name), GroupName: in.GroupName})
	if err != nil {
		return schedule{}, fmt.Errorf("read it back: %w", err)
	}
	return schedule{
		name:       name,
		expression: aws.ToString(got.ScheduleExpression),
		timezone:   aws.ToString(got.ScheduleExpressionTimezone),
		target:     aws.ToString(got.Target.Arn),
		input:      aws.ToString(got.Target.Input),
	}, nil
}
