// Package notify sends curfew's messages to people: to the topic (an owner's marked with
// the owner's address, which only that owner's subscription takes) and to Slack incoming
// webhooks whose URLs are SSM SecureString parameters. The cost report (package report)
// and the heads-up (package headsup) send through it; it is small on purpose, so that a
// function that sends a message does not carry the cost report's charts and prices.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/curfew/curfew/internal/accounts"
)

// SNSAPI is the part of the SNS client a message to the topic uses.
type SNSAPI interface {
	Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SSMAPI is the part of the SSM client that reads a webhook's parameter.
type SSMAPI interface {
	GetParameter(context.Context, *ssm.GetParameterInput, ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

var (
	_ SNSAPI = (*sns.Client)(nil)
	_ SSMAPI = (*ssm.Client)(nil)
)

// ErrNoSlack means the Slack webhook parameter does not exist: Slack is not set up.
var ErrNoSlack = errors.New("no Slack webhook parameter")

// SlackHost is the only host curfew posts to: Slack's incoming webhooks.
const SlackHost = "hooks.slack.com"

// Publish publishes subject and text to the topic, marked with
// accounts.OwnerMessageAttribute when owner is not empty, so that only the owner's
// subscription delivers it; unmarked, it reaches the subscriptions of no owner.
func Publish(ctx context.Context, client SNSAPI, topicARN, owner, subject, text string) error {
	in := &sns.PublishInput{
		TopicArn: aws.String(topicARN),
		Subject:  aws.String(subject),
		Message:  aws.String(text),
	}
	if owner != "" {
		in.MessageAttributes = map[string]snstypes.MessageAttributeValue{
			accounts.OwnerMessageAttribute: {DataType: aws.String("String"), StringValue: aws.String(owner)},
		}
	}
	if _, err := client.Publish(ctx, in); err != nil {
		return fmt.Errorf("publish to %s: %w", topicARN, err)
	}
	return nil
}

// Slack posts to incoming webhooks whose URLs are in SSM parameters.
type Slack struct {
	SSM SSMAPI
	// HTTP posts to Slack; http.Client's defaults when nil.
	HTTP *http.Client
}

// Post posts a message already in Slack's format (escaped with Escape, links as
// <url|label>) to the webhook whose URL is in the named parameter. It returns an error
// wrapping ErrNoSlack when the parameter does not exist; the webhook's URL, a secret,
// is in no error.
func (s Slack) Post(ctx context.Context, parameter, msg string) error {
	return s.post(ctx, parameter, map[string]any{"text": msg})
}

// PostBlocks posts a message of Slack's blocks (Block Kit) as Post does, with text, in
// Slack's format, for notifications and clients that show no blocks.
func (s Slack) PostBlocks(ctx context.Context, parameter, text string, blocks json.RawMessage) error {
	return s.post(ctx, parameter, map[string]any{"text": text, "blocks": blocks})
}

func (s Slack) post(ctx context.Context, parameter string, msg map[string]any) error {
	webhook, err := s.webhook(ctx, parameter)
	if err != nil {
		return err
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhook, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("slack webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := http.Client{}
	if s.HTTP != nil {
		client = *s.HTTP
	}
	// A redirect would carry the message to a host other than Slack's: answer it as the
	// failure it is.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		// The URL is a secret: keep it out of the error.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("post to the Slack webhook: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("post to the Slack webhook: HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(answer)))
	}
	return nil
}

// webhook reads the webhook URL; the parameter must be a SecureString holding an https
// URL on SlackHost.
func (s Slack) webhook(ctx context.Context, parameter string) (string, error) {
	out, err := s.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(parameter), WithDecryption: aws.Bool(true)})
	var missing *ssmtypes.ParameterNotFound
	if errors.As(err, &missing) {
		return "", fmt.Errorf("%w %s", ErrNoSlack, parameter)
	}
	if err != nil {
		return "", fmt.Errorf("read the Slack webhook parameter %s: %w", parameter, err)
	}
	if out.Parameter == nil || out.Parameter.Type != ssmtypes.ParameterTypeSecureString {
		return "", fmt.Errorf("the Slack webhook parameter %s is not a SecureString: store the URL with --type SecureString", parameter)
	}
	// The messages name accounts, their costs and resources: they go to Slack or nowhere.
	u, err := url.Parse(aws.ToString(out.Parameter.Value))
	if err != nil || u.Scheme != "https" || u.Host != SlackHost || u.User != nil {
		return "", fmt.Errorf("the Slack webhook parameter %s does not hold an https://%s/ URL", parameter, SlackHost)
	}
	return u.String(), nil
}

// Escape escapes the three characters Slack's message format gives meaning to.
func Escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
