package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/notify"
)

// S3API is the part of the S3 client the publisher uses.
type S3API interface {
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

var _ S3API = (*s3.Client)(nil)

// ErrNoSlack means the Slack webhook parameter does not exist: Slack is not set up.
var ErrNoSlack = notify.ErrNoSlack

// Publisher sends a finished report to its readers.
type Publisher struct {
	S3 S3API
	// SNS and SSM are what notify sends with: the report's messages go through it.
	SNS notify.SNSAPI
	// SSM reads the Slack webhook URL; unused when SlackParameter is empty.
	SSM notify.SSMAPI
	// HTTP posts to Slack.
	HTTP *http.Client
	// Bucket receives the HTML report under reports/.
	Bucket string
	// Region is the bucket's, for the console URL of the report.
	Region string
	// TopicARN receives the plain-text summary.
	TopicARN string
	// SlackParameter optionally names the SSM SecureString parameter holding a Slack
	// incoming-webhook URL.
	SlackParameter string
}

// StoreHTML writes the HTML report at key and returns where it can be read: its s3://
// address and its page in the S3 console. No presigned link: one signed by the Lambda's
// role dies with the role's temporary credentials (hours at most, whatever expiry it
// names), and a link that outlives them would need a long-lived access key in the
// function, a secret to rotate and a bearer token in every mailbox. The console and the
// CLI sign each read with the reader's own credentials, for as long as the report is
// kept (the bucket's lifecycle rule), so the text never promises a validity. Nor is the
// page mailed whole: SNS email is plain text, with no HTML body or attachment; that would
// take SES (a verified sender, production access) for a page whose readers all have the
// summary already.
func (p Publisher) StoreHTML(ctx context.Context, key string, page []byte) Link {
	_, err := p.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:       aws.String(p.Bucket),
		Key:          aws.String(key),
		Body:         bytes.NewReader(page),
		ContentType:  aws.String("text/html; charset=utf-8"),
		CacheControl: aws.String("private, max-age=86400"),
	})
	if err != nil {
		return Link{Err: fmt.Errorf("put s3://%s/%s: %w", p.Bucket, key, err)}
	}
	return Link{Location: fmt.Sprintf("s3://%s/%s", p.Bucket, key), Console: ConsoleURL(p.Region, p.Bucket, key)}
}

// ConsoleURL is the object's page in the S3 console, whose Open button shows the page
// signed with the signed-in reader's own credentials.
func ConsoleURL(region, bucket, key string) string {
	q := url.Values{"region": {region}, "bucketType": {"general"}, "prefix": {key}}
	return fmt.Sprintf("https://%s.console.aws.amazon.com/s3/object/%s?%s", region, url.PathEscape(bucket), q.Encode())
}

// sentPrefix holds the delivery markers: reports/sent/<delivery>/<channel>.
const sentPrefix = "reports/sent/"

// Delivered returns the channels a delivery already reached, from its markers.
func (p Publisher) Delivered(ctx context.Context, delivery string) (map[Channel]bool, error) {
	prefix := sentPrefix + delivery + "/"
	out, err := p.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(p.Bucket), Prefix: aws.String(prefix)})
	if err != nil {
		return nil, fmt.Errorf("list the delivery markers s3://%s/%s: %w", p.Bucket, prefix, err)
	}
	sent := map[Channel]bool{}
	for _, o := range out.Contents {
		sent[Channel(strings.TrimPrefix(aws.ToString(o.Key), prefix))] = true
	}
	return sent, nil
}

// ErrAlreadyMarked means another invocation marked the same delivery first: the channel
// got the report twice.
var ErrAlreadyMarked = errors.New("already marked as delivered")

// MarkDelivered records that a delivery reached a channel. The write is conditional
// (If-None-Match: *): the first marker stays, and a second answers ErrAlreadyMarked.
func (p Publisher) MarkDelivered(ctx context.Context, delivery string, c Channel, at time.Time) error {
	key := sentPrefix + delivery + "/" + string(c)
	body, err := json.Marshal(map[string]string{"delivery": delivery, "channel": string(c), "sent": at.UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	_, err = p.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(p.Bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentType: aws.String("application/json"), IfNoneMatch: aws.String("*"),
	})
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "PreconditionFailed" || api.ErrorCode() == "ConditionalRequestConflict") {
		return fmt.Errorf("mark s3://%s/%s: %w", p.Bucket, key, ErrAlreadyMarked)
	}
	if err != nil {
		return fmt.Errorf("mark s3://%s/%s: %w", p.Bucket, key, err)
	}
	return nil
}

// Notify publishes the plain-text summary to the topic, for email subscribers.
func (p Publisher) Notify(ctx context.Context, subject, text string) error {
	return p.NotifyOwner(ctx, "", subject, text)
}

// OwnerAttribute is the message attribute that carries an owner's address on the
// messages meant for that owner alone. The topic's subscriptions filter on it (see
// cdk.ownerFilter): the report's recipients take the messages without it, and each
// owner's address those with its own address.
const OwnerAttribute = accounts.OwnerMessageAttribute

// NotifyOwner publishes an owner's summary to the topic, marked with OwnerAttribute so
// that only the owner's subscription delivers it; an empty owner publishes the whole
// report's, unmarked.
func (p Publisher) NotifyOwner(ctx context.Context, owner, subject, text string) error {
	return notify.Publish(ctx, p.SNS, p.TopicARN, owner, subject, text)
}

// Slack posts the summary to the incoming webhook whose URL is in SlackParameter, as a
// code block so that its columns line up, followed by the link. It returns an error
// wrapping ErrNoSlack when the parameter does not exist.
func (p Publisher) Slack(ctx context.Context, subject, text string, link Link) error {
	return p.SlackTo(ctx, p.SlackParameter, subject, text, link)
}

// SlackTo posts as Slack does, to the webhook whose URL is in the named parameter: an
// owner's (accounts.OwnerParameterPrefix) or the report's own.
func (p Publisher) SlackTo(ctx context.Context, parameter, subject, text string, link Link) error {
	msg := "*" + notify.Escape(subject) + "*\n```\n" + notify.Escape(text) + "```"
	if link.Console != "" {
		msg += fmt.Sprintf("\n<%s|Charts, top services and details> (%s; %s)",
			notify.Escape(link.Console), ReadersNote, notify.Escape(link.Location))
	}
	return notify.Slack{SSM: p.SSM, HTTP: p.HTTP}.Post(ctx, parameter, msg)
}

// SlackHost is the only host the cost report posts to: Slack's incoming webhooks.
const SlackHost = notify.SlackHost
