package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/curfew/curfew/internal/cost"
)

// fakeAWS answers the STS, EC2 and RDS calls of a shutdown in process, as an
// http.RoundTripper under real SDK clients: the engine runs whole (AssumeRoles, paginators,
// the standard retryer and its backoff), only the network and AWS are replaced. Every
// answer comes after latency; above rate calls a second per account×region×service (with
// a bucket of burst calls) it answers with that service's throttling error, as AWS does.
type fakeAWS struct {
	latency time.Duration
	// draw, when set, replaces latency: each answer comes after a delay it draws (part 5).
	draw  func() time.Duration
	rate  float64 // calls a second per account×region×service; 0 for no throttling
	burst int

	mu        sync.Mutex
	pairs     map[string]*fakePair // account/region
	buckets   map[string]*bucket
	requests  map[string]int // service:Action -> HTTP requests, retries included
	throttled int
}

// fakePair is what one account×region holds.
type fakePair struct {
	instances []*fakeResource
	dbs       []*fakeResource
	clusters  []*fakeResource
}

type fakeResource struct {
	id, state, cluster string
	tags               map[string]string
}

// fakeAccessKeyPrefix starts every access key the fake hands out; the account id follows.
const fakeAccessKeyPrefix = "ASIAFAKE"

func newFakeAWS(latency time.Duration, rate float64, burst int) *fakeAWS {
	return &fakeAWS{latency: latency, rate: rate, burst: burst,
		pairs: map[string]*fakePair{}, buckets: map[string]*bucket{}, requests: map[string]int{}}
}

// add generates the resources of shape s in one account×region: all running or
// available; every s.SkipEvery-th instance is tagged curfew:skip=true.
func (f *fakeAWS) add(account, region string, s shape) {
	p := &fakePair{}
	for i := range s.EC2 {
		tags := map[string]string{"Name": fmt.Sprintf("web-%d", i)}
		if s.SkipEvery > 0 && i%s.SkipEvery == 0 {
			tags["curfew:skip"] = "true"
		}
		p.instances = append(p.instances, &fakeResource{id: fmt.Sprintf("i-%017x", i), state: "running", tags: tags})
	}
	for i := range s.RDS {
		p.dbs = append(p.dbs, &fakeResource{id: fmt.Sprintf("db-%d", i), state: "available", tags: map[string]string{}})
	}
	for i := range s.Aurora {
		id := fmt.Sprintf("aurora-%d", i)
		p.clusters = append(p.clusters, &fakeResource{id: id, state: "available", tags: map[string]string{}})
		p.dbs = append(p.dbs, &fakeResource{id: id + "-1", state: "available", cluster: id, tags: map[string]string{}})
	}
	f.mu.Lock()
	f.pairs[account+"/"+region] = p
	f.mu.Unlock()
}

// requestCounts returns the HTTP requests seen per service:Action, retries included, and
// how many were throttled.
func (f *fakeAWS) requestCounts() (map[string]int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.requests))
	for k, v := range f.requests {
		out[k] = v
	}
	return out, f.throttled
}

// stopped counts the EC2 instances, DB instances and clusters stopped.
func (f *fakeAWS) stopped() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, p := range f.pairs {
		for _, rs := range [][]*fakeResource{p.instances, p.dbs, p.clusters} {
			for _, r := range rs {
				if r.state == "stopped" {
					n++
				}
			}
		}
	}
	return n
}

var credentialScope = regexp.MustCompile(`Credential=([^/]+)/[0-9]{8}/([^/]+)/([^/]+)/aws4_request`)

// RoundTrip answers one SDK request.
func (f *fakeAWS) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil { // a GET (EKS ListClusters) has none
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	m := credentialScope.FindStringSubmatch(req.Header.Get("Authorization"))
	if m == nil {
		return nil, fmt.Errorf("fake AWS: unsigned request %s", form.Get("Action"))
	}
	account := strings.TrimPrefix(m[1], fakeAccessKeyPrefix)
	region, service, action := m[2], m[3], form.Get("Action")
	// JSON protocols name the call in a header (ECS) or by method and path (EKS).
	if target := req.Header.Get("X-Amz-Target"); target != "" {
		_, action, _ = strings.Cut(target, ".")
	}
	if service == "eks" && req.Method == http.MethodGet && req.URL.Path == "/clusters" {
		action = "ListClusters"
	}

	f.mu.Lock()
	f.requests[service+":"+action]++
	ok := f.take(account+"/"+region+"/"+service, time.Now())
	if !ok {
		f.throttled++
	}
	f.mu.Unlock()

	delay := f.latency
	if f.draw != nil {
		delay = f.draw()
	}
	if err := sleep(req.Context(), delay); err != nil {
		return nil, err
	}
	if !ok {
		if service == "ec2" {
			return answer(req, http.StatusServiceUnavailable, ec2Error("RequestLimitExceeded", "Request limit exceeded.")), nil
		}
		return answer(req, http.StatusBadRequest, queryError("Throttling", "Rate exceeded")), nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	status, xml := f.handle(account, region, service, action, form)
	return answer(req, status, xml), nil
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	return cost.WallClock.Sleep(ctx, d)
}

func answer(req *http.Request, status int, body string) *http.Response {
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {contentType(body)}, "X-Amzn-Requestid": {"fake"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// contentType is JSON for the answers of JSON protocols, else XML.
func contentType(body string) string {
	if strings.HasPrefix(body, "{") {
		return "application/json"
	}
	return "text/xml"
}

// bucket is a token bucket: burst calls at once, refilled at the fake's rate.
type bucket struct {
	tokens float64
	last   time.Time
}

// take spends a token of key's bucket at now; false means throttled. Callers hold f.mu.
func (f *fakeAWS) take(key string, now time.Time) bool {
	if f.rate <= 0 {
		return true
	}
	b, ok := f.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(f.burst), last: now}
		f.buckets[key] = b
	}
	b.tokens = min(float64(f.burst), b.tokens+now.Sub(b.last).Seconds()*f.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// handle answers one call that was not throttled. Callers hold f.mu.
func (f *fakeAWS) handle(account, region, service, action string, form url.Values) (int, string) {
	if service == "sts" && action == "AssumeRole" {
		return f.assumeRole(form)
	}
	p := f.pairs[account+"/"+region]
	if p == nil {
		p = &fakePair{}
	}
	switch service + ":" + action {
	case "ec2:DescribeInstances":
		return describeInstances(p, form)
	case "ec2:CreateTags":
		for _, id := range indexed(form, "ResourceId.") {
			if r := find(p.instances, id); r != nil {
				for k, v := range tagsOf(form, "Tag.") {
					r.tags[k] = v
				}
			}
		}
		return http.StatusOK, `<CreateTagsResponse><requestId>fake</requestId><return>true</return></CreateTagsResponse>`
	case "ec2:StopInstances":
		for _, id := range indexed(form, "InstanceId.") {
			if r := find(p.instances, id); r != nil {
				r.state = "stopped"
			}
		}
		return http.StatusOK, `<StopInstancesResponse><requestId>fake</requestId><instancesSet></instancesSet></StopInstancesResponse>`
	case "ec2:StartInstances":
		for _, id := range indexed(form, "InstanceId.") {
			if r := find(p.instances, id); r != nil {
				r.state = "running"
			}
		}
		return http.StatusOK, `<StartInstancesResponse><requestId>fake</requestId><instancesSet></instancesSet></StartInstancesResponse>`
	case "ec2:DeleteTags":
		for _, id := range indexed(form, "ResourceId.") {
			if r := find(p.instances, id); r != nil {
				for k := range tagsOf(form, "Tag.") {
					delete(r.tags, k)
				}
			}
		}
		return http.StatusOK, `<DeleteTagsResponse><requestId>fake</requestId><return>true</return></DeleteTagsResponse>`
	case "rds:DescribeDBInstances":
		return describeDatabases(p.dbs, form, "DescribeDBInstances", "DBInstances", "DBInstance", dbInstanceXML(account, region))
	case "rds:DescribeDBClusters":
		return describeDatabases(p.clusters, form, "DescribeDBClusters", "DBClusters", "DBCluster", clusterXML(account, region))
	case "rds:AddTagsToResource":
		arn := form.Get("ResourceName")
		id := arn[strings.LastIndex(arn, ":")+1:]
		if r := find(slices.Concat(p.dbs, p.clusters), id); r != nil {
			for k, v := range tagsOf(form, "Tags.") {
				r.tags[k] = v
			}
		}
		return http.StatusOK, `<AddTagsToResourceResponse><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></AddTagsToResourceResponse>`
	case "rds:RemoveTagsFromResource":
		arn := form.Get("ResourceName")
		id := arn[strings.LastIndex(arn, ":")+1:]
		if r := find(slices.Concat(p.dbs, p.clusters), id); r != nil {
			for k, v := range form {
				if strings.HasPrefix(k, "TagKeys.") {
					delete(r.tags, v[0])
				}
			}
		}
		return http.StatusOK, `<RemoveTagsFromResourceResponse><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></RemoveTagsFromResourceResponse>`
	case "rds:DescribeEvents":
		// No database was started by anyone since its mark.
		return http.StatusOK, `<DescribeEventsResponse><DescribeEventsResult><Events></Events></DescribeEventsResult>` +
			`<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></DescribeEventsResponse>`
	case "rds:StartDBInstance":
		return setDatabase(p.dbs, form.Get("DBInstanceIdentifier"), "StartDBInstance", "DBInstance", "available")
	case "rds:StartDBCluster":
		return setDatabase(p.clusters, form.Get("DBClusterIdentifier"), "StartDBCluster", "DBCluster", "available")
	case "rds:StopDBInstance":
		return setDatabase(p.dbs, form.Get("DBInstanceIdentifier"), "StopDBInstance", "DBInstance", "stopped")
	case "rds:StopDBCluster":
		return setDatabase(p.clusters, form.Get("DBClusterIdentifier"), "StopDBCluster", "DBCluster", "stopped")
	case "ecs:ListClusters":
		// Nor ECS clusters, nor EKS clusters: one empty page each.
		return http.StatusOK, `{"clusterArns":[]}`
	case "eks:ListClusters":
		return http.StatusOK, `{"clusters":[]}`
	case "autoscaling:DescribeAutoScalingGroups":
		// The generated fleets have no Auto Scaling groups: one empty page.
		return http.StatusOK, `<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult><AutoScalingGroups></AutoScalingGroups>` +
			`</DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>`
	}
	return http.StatusBadRequest, queryError("InvalidAction", "the fake does not answer "+service+":"+action)
}

func (f *fakeAWS) assumeRole(form url.Values) (int, string) {
	parts := strings.Split(form.Get("RoleArn"), ":")
	if len(parts) < 6 {
		return http.StatusBadRequest, queryError("ValidationError", "bad RoleArn")
	}
	expires := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	return http.StatusOK, fmt.Sprintf(`<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>%s%s</AccessKeyId>`+
		`<SecretAccessKey>fake</SecretAccessKey><SessionToken>fake</SessionToken><Expiration>%s</Expiration></Credentials>`+
		`<AssumedRoleUser><Arn>%s</Arn><AssumedRoleId>AROAFAKE:%s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>`+
		`<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></AssumeRoleResponse>`,
		fakeAccessKeyPrefix, parts[4], expires, form.Get("RoleArn"), form.Get("RoleSessionName"))
}

func describeInstances(p *fakePair, form url.Values) (int, string) {
	var states, keys []string
	for i := 1; form.Has(fmt.Sprintf("Filter.%d.Name", i)); i++ {
		switch form.Get(fmt.Sprintf("Filter.%d.Name", i)) {
		case "instance-state-name":
			states = indexed(form, fmt.Sprintf("Filter.%d.Value.", i))
		case "tag-key":
			keys = indexed(form, fmt.Sprintf("Filter.%d.Value.", i))
		}
	}
	var match []*fakeResource
	for _, r := range p.instances {
		if (states == nil || slices.Contains(states, r.state)) && (keys == nil || hasAnyKey(r.tags, keys)) {
			match = append(match, r)
		}
	}
	page, next := paginate(match, form.Get("MaxResults"), form.Get("NextToken"), 1000)
	var b strings.Builder
	b.WriteString(`<DescribeInstancesResponse><requestId>fake</requestId><reservationSet>`)
	for _, r := range page {
		code := 16
		if r.state == "stopped" {
			code = 80
		}
		fmt.Fprintf(&b, `<item><reservationId>r-%s</reservationId><instancesSet><item><instanceId>%s</instanceId>`+
			`<instanceType>t3.micro</instanceType><instanceState><code>%d</code><name>%s</name></instanceState>`+
			`<launchTime>%s</launchTime><rootDeviceType>ebs</rootDeviceType><tagSet>`, r.id[2:], r.id, code, r.state, fakeLaunchTime)
		for k, v := range r.tags {
			fmt.Fprintf(&b, `<item><key>%s</key><value>%s</value></item>`, k, v)
		}
		b.WriteString(`</tagSet></item></instancesSet></item>`)
	}
	b.WriteString(`</reservationSet>`)
	if next != "" {
		fmt.Fprintf(&b, `<nextToken>%s</nextToken>`, next)
	}
	b.WriteString(`</DescribeInstancesResponse>`)
	return http.StatusOK, b.String()
}

// fakeLaunchTime is every instance's last launch, before any run of the bench: the
// restart's check for an instance started (and stopped again) after its mark finds none.
const fakeLaunchTime = "2026-01-01T00:00:00.000Z"

// hasAnyKey says whether tags hold any of keys, as EC2's tag-key filter does.
func hasAnyKey(tags map[string]string, keys []string) bool {
	for _, k := range keys {
		if _, ok := tags[k]; ok {
			return true
		}
	}
	return false
}

func dbInstanceXML(account, region string) func(*fakeResource) string {
	return func(r *fakeResource) string {
		member := ""
		if r.cluster != "" {
			member = "<DBClusterIdentifier>" + r.cluster + "</DBClusterIdentifier>"
		}
		return fmt.Sprintf(`<DBInstanceIdentifier>%s</DBInstanceIdentifier><DBInstanceClass>db.t3.micro</DBInstanceClass>`+
			`<DBInstanceStatus>%s</DBInstanceStatus><DBInstanceArn>arn:aws:rds:%s:%s:db:%s</DBInstanceArn>`+
			`<Engine>postgres</Engine><MultiAZ>false</MultiAZ>%s`, r.id, r.state, region, account, r.id, member)
	}
}

func clusterXML(account, region string) func(*fakeResource) string {
	return func(r *fakeResource) string {
		return fmt.Sprintf(`<DBClusterIdentifier>%s</DBClusterIdentifier><Status>%s</Status>`+
			`<DBClusterArn>arn:aws:rds:%s:%s:cluster:%s</DBClusterArn><Engine>aurora-postgresql</Engine>`+
			`<EngineMode>provisioned</EngineMode>`, r.id, r.state, region, account, r.id)
	}
}

// describeDatabases answers DescribeDBInstances or DescribeDBClusters, 100 a page by default.
func describeDatabases(rs []*fakeResource, form url.Values, op, list, member string, fields func(*fakeResource) string) (int, string) {
	page, next := paginate(rs, form.Get("MaxRecords"), form.Get("Marker"), 100)
	var b strings.Builder
	fmt.Fprintf(&b, `<%sResponse><%sResult><%s>`, op, op, list)
	for _, r := range page {
		fmt.Fprintf(&b, `<%s>%s<TagList>`, member, fields(r))
		for k, v := range r.tags {
			fmt.Fprintf(&b, `<Tag><Key>%s</Key><Value>%s</Value></Tag>`, k, v)
		}
		fmt.Fprintf(&b, `</TagList></%s>`, member)
	}
	fmt.Fprintf(&b, `</%s>`, list)
	if next != "" {
		fmt.Fprintf(&b, `<Marker>%s</Marker>`, next)
	}
	fmt.Fprintf(&b, `</%sResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></%sResponse>`, op, op)
	return http.StatusOK, b.String()
}

// setDatabase answers a stop or start of one database: the change is immediate, since
// the fake answers what the engine asks and no status in between.
func setDatabase(rs []*fakeResource, id, op, member, state string) (int, string) {
	r := find(rs, id)
	if r == nil {
		return http.StatusNotFound, queryError(member+"NotFoundFault", id+" not found")
	}
	r.state = state
	return http.StatusOK, fmt.Sprintf(`<%sResponse><%sResult><%s><Status>%s</Status></%s></%sResult>`+
		`<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></%sResponse>`, op, op, member, state, member, op, op)
}

// paginate returns the page of rs that starts at token (an index), of at most
// maxResults (or def) items, and the next token.
func paginate(rs []*fakeResource, maxResults, token string, def int) ([]*fakeResource, string) {
	size, err := strconv.Atoi(maxResults)
	if err != nil || size <= 0 {
		size = def
	}
	start, _ := strconv.Atoi(token)
	start = min(start, len(rs))
	end := min(start+size, len(rs))
	if end < len(rs) {
		return rs[start:end], strconv.Itoa(end)
	}
	return rs[start:end], ""
}

func find(rs []*fakeResource, id string) *fakeResource {
	for _, r := range rs {
		if r.id == id {
			return r
		}
	}
	return nil
}

// indexed returns the values of prefix1, prefix2, ... in a query-protocol form.
func indexed(form url.Values, prefix string) []string {
	var out []string
	for i := 1; form.Has(prefix + strconv.Itoa(i)); i++ {
		out = append(out, form.Get(prefix+strconv.Itoa(i)))
	}
	return out
}

// tagsOf reads the tags of a form under prefix, in either protocol's shape
// (EC2: Tag.1.Key; RDS: Tags.Tag.1.Key or Tags.member.1.Key).
func tagsOf(form url.Values, prefix string) map[string]string {
	tags := map[string]string{}
	for k, v := range form {
		if strings.HasPrefix(k, prefix) && strings.HasSuffix(k, ".Key") {
			tags[v[0]] = form.Get(strings.TrimSuffix(k, ".Key") + ".Value")
		}
	}
	return tags
}

func ec2Error(code, msg string) string {
	return fmt.Sprintf(`<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>fake</RequestID></Response>`, code, msg)
}

func queryError(code, msg string) string {
	return fmt.Sprintf(`<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fake</RequestId></ErrorResponse>`, code, msg)
}
