package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/lambdarun"
)

//go:embed c7n/policy.yml c7n/accounts.yml.tmpl
var c7nFiles embed.FS

// The race's fleet, kept moderate: moto's DescribeInstances slows with the instances of
// an account×region (about 200 ms at 100), which would time moto rather than the tools.
const (
	raceAccounts  = 3
	raceInstances = 20 // per account×region, raceSkipped of them tagged curfew:skip=true
	raceSkipped   = 2
	raceAMI       = "ami-12c6146b" // one of moto's default images
)

var raceRegions = []string{"eu-west-1", "eu-central-1"}

// c7nOrg is Cloud Custodian's multi-account runner in the bench's virtual environment.
const c7nOrg = ".tools/bench-venv/bin/c7n-org"

// raceRun is one timed run of one tool over a fresh fleet.
type raceRun struct {
	tool  string
	took  time.Duration
	calls map[string]int // service:Action -> calls seen by the proxy
}

// partRace is part 3: Cloud Custodian (c7n-org) and curfew's shutdown Lambda, each over a
// fresh identical fleet in moto behind faultproxy, runs alternating.
func partRace(ctx context.Context, t *table, runs int) ([]string, error) {
	if _, err := os.Stat(c7nOrg); err != nil {
		return nil, fmt.Errorf("%s is missing: `make bench` installs bench/requirements.txt into .tools/bench-venv", c7nOrg)
	}
	root, rie, err := rieTools(ctx)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "curfew-bench-race-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	bootstrap := filepath.Join(work, "shutdown", "bootstrap")
	if err := lambdarun.BuildFor(ctx, root, "shutdown", runtime.GOARCH, bootstrap); err != nil {
		return nil, err
	}
	shutdown := lambdarun.Options{Name: "shutdown", Root: root, Binary: bootstrap, Emulator: rie}
	server, err := emulator.Start(ctx)
	if err != nil {
		return nil, err
	}
	defer server.Close()
	proxy, err := faultproxy.New(server.URL)
	if err != nil {
		return nil, err
	}
	defer proxy.Close()
	homeID := emulator.NewAccountID()
	home, err := assumeThrough(ctx, proxy.URL, homeID)
	if err != nil {
		return nil, err
	}

	var all []raceRun
	for i := range runs {
		order := []string{"c7n", "curfew"}
		if i%2 == 1 {
			slices.Reverse(order)
		}
		for _, tool := range order {
			f, err := newRaceFleet(ctx, server, homeID)
			if err != nil {
				return nil, err
			}
			proxy.Clear()
			var took time.Duration
			if tool == "c7n" {
				took, err = runC7n(ctx, filepath.Join(work, fmt.Sprintf("c7n-%d", i)), proxy.URL, home, f.m)
			} else {
				took, err = runCurfew(ctx, shutdown, proxy.URL, home, f.m)
			}
			if err != nil {
				return nil, fmt.Errorf("%s, run %d: %w", tool, i+1, err)
			}
			calls := map[string]int{}
			for _, c := range proxy.Calls() {
				calls[c.Service+":"+c.Action]++
			}
			if err := f.check(ctx, server); err != nil {
				return nil, fmt.Errorf("%s, run %d left the fleet wrong: %w", tool, i+1, err)
			}
			all = append(all, raceRun{tool: tool, took: took, calls: calls})
		}
	}

	c7n, curfew := median(all, "c7n"), median(all, "curfew")
	ratio := c7n.Seconds() / curfew.Seconds()
	fleetDesc := fmt.Sprintf("%d accounts × %d regions × %d EC2", raceAccounts, len(raceRegions), raceInstances)
	t.row("3", fmt.Sprintf("c7n-org, median of %d (moto, %s)", runs, fleetDesc),
		fmt.Sprintf("%.2f s, %d AWS calls", c7n.Seconds(), total(lastCalls(all, "c7n"))), "", "")
	t.row("3", fmt.Sprintf("curfew shutdown Lambda (RIE), median of %d, same fleet", runs),
		fmt.Sprintf("%.2f s, %d AWS calls", curfew.Seconds(), total(lastCalls(all, "curfew"))), "", "")
	t.row("3", "c7n-org time / curfew time", fmt.Sprintf("%.1f×", ratio), "≥ 3×", yes(ratio >= 3))
	return []string{
		fmt.Sprintf("part 3: moto 5.2 behind faultproxy, which counted the calls; each run gets a fresh fleet (fresh account ids): %s (%d of them tagged curfew:skip=true) per account×region, "+
			"plus a production account that neither tool may touch; runs alternate (c7n first in odd rounds, curfew first in even ones), and after each run the bench checks that exactly the "+
			"untagged non-production instances are stopped and marked. c7n-org runs bench/c7n/policy.yml (tag, then stop) with -t env:non-production, assuming CurfewScheduler with the ExternalId, "+
			"%d worker processes (its default: 4 per CPU); time is the whole c7n-org process. curfew is the real shutdown binary (built for %s) under the Lambda RIE; time is from the emulator's start "+
			"to the answer, cold start included; curfew also describes RDS instances and Aurora clusters in each pair, which the c7n policy does not. Runs (s): %s. "+
			"Calls of the last run: c7n %s; curfew %s.",
			fleetDesc, raceSkipped, 4*runtime.NumCPU(), runtime.GOARCH, runTimes(all), countsString(lastCalls(all, "c7n")), countsString(lastCalls(all, "curfew"))),
	}, nil
}

// raceFleet is one fresh fleet in moto: raceAccounts non-production accounts and a
// production one, each with its instances.
type raceFleet struct {
	m *accounts.Map
}

func newRaceFleet(ctx context.Context, s *emulator.Server, homeID string) (*raceFleet, error) {
	var ids []string
	for range raceAccounts {
		ids = append(ids, emulator.NewAccountID())
	}
	m, err := benchMap(homeID, ids, raceRegions)
	if err != nil {
		return nil, err
	}
	for _, a := range m.Accounts {
		n := raceInstances
		if a.IsProduction() {
			n = 3
		}
		for _, region := range a.Regions {
			cfg, err := s.AccountConfig(ctx, a.ID, region)
			if err != nil {
				return nil, err
			}
			client := ec2.NewFromConfig(cfg)
			for _, batch := range []struct {
				n    int
				tags []ec2types.Tag
			}{
				{n - raceSkipped, []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("web")}}},
				{raceSkipped, []ec2types.Tag{{Key: aws.String(accounts.SkipTag), Value: aws.String("true")}}},
			} {
				if _, err := client.RunInstances(ctx, &ec2.RunInstancesInput{
					ImageId: aws.String(raceAMI), MinCount: aws.Int32(int32(batch.n)), MaxCount: aws.Int32(int32(batch.n)),
					InstanceType:      ec2types.InstanceTypeT3Micro,
					TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: batch.tags}},
				}); err != nil {
					return nil, fmt.Errorf("launch instances in %s/%s: %w", a.Name, region, err)
				}
			}
		}
	}
	return &raceFleet{m: m}, nil
}

// check says whether exactly the untagged non-production instances are stopped and
// marked, and everything else runs.
func (f *raceFleet) check(ctx context.Context, s *emulator.Server) error {
	for _, a := range f.m.Accounts {
		for _, region := range a.Regions {
			cfg, err := s.AccountConfig(ctx, a.ID, region)
			if err != nil {
				return err
			}
			pages := ec2.NewDescribeInstancesPaginator(ec2.NewFromConfig(cfg), &ec2.DescribeInstancesInput{})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return err
				}
				for _, r := range page.Reservations {
					for _, in := range r.Instances {
						tags := map[string]string{}
						for _, tag := range in.Tags {
							tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
						}
						wantStopped := !a.IsProduction() && tags[accounts.SkipTag] != "true"
						stopped := in.State.Name == ec2types.InstanceStateNameStopped || in.State.Name == ec2types.InstanceStateNameStopping
						if stopped != wantStopped || (tags[accounts.StoppedByRunTag] != "") != wantStopped {
							return fmt.Errorf("%s/%s %s: %s, mark %q", a.Name, region, aws.ToString(in.InstanceId), in.State.Name, tags[accounts.StoppedByRunTag])
						}
					}
				}
			}
		}
	}
	return nil
}

// assumeThrough assumes a role in account through the proxy, so that the proxy learns the
// account of the credentials, and returns them.
func assumeThrough(ctx context.Context, endpoint, account string) (aws.Credentials, error) {
	cfg := aws.Config{Region: raceRegions[0], BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
	out, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(fmt.Sprintf("arn:aws:iam::%s:role/curfew-shutdown", account)), RoleSessionName: aws.String("curfew-bench"),
	})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("assume the home role: %w", err)
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}, nil
}

// awsEnv is the environment both tools run with: the home account's credentials and the
// proxy as endpoint of every service.
func awsEnv(endpoint string, home aws.Credentials) map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL": endpoint, "AWS_REGION": raceRegions[0], "AWS_DEFAULT_REGION": raceRegions[0],
		"AWS_ACCESS_KEY_ID": home.AccessKeyID, "AWS_SECRET_ACCESS_KEY": home.SecretAccessKey, "AWS_SESSION_TOKEN": home.SessionToken,
		"AWS_EC2_METADATA_DISABLED": "true",
	}
}

// runC7n writes the accounts file of m and times one c7n-org run of the policy.
func runC7n(ctx context.Context, dir, endpoint string, home aws.Credentials, m *accounts.Map) (time.Duration, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	policy, err := c7nFiles.ReadFile("c7n/policy.yml")
	if err != nil {
		return 0, err
	}
	tmpl, err := template.New("accounts.yml.tmpl").Funcs(template.FuncMap{"join": strings.Join}).ParseFS(c7nFiles, "c7n/accounts.yml.tmpl")
	if err != nil {
		return 0, err
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, struct {
		ExternalID string
		Accounts   []accounts.Account
	}{m.ExternalID, m.Accounts}); err != nil {
		return 0, err
	}
	accountsFile, policyFile := filepath.Join(dir, "accounts.yml"), filepath.Join(dir, "policy.yml")
	if err := os.WriteFile(accountsFile, []byte(b.String()), 0o644); err != nil {
		return 0, err
	}
	if err := os.WriteFile(policyFile, policy, 0o644); err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, c7nOrg, "run", "-c", accountsFile, "-u", policyFile, "-s", filepath.Join(dir, "out"),
		"-t", "env:non-production", "--cache-period", "0")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	for k, v := range awsEnv(endpoint, home) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("c7n-org: %w\n%s", err, out)
	}
	if strings.Contains(string(out), "Error") || strings.Contains(string(out), "Traceback") {
		return 0, fmt.Errorf("c7n-org reported errors:\n%s", out)
	}
	return took, nil
}

// runCurfew times the shutdown Lambda over m: a cold start and one scheduled invocation.
func runCurfew(ctx context.Context, shutdown lambdarun.Options, endpoint string, home aws.Credentials, m *accounts.Map) (time.Duration, error) {
	env := awsEnv(endpoint, home)
	env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = "300"
	shutdown.Env = env
	shutdown.Map = m
	answer, took, err := coldInvoke(ctx, shutdown, `{"trigger":"schedule"}`)
	var fe *lambdarun.FunctionError
	if errors.As(err, &fe) {
		return 0, fmt.Errorf("the shutdown failed: %s", fe.Message)
	}
	if err != nil {
		return 0, err
	}
	var rep fleet.Report
	if err := json.Unmarshal(answer, &rep); err != nil {
		return 0, fmt.Errorf("the shutdown's answer: %w: %s", err, answer)
	}
	if want := raceAccounts * len(raceRegions) * (raceInstances - raceSkipped); rep.Failed() || rep.Totals.Stopped != want {
		return 0, fmt.Errorf("the shutdown stopped %d of %d: %s", rep.Totals.Stopped, want, answer)
	}
	return took, nil
}

// median is the median time of tool's runs.
func median(runs []raceRun, tool string) time.Duration {
	var d []time.Duration
	for _, r := range runs {
		if r.tool == tool {
			d = append(d, r.took)
		}
	}
	slices.Sort(d)
	if len(d) == 0 {
		return 0
	}
	if len(d)%2 == 1 {
		return d[len(d)/2]
	}
	return (d[len(d)/2-1] + d[len(d)/2]) / 2
}

func lastCalls(runs []raceRun, tool string) map[string]int {
	for _, r := range slices.Backward(runs) {
		if r.tool == tool {
			return r.calls
		}
	}
	return nil
}

func total(calls map[string]int) int {
	n := 0
	for _, v := range calls {
		n += v
	}
	return n
}

// runTimes lists each run's tool and seconds in order.
func runTimes(runs []raceRun) string {
	var parts []string
	for _, r := range runs {
		parts = append(parts, fmt.Sprintf("%s %.2f", r.tool, r.took.Seconds()))
	}
	return strings.Join(parts, ", ")
}
