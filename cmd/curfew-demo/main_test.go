package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/applicationautoscaling"
	aastypes "github.com/aws/aws-sdk-go-v2/service/applicationautoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/cause/causetest"
	"github.com/curfew/curfew/internal/demo"
	"github.com/curfew/curfew/internal/emulator"
)

// demoBinary builds curfew-demo, as `make demo` runs it.
func demoBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "curfew-demo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runDemo runs the demo binary and returns its output and exit code.
func runDemo(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", bin, err)
	}
	t.Logf("curfew-demo %s exited %d:\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	return out.String(), errOut.String(), code
}

// The whole demo against a moto of the test's own, then the engine's invariant checked in
// moto by the test: after the night exactly the expected set stopped and marked and
// production unchanged (as the demo observed it); after the morning, read here, exactly
// those running again, the instance a person stopped still stopped, no mark left.
func TestDemoRunsCurfewsNight(t *testing.T) {
	bin := demoBinary(t)
	s, err := emulator.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	statePath, reportPath := filepath.Join(dir, "state.json"), filepath.Join(dir, "report.html")
	stdout, stderr, code := runDemo(t, bin, "-endpoint", s.URL, "-state", statePath, "-report", reportPath)
	if code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	causetest.NoSDKText(t, "the demo's output", stdout+stderr)
	for i := 1; i <= 8; i++ {
		if !strings.Contains(stdout, fmt.Sprintf("==> [%d/8] ", i)) {
			t.Errorf("no progress line for step %d", i)
		}
	}
	if n := strings.Count(stdout, "    ok in "); n != 8 {
		t.Errorf("%d steps ok, want 8", n)
	}
	// Tonight (issue 30): the owner's heads-up, its link's page and button, the button
	// refused the second time, and the stop keeping that resource up.
	for _, want := range []string{"sandbox-team@example.com got, by email", "→ 200 (no change", "POST (the page's button) → 200",
		"POST again → 409", "kept up by the heads-up link of 19:30", "curfew-restart at "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the demo's tonight does not show %q", want)
		}
	}
	// Each account is checked with curfew preflight after its bootstrap and before any
	// deploy.
	firstDeploy := strings.Index(stdout, "cdk deploy curfew-")
	for _, name := range []string{"identity", "staging", "sandbox", "production"} {
		line := fmt.Sprintf("curfew preflight --profile %[1]s --account %[1]s ", name)
		if i := strings.Index(stdout, line); i < 0 || firstDeploy < 0 || i > firstDeploy || i < strings.LastIndex(stdout[:firstDeploy], "cdk bootstrap ") {
			t.Errorf("no %q between the bootstraps and the first deploy", line)
		}
	}
	if !strings.Contains(stdout, "curfew preflight: no problems in 4 accounts") {
		t.Error("the demo does not say that preflight found no problems")
	}

	data, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	var st demo.State
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	wantStopped := []string{"analytics", "api", "experiment", "orders-db", "web", "web-asg", "worker"}
	var stoppedAtNight []string
	for name, o := range st.Night {
		before := st.Before[name]
		switch {
		case !o.Running() && o.Marked:
			stoppedAtNight = append(stoppedAtNight, name)
		case o.State != before.State || o.Marked:
			t.Errorf("%s after the night: %+v, before: %+v", name, o, before)
		}
	}
	if slices.Sort(stoppedAtNight); !slices.Equal(stoppedAtNight, wantStopped) {
		t.Errorf("stopped and marked at night: %v, want %v", stoppedAtNight, wantStopped)
	}
	for _, name := range []string{"prod-web", "prod-db", "prod-api"} {
		if o := st.Night[name]; o.Account != "production" || o.State != st.Before[name].State || o.Marked {
			t.Errorf("production %s after the night: %+v", name, o)
		}
	}

	final := observe(t, s)
	var runningBefore, runningNow []string
	for name, o := range st.Before {
		if o.Running() {
			runningBefore = append(runningBefore, name)
		}
	}
	for name, o := range final {
		if o.Running() {
			runningNow = append(runningNow, name)
		}
		if o.Marked {
			t.Errorf("%s still carries curfew's mark", name)
		}
	}
	slices.Sort(runningBefore)
	slices.Sort(runningNow)
	if !slices.Equal(runningNow, runningBefore) {
		t.Errorf("running after the morning %v, want as before the night %v", runningNow, runningBefore)
	}
	if got := slices.Sorted(maps.Keys(final)); !slices.Equal(got, slices.Sorted(maps.Keys(st.Before))) {
		t.Errorf("resources in moto %v, want the demo fleet %v", got, slices.Sorted(maps.Keys(st.Before)))
	}
	for _, name := range []string{"web-asg", "api"} {
		if o, b := final[name], st.Before[name]; o.Capacity != b.Capacity || o.Capacity == "" {
			t.Errorf("%s after the morning: capacity %q, want %q as before the night", name, o.Capacity, b.Capacity)
		}
	}
	if o := final["alice-dev"]; o.State != "stopped" {
		t.Errorf("alice-dev, stopped by a person, is %s after the morning", o.State)
	}

	page, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	causetest.NoSDKText(t, "the demo's HTML report", string(page))
	if !strings.Contains(string(page), "<html") || !strings.Contains(string(page), "production") {
		t.Errorf("the HTML report at %s is not a report of the demo accounts (%d bytes)", reportPath, len(page))
	}
	if !strings.Contains(stdout, "written to "+reportPath) {
		t.Errorf("the demo does not print where the report is")
	}
	// A month of nights that curfew's functions ran saved money in at least two
	// accounts, priced, and the page draws it.
	_, summary, ok := strings.Cut(stdout, "curfew's month in moto")
	saved := regexp.MustCompile(`(?m)^  saved    (.*)$`).FindStringSubmatch(summary)
	if !ok || saved == nil {
		t.Fatalf("the demo ends without its summary:\n%s", summary)
	}
	priced := 0
	for _, m := range regexp.MustCompile(`(\w+) [\d.,]+(?: to ([\d.,]+))? \((\d+) h\)`).FindAllStringSubmatch(saved[1], -1) {
		if m[3] != "0" && !strings.HasPrefix(m[0], m[1]+" 0.00") {
			priced++
		}
	}
	if priced < 2 {
		t.Errorf("the summary saves in %d accounts, want priced savings in at least two: %s", priced, saved[0])
	}
	for _, want := range []string{"  stopped  7 resources each night", "  started  every morning", "  report   "} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary has no %q:\n%s", want, summary)
		}
	}
	_, charts, _ := strings.Cut(string(page), `id="savings-charts"`)
	if n := strings.Count(charts, "<svg"); n < 2 {
		t.Errorf("the page's savings charts have %d panels, want one per account that saved", n)
	}
}

// observe reads the demo accounts' resources from moto, by Name tag or identifier.
func observe(t *testing.T, s *emulator.Server) map[string]demo.Observed {
	t.Helper()
	out := map[string]demo.Observed{}
	marked := func(tags map[string]string) bool {
		_, at := tags[accounts.StoppedAtTag]
		_, by := tags[accounts.StoppedByRunTag]
		return at || by
	}
	rdsTags := func(list []rdstypes.Tag) map[string]string {
		m := map[string]string{}
		for _, tg := range list {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}
	for _, id := range []string{"222222222222", "333333333333", "444444444444"} {
		for _, region := range []string{"eu-west-1", "eu-central-1"} {
			cfg := s.Account(t, id, region)
			inst, err := ec2.NewFromConfig(cfg).DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range inst.Reservations {
				for _, i := range r.Instances {
					tags := map[string]string{}
					for _, tg := range i.Tags {
						tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
					}
					if tags["aws:autoscaling:groupName"] != "" {
						continue // a group's instance: the group is the resource
					}
					out[tags["Name"]] = demo.Observed{Name: tags["Name"], State: string(i.State.Name), Marked: marked(tags)}
				}
			}
			dbs, err := rds.NewFromConfig(cfg).DescribeDBInstances(t.Context(), &rds.DescribeDBInstancesInput{})
			if err != nil {
				t.Fatal(err)
			}
			for _, db := range dbs.DBInstances {
				name := aws.ToString(db.DBInstanceIdentifier)
				out[name] = demo.Observed{Name: name, State: aws.ToString(db.DBInstanceStatus), Marked: marked(rdsTags(db.TagList))}
			}
			clusters, err := rds.NewFromConfig(cfg).DescribeDBClusters(t.Context(), &rds.DescribeDBClustersInput{})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range clusters.DBClusters {
				name := aws.ToString(c.DBClusterIdentifier)
				out[name] = demo.Observed{Name: name, State: aws.ToString(c.Status), Marked: marked(rdsTags(c.TagList))}
			}
			maps.Copy(out, observeScaled(t, cfg, marked))
		}
	}
	return out
}

// observeScaled reads the Auto Scaling groups and ECS services of one account×region, by
// name, with their capacity as the demo shows it: a group's min/desired/max, a service's
// "desired min/max".
func observeScaled(t *testing.T, cfg aws.Config, marked func(map[string]string) bool) map[string]demo.Observed {
	t.Helper()
	state := func(desired int32) string {
		if desired > 0 {
			return "running"
		}
		return "stopped"
	}
	out := map[string]demo.Observed{}
	groups, err := autoscaling.NewFromConfig(cfg).DescribeAutoScalingGroups(t.Context(), &autoscaling.DescribeAutoScalingGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups.AutoScalingGroups {
		tags := map[string]string{}
		for _, tg := range g.Tags {
			tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		name := aws.ToString(g.AutoScalingGroupName)
		out[name] = demo.Observed{Name: name, State: state(aws.ToInt32(g.DesiredCapacity)), Marked: marked(tags),
			Capacity: fmt.Sprintf("%d/%d/%d", aws.ToInt32(g.MinSize), aws.ToInt32(g.DesiredCapacity), aws.ToInt32(g.MaxSize))}
	}
	targets, err := applicationautoscaling.NewFromConfig(cfg).DescribeScalableTargets(t.Context(), &applicationautoscaling.DescribeScalableTargetsInput{ServiceNamespace: aastypes.ServiceNamespaceEcs})
	if err != nil {
		t.Fatal(err)
	}
	scaling := map[string]string{}
	for _, tg := range targets.ScalableTargets {
		scaling[aws.ToString(tg.ResourceId)] = fmt.Sprintf("%d/%d", aws.ToInt32(tg.MinCapacity), aws.ToInt32(tg.MaxCapacity))
	}
	client := ecs.NewFromConfig(cfg)
	clusters, err := client.ListClusters(t.Context(), &ecs.ListClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clusters.ClusterArns {
		arns, err := client.ListServices(t.Context(), &ecs.ListServicesInput{Cluster: aws.String(c)})
		if err != nil || len(arns.ServiceArns) == 0 {
			continue
		}
		d, err := client.DescribeServices(t.Context(), &ecs.DescribeServicesInput{Cluster: aws.String(c), Services: arns.ServiceArns, Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags}})
		if err != nil {
			t.Fatal(err)
		}
		cluster := c[strings.LastIndex(c, "/")+1:]
		for _, sv := range d.Services {
			tags := map[string]string{}
			for _, tg := range sv.Tags {
				tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			name := aws.ToString(sv.ServiceName)
			out[name] = demo.Observed{Name: name, State: state(sv.DesiredCount), Marked: marked(tags),
				Capacity: fmt.Sprintf("%d %s", sv.DesiredCount, scaling["service/"+cluster+"/"+name])}
		}
	}
	return out
}

// A step that fails (here the CDK CLI, replaced by one that refuses) ends the demo with a
// non-zero exit code and an error naming the step, and the moto it started is gone.
func TestAFailingStepExitsNonZeroNamingIt(t *testing.T) {
	bin := demoBinary(t)
	cdk := filepath.Join(t.TempDir(), "cdk")
	if err := os.WriteFile(cdk, []byte("#!/bin/sh\necho \"cdk $1: refused (injected failure)\" >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runDemo(t, bin, "-cdk", cdk, "-report", filepath.Join(t.TempDir(), "report.html"))
	if kept := regexp.MustCompile(`kept in (\S+)`).FindStringSubmatch(stdout); kept != nil {
		t.Cleanup(func() { os.RemoveAll(kept[1]) })
	}
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if want := "curfew-demo: step 3 (deploy curfew"; !strings.Contains(stderr, want) || !strings.Contains(stderr, "cdk synth: refused (injected failure)") {
		t.Errorf("stderr does not name the step (%q) and the failure:\n%s", want, stderr)
	}
	if !strings.Contains(stdout, "FAILED after") || strings.Contains(stdout, "==> [4/7]") {
		t.Errorf("progress:\n%s", stdout)
	}
	port := regexp.MustCompile(`moto listening on (127\.0\.0\.1:\d+)`).FindStringSubmatch(stdout)
	if port == nil {
		t.Fatalf("the demo did not say where moto listened:\n%s", stdout)
	}
	if conn, err := net.DialTimeout("tcp", port[1], time.Second); err == nil {
		conn.Close()
		t.Errorf("moto still listens on %s after the demo failed", port[1])
	}
}
