package faultproxy_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/faultproxy"
)

func TestMain(m *testing.M) { emulator.Main(m) }

// start returns a proxy in front of the shared emulator and a config for a fresh account
// reached through the proxy (so the proxy learns its access key).
func start(t *testing.T) (*faultproxy.Proxy, string, aws.Config) {
	t.Helper()
	s := emulator.Shared(t)
	p := faultproxy.For(t, s.URL)
	proxied := *s
	proxied.URL = p.URL
	account := emulator.NewAccountID()
	return p, account, proxied.Account(t, account, "eu-west-1")
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestErrorsTargetOneAccountAndAction(t *testing.T) {
	p, account, cfg := start(t)
	other := emulator.NewAccountID()
	otherCfg := emulator.Shared(t).Account(t, other, "eu-west-1")
	otherCfg.BaseEndpoint = aws.String(p.URL)
	p.Add(faultproxy.Rule{Account: account, Service: "ec2", Action: "DescribeInstances", Kind: faultproxy.Error, Code: "UnauthorizedOperation", Status: 403})

	_, err := ec2.NewFromConfig(cfg).DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{})
	if got := apiCode(err); got != "UnauthorizedOperation" {
		t.Fatalf("DescribeInstances in the faulty account: err = %v, want UnauthorizedOperation", err)
	}
	if _, err := ec2.NewFromConfig(cfg).DescribeVolumes(t.Context(), &ec2.DescribeVolumesInput{}); err != nil {
		t.Errorf("another action in the same account failed: %v", err)
	}
	// The other account's calls pass through untouched. Its key was learned by assuming
	// directly against the emulator, so the proxy attributes it to the default account.
	if _, err := ec2.NewFromConfig(otherCfg).DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{}); err != nil {
		t.Errorf("DescribeInstances in another account failed: %v", err)
	}
	if n := p.Count(account, "sts", "AssumeRole"); n != 0 {
		t.Errorf("AssumeRole attributed to the assumed account %d times; it is signed by the caller", n)
	}
	if n := p.Count(account, "ec2", "DescribeInstances"); n != 1 {
		t.Errorf("counted %d DescribeInstances in %s, want 1 (403 is not retried)", n, account)
	}
}

func TestThrottlingOnceIsRetried(t *testing.T) {
	p, account, cfg := start(t)
	p.Add(faultproxy.Rule{Account: account, Service: "rds", Action: "DescribeDBInstances", Kind: faultproxy.Error, Code: "Throttling", Times: 1})
	if _, err := rds.NewFromConfig(cfg).DescribeDBInstances(t.Context(), &rds.DescribeDBInstancesInput{}); err != nil {
		t.Fatalf("one throttle should be retried away: %v", err)
	}
	if n := p.Count(account, "rds", "DescribeDBInstances"); n != 2 {
		t.Errorf("calls = %d, want 2 (a throttle and its retry)", n)
	}
}

func TestJSONProtocolErrorAndReset(t *testing.T) {
	p, account, cfg := start(t)
	p.Add(faultproxy.Rule{Account: account, Service: "ce", Action: "GetCostForecast", Kind: faultproxy.Error, Code: "DataUnavailableException"})
	_, err := costexplorer.NewFromConfig(cfg).GetCostForecast(t.Context(), &costexplorer.GetCostForecastInput{
		Granularity: cetypes.GranularityMonthly, Metric: cetypes.MetricUnblendedCost,
		TimePeriod: &cetypes.DateInterval{Start: aws.String("2026-11-27"), End: aws.String("2026-12-01")},
	})
	if got := apiCode(err); got != "DataUnavailableException" {
		t.Errorf("GetCostForecast err = %v, want DataUnavailableException", err)
	}

	p.Add(faultproxy.Rule{Account: account, Service: "ec2", Action: "DescribeRegions", Kind: faultproxy.Reset})
	if _, err := ec2.NewFromConfig(cfg).DescribeRegions(t.Context(), &ec2.DescribeRegionsInput{}); err == nil {
		t.Error("DescribeRegions through a reset connection succeeded")
	}
}

func TestDelay(t *testing.T) {
	p, account, cfg := start(t)
	p.Add(faultproxy.Rule{Account: account, Action: "DescribeVolumes", Kind: faultproxy.Delay, Delay: 300 * time.Millisecond})
	begin := time.Now()
	if _, err := ec2.NewFromConfig(cfg).DescribeVolumes(t.Context(), &ec2.DescribeVolumesInput{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d < 300*time.Millisecond {
		t.Errorf("answered after %s, want at least 300ms", d)
	}
}

// A rewrite rule answers the emulator's answer as rewritten, to the matching calls only.
func TestRewrite(t *testing.T) {
	p, account, cfg := start(t)
	p.Add(faultproxy.Rule{Account: account, Service: "ec2", Action: "DescribeRegions", Kind: faultproxy.Rewrite,
		Rewrite: func(_ faultproxy.Call, body []byte) []byte {
			return bytes.ReplaceAll(body, []byte("<regionName>eu-west-1</regionName>"), []byte("<regionName>eu-rewritten-1</regionName>"))
		}})
	client := ec2.NewFromConfig(cfg)
	out, err := client.DescribeRegions(t.Context(), &ec2.DescribeRegionsInput{RegionNames: []string{"eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Regions) != 1 || aws.ToString(out.Regions[0].RegionName) != "eu-rewritten-1" {
		t.Errorf("regions %+v, want eu-west-1 rewritten", out.Regions)
	}
	if _, err := client.DescribeVolumes(t.Context(), &ec2.DescribeVolumesInput{}); err != nil {
		t.Errorf("another action: %v", err)
	}
	if c := p.Calls(); c[len(c)-2].Fault != faultproxy.Rewrite || c[len(c)-1].Fault != 0 {
		t.Errorf("calls %+v, want the rewritten one marked", c)
	}
}

// An API moto lacks (Lambda's GetAccountSettings answers 404 there) is answered by the
// proxy, matched on the REST path, and the SDK decodes the answer.
func TestAnswer(t *testing.T) {
	p, account, cfg := start(t)
	p.Add(faultproxy.Rule{Account: account, Service: "lambda", Kind: faultproxy.Answer,
		Match: func(c faultproxy.Call) bool { return strings.Contains(c.Path, "/account-settings") },
		Body:  `{"AccountLimit":{"ConcurrentExecutions":10,"UnreservedConcurrentExecutions":10}}`})
	out, err := lambda.NewFromConfig(cfg).GetAccountSettings(t.Context(), &lambda.GetAccountSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.AccountLimit.ConcurrentExecutions; got != 10 {
		t.Errorf("ConcurrentExecutions = %d, want the answer's 10", got)
	}
	if n := p.Count(account, "lambda", ""); n != 1 {
		t.Errorf("counted %d Lambda calls, want 1", n)
	}
}

// The Cost Explorer APIs moto lacks are answered in the documented shape, for the period
// asked, as the real client reads them.
func TestCostExplorerAnswers(t *testing.T) {
	p, account, cfg := start(t)
	p.Add(faultproxy.CostForecast(account, 123.4), faultproxy.SavingsPlansCoverage(account, 40))
	ce := costexplorer.NewFromConfig(cfg)
	period := &cetypes.DateInterval{Start: aws.String("2026-11-27"), End: aws.String("2026-12-01")}
	f, err := ce.GetCostForecast(t.Context(), &costexplorer.GetCostForecastInput{
		Granularity: cetypes.GranularityMonthly, Metric: cetypes.MetricAmortizedCost, TimePeriod: period})
	if err != nil || aws.ToString(f.Total.Amount) != "123.40" || aws.ToString(f.ForecastResultsByTime[0].TimePeriod.End) != "2026-12-01" {
		t.Errorf("GetCostForecast = %+v, %v; want 123.40 for the period asked", f, err)
	}
	c, err := ce.GetSavingsPlansCoverage(t.Context(), &costexplorer.GetSavingsPlansCoverageInput{TimePeriod: period})
	if err != nil || aws.ToString(c.SavingsPlansCoverages[0].Coverage.SpendCoveredBySavingsPlans) != "40" {
		t.Errorf("GetSavingsPlansCoverage = %+v, %v; want 40 of 100 covered", c, err)
	}
}

// AssumeRoleInto refuses the role of one account, whoever asks, and no other account's.
func TestAssumeRoleIntoOneAccount(t *testing.T) {
	s := emulator.Shared(t)
	p := faultproxy.For(t, s.URL)
	refused, other := emulator.NewAccountID(), emulator.NewAccountID()
	p.Add(faultproxy.AssumeRoleInto(refused, faultproxy.Rule{Kind: faultproxy.Error, Code: "AccessDenied", Status: 403}))
	via := emulator.Connect(p.URL)
	if _, err := via.AccountConfig(t.Context(), refused, "eu-west-1"); apiCode(err) != "AccessDenied" {
		t.Errorf("AssumeRole into %s: err = %v, want AccessDenied", refused, err)
	}
	if _, err := via.AccountConfig(t.Context(), other, "eu-west-1"); err != nil {
		t.Errorf("AssumeRole into another account: %v", err)
	}
}
