package demo

import (
	"context"
	"fmt"
	"io"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/curfew/curfew/internal/faultproxy"
)

// lambdaSettings is Lambda's GetAccountSettings answer for an account at Lambda's usual
// concurrency limit of 1000, in the shape of the Lambda API reference.
const lambdaSettings = `{"AccountLimit":{"TotalCodeSize":80530636800,"CodeSizeUnzipped":262144000,"CodeSizeZipped":52428800,"ConcurrentExecutions":1000,"UnreservedConcurrentExecutions":1000},"AccountUsage":{"TotalCodeSize":0,"FunctionCount":0}}`

// preflight runs `curfew preflight` for every account of the map with the profile the
// account is deployed with, after its bootstrap and before its first deploy, as the
// README's First deploy checklist says; a problem fails the step with the CLI's report.
// moto has no Lambda GetAccountSettings: a fault proxy in front of moto answers it, for
// an account at the usual limit, and passes every other call through.
func (d *Demo) preflight(ctx context.Context, w io.Writer, timed func(string, func() error) error) error {
	proxy, err := faultproxy.New(d.moto.URL)
	if err != nil {
		return err
	}
	defer proxy.Close()
	proxy.Add(faultproxy.Rule{Service: "lambda", Kind: faultproxy.Answer, Body: lambdaSettings,
		Match: func(c faultproxy.Call) bool {
			return strings.HasSuffix(strings.TrimSuffix(c.Path, "/"), "/account-settings")
		}})
	env := append(d.env[:len(d.env):len(d.env)], "AWS_ENDPOINT_URL="+proxy.URL, "AWS_ENDPOINT_URL_STS="+proxy.URL)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(deployParallel)
	for _, a := range d.m.Accounts {
		args := []string{"--map", d.mapPath, "preflight", "--profile", a.Name, "--account", a.Name}
		g.Go(func() error {
			return timed("curfew "+strings.Join(args[2:], " "), func() error {
				return d.commandEnv(gctx, env, "preflight-"+a.Name, d.work, d.cli, args...)
			})
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	fmt.Fprintf(w, "curfew preflight: no problems in %d accounts (moto lacks Lambda's GetAccountSettings: a proxy answered it as for an account at the usual limit, 1000; each report is in logs/preflight-<account>.log of the work directory, kept with -keep)\n",
		len(d.m.Accounts))
	return nil
}
