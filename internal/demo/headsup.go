package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/fleet"
	"github.com/curfew/curfew/internal/headsup"
	"github.com/curfew/curfew/internal/lambdarun"
)

// tonight is the demo's evening after the month: the deployed heads-up schedule's function
// under the RIE at the instant it fires (before the first stop after the cost report),
// planning through curfew-shutdown under the RIE behind a Lambda-API-shaped router; the
// owner's message as the topic's filter delivers it; one of its links followed, to
// curfew-snooze-link under the RIE behind a function-URL-shaped front door (moto's
// CloudFormation makes no function URL): GET shows the page, its button's POST keeps the
// resource up; then the night's stop leaves it running, reported as kept up by the link.
func (d *Demo) tonight(ctx context.Context, w io.Writer) error {
	before, on := d.m.HeadsUpBefore()
	if !on {
		return fmt.Errorf("%w: the account map names no owner: no heads-up is deployed", ErrCheck)
	}
	hu, stop, at, stopAt, err := d.headsUpSchedule(before)
	if err != nil {
		return err
	}
	shutdown, _, err := d.startFunction(ctx, io.Discard, accounts.ShutdownFunction, "shutdown", at, "")
	if err != nil {
		return err
	}
	defer shutdown.Close()
	router := lambdarun.NewRouter(map[string]lambdarun.Invoker{accounts.ShutdownFunction: shutdown})
	routerURL, stopRouter, err := serveLocal(router)
	if err != nil {
		return err
	}
	defer stopRouter()
	link := &lambdarun.Deferred{}
	linkURL, stopLink, err := serveLocal(lambdarun.FunctionURL(link))
	if err != nil {
		return err
	}
	defer stopLink()
	linkURL += "/"

	f, env, err := d.startFunctionWith(ctx, w, accounts.HeadsUpFunction, "heads-up", at, "",
		map[string]string{"AWS_ENDPOINT_URL_LAMBDA": routerURL, "CURFEW_LINK_URL": linkURL})
	if err != nil {
		return err
	}
	defer f.Close()
	inboxes, stopInboxes, err := d.ownerInboxes(ctx, env["CURFEW_TOPIC_ARN"])
	if err != nil {
		return err
	}
	defer stopInboxes()
	answer, err := f.Invoke(ctx, hu.input)
	if err != nil {
		return fmt.Errorf("invoke %s: %w\n%s", accounts.HeadsUpFunction, err, f.Output())
	}
	var sum headsup.Summary
	if err := json.Unmarshal(answer, &sum); err != nil || len(sum.Failures) > 0 || sum.Messages == 0 {
		return fmt.Errorf("%w: the heads-up answered %s\n%s", ErrCheck, answer, f.Output())
	}
	fmt.Fprintf(w, "%s planned the stop of %s (curfew-shutdown's dry run, through the router) and sent %d message(s) with %d link(s)\n",
		accounts.HeadsUpFunction, stopAt.Format("Mon 2 Jan 15:04 MST"), sum.Messages, sum.Links)
	owner := sum.Owners[0].Owner
	in := inboxes[owner]
	if in == nil {
		return fmt.Errorf("%w: the template subscribes no %s to the topic", ErrCheck, owner)
	}
	text, err := in.wait(ctx, 10*time.Second)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s got, by email (the topic's filter on the owner attribute):\n\n%s\n\n", owner, indentLines(text))

	kept, target, err := d.firstResourceLink(text, linkURL)
	if err != nil {
		return err
	}
	lf, _, err := d.startFunctionWith(ctx, w, accounts.SnoozeLinkFunction, "snooze-link", at.Add(5*time.Minute), "", nil)
	if err != nil {
		return err
	}
	defer lf.Close()
	link.Set(lf)
	if err := followLink(ctx, w, target, kept); err != nil {
		return fmt.Errorf("%w\n%s", err, lf.Output())
	}

	rep, err := d.runAt(ctx, accounts.ShutdownFunction, "shutdown", stopAt, stop.input)
	if err != nil {
		return err
	}
	if err := d.checkKeptUp(w, rep, owner, kept, stopAt); err != nil {
		return err
	}
	return d.nextMorning(ctx, w, stopAt)
}

// nextMorning runs the start schedule's function at the first morning after stopAt on
// which every swept account starts (a holiday moves it), so the demo ends with the fleet
// as it was before the night.
func (d *Demo) nextMorning(ctx context.Context, w io.Writer, stopAt time.Time) error {
	var morning time.Time
	for _, a := range d.m.Swept() {
		if next, ok := d.m.ScheduleFor(a).NextStart(stopAt); ok && next.After(morning) {
			morning = next
		}
	}
	if morning.IsZero() {
		return fmt.Errorf("%w: no scheduled morning start after %s", ErrCheck, stopAt)
	}
	rep, err := d.runAt(ctx, accounts.RestartFunction, "restart", morning, d.month.start.input)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "curfew-restart at %s (the next morning start, holidays skipped): %d resources started again\n",
		morning.Format("Mon 2 Jan 15:04 MST"), rep.Totals.Started)
	return nil
}

// headsUpSchedule finds the deployed heads-up schedule and the stop schedule it runs
// ahead of (the same input), and when they fire next after the cost report.
func (d *Demo) headsUpSchedule(before time.Duration) (hu, stop schedule, at, stopAt time.Time, err error) {
	arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", d.m.HomeRegion, d.m.HomeAccount().ID, accounts.HeadsUpFunction)
	i := slices.IndexFunc(d.schedules, func(s schedule) bool { return s.target == arn && s.input == d.month.stop.input })
	if i < 0 {
		return hu, stop, at, stopAt, fmt.Errorf("%w: no deployed schedule invokes %s with the stop schedule's input", ErrCheck, accounts.HeadsUpFunction)
	}
	hu, stop = d.schedules[i], *d.month.stop
	ahead, err := d.m.Schedule.Stop.Before(before)
	if err != nil {
		return hu, stop, at, stopAt, err
	}
	if hu.expression != ahead.Expression() || hu.timezone != stop.timezone {
		return hu, stop, at, stopAt, fmt.Errorf("%w: the heads-up fires at %s %s, want %s %s (%s before the stop)", ErrCheck, hu.expression, hu.timezone, ahead.Expression(), stop.timezone, before)
	}
	loc, err := time.LoadLocation(stop.timezone)
	if err != nil {
		return hu, stop, at, stopAt, err
	}
	stopAt, ok := d.m.Schedule.Stop.Next(d.month.reportAt, loc)
	if !ok {
		return hu, stop, at, stopAt, fmt.Errorf("the stop schedule %s never fires", stop.expression)
	}
	return hu, stop, stopAt.Add(-before), stopAt, nil
}

// ownerInboxes subscribes a local endpoint for each owner's subscription of the template,
// with its filter.
func (d *Demo) ownerInboxes(ctx context.Context, topic string) (map[string]*inbox, func(), error) {
	subs, err := d.topicSubscriptions()
	if err != nil {
		return nil, nil, err
	}
	home, err := d.moto.AccountConfig(ctx, d.m.HomeAccount().ID, d.m.HomeRegion)
	if err != nil {
		return nil, nil, err
	}
	inboxes := map[string]*inbox{}
	var stops []func()
	stopAll := func() {
		for _, s := range stops {
			s()
		}
	}
	for _, s := range subs {
		in, stop, err := subscribe(ctx, sns.NewFromConfig(home), topic, s.filter)
		if err != nil {
			stopAll()
			return nil, nil, err
		}
		stops = append(stops, stop)
		inboxes[s.endpoint] = in
	}
	return inboxes, stopAll, nil
}

// firstResourceLink picks, in the owner's message, the first resource of the demo fleet
// with a link of its own, and that link.
func (d *Demo) firstResourceLink(text, linkURL string) (kept Observed, target string, err error) {
	links := regexp.MustCompile(regexp.QuoteMeta(linkURL) + `\?t=[A-Za-z0-9_.~%-]+`)
	for _, line := range strings.Split(text, "\n") {
		u := links.FindString(line)
		if u == "" {
			continue
		}
		for _, o := range d.state.Morning {
			if o.ID != "" && strings.Contains(line, o.ID) {
				return o, u, nil
			}
		}
	}
	return kept, "", fmt.Errorf("%w: the heads-up carries no link of one resource of the fleet:\n%s", ErrCheck, text)
}

// followLink opens the link as a person does, shows the page, then presses its button.
func followLink(ctx context.Context, w io.Writer, target string, kept Observed) error {
	short := target[:strings.Index(target, "?t=")+3] + "…"
	get, err := fetch(ctx, http.MethodGet, target, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "GET %s → %d (no change: link scanners and previews snooze nothing)\n%s\n", short, get.status, indentLines(pageText(get.body)))
	if get.status != http.StatusOK || !strings.Contains(get.body, kept.ID) {
		return fmt.Errorf("%w: the link's page does not name %s", ErrCheck, kept.ID)
	}
	token := target[strings.Index(target, "?t=")+3:]
	t, err := url.QueryUnescape(token)
	if err != nil {
		return err
	}
	post, err := fetch(ctx, http.MethodPost, target[:strings.Index(target, "?")], url.Values{"t": {t}}.Encode())
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "POST (the page's button) → %d\n%s\n", post.status, indentLines(pageText(post.body)))
	if post.status != http.StatusOK {
		return fmt.Errorf("%w: the link's button answered %d", ErrCheck, post.status)
	}
	again, err := fetch(ctx, http.MethodPost, target[:strings.Index(target, "?")], url.Values{"t": {t}}.Encode())
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "POST again → %d (a link works once)\n\n", again.status)
	if again.status == http.StatusOK {
		return fmt.Errorf("%w: the link applied twice", ErrCheck)
	}
	return nil
}

// checkKeptUp checks the night's report: the resource kept up by the link, the others of
// the night stopped.
func (d *Demo) checkKeptUp(w io.Writer, rep fleet.Report, owner string, kept Observed, stopAt time.Time) error {
	var stopped []string
	var reason string
	for _, r := range rep.Results {
		for _, res := range r.Resources {
			switch {
			case res.ID == kept.ID:
				reason = res.Reason
			case res.Action == fleet.Stopped:
				stopped = append(stopped, res.ID)
			}
		}
	}
	if !strings.Contains(reason, "kept up by the heads-up link") {
		return fmt.Errorf("%w: the night's report says of %s %q, want it kept up by the heads-up link", ErrCheck, kept.ID, reason)
	}
	fmt.Fprintf(w, "curfew-shutdown at %s (the stop schedule's input): %s (%s) %s; %d other resources stopped\n",
		stopAt.Format("Mon 2 Jan 15:04 MST"), kept.Name, kept.ID, reason, len(stopped))
	d.summary.keptUp = fmt.Sprintf("the heads-up told %s what the stop would stop; one click kept %s up", owner, kept.Name)
	return nil
}

// page is an HTTP answer.
type page struct {
	status int
	body   string
}

func fetch(ctx context.Context, method, target, form string) (page, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(form))
	if err != nil {
		return page{}, err
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return page{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return page{resp.StatusCode, string(body)}, err
}

// pageText is a page's headings, paragraphs and list items as a person reads them.
func pageText(body string) string {
	var lines []string
	for _, m := range regexp.MustCompile(`(?s)<(h1|p|li|button)[^>]*>(.*?)</(h1|p|li|button)>`).FindAllStringSubmatch(body, -1) {
		text := strings.Join(strings.Fields(html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[2], ""))), " ")
		if text != "" {
			lines = append(lines, text)
		}
	}
	return strings.Join(lines, "\n")
}

// indentLines indents every line by two spaces.
func indentLines(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

// serveLocal serves h on a local address and returns its URL and how to stop it.
func serveLocal(h http.Handler) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String(), func() { srv.Close() }, nil
}
