package snoozelink_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/curfew/curfew/internal/accounts"
	"github.com/curfew/curfew/internal/emulator"
	"github.com/curfew/curfew/internal/snoozelink"
)

func TestMain(m *testing.M) { emulator.Main(m) }

const west = "eu-west-1"

// mapYAML is the links' world: home (production, where curfew and the history bucket
// are), staging (swept), production, and archive (non-production, shutdown off).
const mapYAML = `
identity: home
home: home
homeRegion: eu-west-1
externalId: curfew-link-external-id
ci: {user: ci-deployer, acceptStaticKeys: true}
schedule:
  timezone: Europe/Madrid
  stop: {at: "20:00", days: [MON-FRI]}
  start: {at: "07:30", days: [MON-FRI]}
costReport: {at: "08:00", days: [MON], recipients: [platform@example.com]}
accounts:
  - {name: home, id: "%s", environment: production}
  - {name: staging, id: "%s", environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess]}
  - {name: production, id: "%s", environment: production, regions: [eu-west-1], developerPolicies: [ReadOnlyAccess], ciPolicies: [ReadOnlyAccess]}
  - {name: archive, id: "%s", environment: non-production, regions: [eu-west-1], developerPolicies: [PowerUserAccess], ciPolicies: [PowerUserAccess], shutdown: false}
`

// The night of the tests: the heads-up went out on Wednesday 25 Nov 2026 at 19:30 in
// Madrid, for the stop at 20:00; the link is followed at 19:35; it keeps the resources up
// until Thursday's 07:30 start.
var (
	sent     = time.Date(2026, 11, 25, 18, 30, 0, 0, time.UTC)
	followed = time.Date(2026, 11, 25, 18, 35, 0, 0, time.UTC)
	stopAt   = time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	morning  = time.Date(2026, 11, 26, 6, 30, 0, 0, time.UTC)
)

// untilTag is the snooze's end as the link writes it: in the schedule's zone.
const untilTag = "2026-11-26T07:30:00+01:00"

// world is the map's accounts in moto, each fresh for the test, with the history bucket
// and the signing key in home.
type world struct {
	t      *testing.T
	s      *emulator.Server
	m      *accounts.Map
	bucket string
	key    []byte
	s3     *s3.Client
	issuer *snoozelink.S3Issuer
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOf(t, mapYAML)
}

// newWorldOf is the world of a map like mapYAML (its four account ids to fill in).
func newWorldOf(t *testing.T, yaml string) *world {
	t.Helper()
	s := emulator.Shared(t)
	m := emulator.FreshMap(t, yaml, 4)
	w := &world{t: t, s: s, m: m, bucket: "curfew-runs-" + m.HomeAccount().ID}
	home := w.config("home")
	w.s3 = emulator.S3(home)
	emulator.Bucket(t, w.s3, w.bucket)
	var err error
	if w.key, err = snoozelink.EnsureKey(t.Context(), ssm.NewFromConfig(home)); err != nil {
		t.Fatal(err)
	}
	if w.issuer, err = snoozelink.NewIssuer(w.key, w.s3, w.bucket, "https://links.example.test/"); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) account(name string) accounts.Account {
	a, ok := w.m.Account(name)
	if !ok {
		w.t.Fatalf("no account %s", name)
	}
	return a
}

func (w *world) config(account string) aws.Config {
	return w.s.Account(w.t, w.account(account).ID, west)
}

func (w *world) ec2(account string) *ec2.Client { return ec2.NewFromConfig(w.config(account)) }
func (w *world) rds(account string) *rds.Client { return rds.NewFromConfig(w.config(account)) }

// db creates an RDS instance and returns its ARN.
func (w *world) db(account, name string) string {
	w.t.Helper()
	out, err := w.rds(account).CreateDBInstance(w.t.Context(), &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(name), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t3.micro"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("curfew"), MasterUserPassword: aws.String("curfew-secret-1"),
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return aws.ToString(out.DBInstance.DBInstanceArn)
}

func (w *world) dbTags(account, arn string) map[string]string {
	w.t.Helper()
	out, err := w.rds(account).ListTagsForResource(w.t.Context(), &rds.ListTagsForResourceInput{ResourceName: aws.String(arn)})
	if err != nil {
		w.t.Fatal(err)
	}
	return rdsTags(out.TagList)
}

func rdsTags(list []rdstypes.Tag) map[string]string {
	tags := map[string]string{}
	for _, t := range list {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags
}

// link is tonight's link for account's targets.
func (w *world) link(account string, targets ...snoozelink.Target) snoozelink.Link {
	a := w.account(account)
	return snoozelink.Link{Account: a.Name, AccountID: a.ID, Resources: targets, Stop: stopAt, Until: morning, Sent: sent}
}

func (w *world) issue(l snoozelink.Link) string {
	w.t.Helper()
	u, err := w.issuer.Issue(w.t.Context(), l)
	if err != nil {
		w.t.Fatal(err)
	}
	return u
}

// Requests as a Lambda function URL passes them on.
func get(t *testing.T, link string) events.LambdaFunctionURLRequest {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return request("GET", u.RawQuery, "")
}

// post is the confirmation page's form: function URLs pass a form's body base64-encoded.
func post(t *testing.T, link string) events.LambdaFunctionURLRequest {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	body := url.Values{"t": {u.Query().Get("t")}}.Encode()
	r := request("POST", u.RawQuery, base64.StdEncoding.EncodeToString([]byte(body)))
	r.IsBase64Encoded = true
	r.Headers["content-type"] = "application/x-www-form-urlencoded"
	return r
}

func request(method, query, body string) events.LambdaFunctionURLRequest {
	q, _ := url.ParseQuery(query)
	params := map[string]string{}
	for k := range q {
		params[k] = q.Get(k)
	}
	return events.LambdaFunctionURLRequest{
		RawPath: "/", RawQueryString: query, QueryStringParameters: params, Body: body,
		Headers: map[string]string{"user-agent": "test"},
		RequestContext: events.LambdaFunctionURLRequestContext{
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: method, Path: "/", SourceIP: "198.51.100.7"},
		},
	}
}

// invoker answers a request: the function under the emulator, or a handler in process.
type invoker func(ctx context.Context, r events.LambdaFunctionURLRequest) events.LambdaFunctionURLResponse

func decodeResponse(t *testing.T, raw []byte) events.LambdaFunctionURLResponse {
	t.Helper()
	var resp events.LambdaFunctionURLResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatalf("answer %s: %v", raw, err)
	}
	return resp
}
