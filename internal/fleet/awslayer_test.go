package fleet_test

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"time"

	"github.com/curfew/curfew/internal/faultproxy"
)

// Where moto 5.2.5 falls short of AWS, these rewrite rules of the proxy in front of it
// answer as AWS documents it:
//
//   - EC2 Instance.LaunchTime is "the time that the instance was last launched": AWS sets it
//     on every start; moto keeps the first launch's time.
//   - EC2 instances in moto go from pending to running at once; AWS shows them pending
//     for a while (instanceState code 0).
//   - RDS DB instances and clusters in moto are never backing-up, modifying, ...; on AWS a
//     backup or a change keeps them there for minutes.
//   - RDS records a notification event each time a database starts (RDS-EVENT-0088,
//     RDS-EVENT-0151; DescribeEvents answers "DB instance started", "DB cluster started")
//     and other notifications (RDS-EVENT-0044, "Operator-issued notification", free text);
//     moto records none.
//
// Each rule names one resource, so the others of the fleet answer as moto does.

// launchedAt answers id's LaunchTime as at, as AWS does after a start at that time.
func launchedAt(id string, at time.Time) faultproxy.Rule {
	return faultproxy.Rule{Service: "ec2", Action: "DescribeInstances", Kind: faultproxy.Rewrite,
		Rewrite: rewriteAfter("<instanceId>"+id+"</instanceId>", `<launchTime>[^<]*</launchTime>`,
			"<launchTime>"+at.UTC().Format("2006-01-02T15:04:05.000Z")+"</launchTime>")}
}

// pending answers the EC2 instance id as pending.
func pending(id string) faultproxy.Rule {
	return faultproxy.Rule{Service: "ec2", Action: "DescribeInstances", Kind: faultproxy.Rewrite,
		Rewrite: rewriteAfter("<instanceId>"+id+"</instanceId>", `<instanceState>.*?</instanceState>`,
			"<instanceState><code>0</code><name>pending</name></instanceState>")}
}

// dbStatus answers the DB instance id with status.
func dbStatus(id, status string) faultproxy.Rule {
	return faultproxy.Rule{Service: "rds", Action: "DescribeDBInstances", Kind: faultproxy.Rewrite,
		Rewrite: rewriteAfter("<DBInstanceIdentifier>"+id+"</DBInstanceIdentifier>", `<DBInstanceStatus>[^<]*</DBInstanceStatus>`,
			"<DBInstanceStatus>"+status+"</DBInstanceStatus>")}
}

// clusterStatus answers the Aurora cluster id with status.
func clusterStatus(id, status string) faultproxy.Rule {
	return faultproxy.Rule{Service: "rds", Action: "DescribeDBClusters", Kind: faultproxy.Rewrite,
		Rewrite: rewriteAfter("<DBClusterIdentifier>"+id+"</DBClusterIdentifier>", `<Status>[^<]*</Status>`,
			"<Status>"+status+"</Status>")}
}

// startedEvent adds to the RDS events of a database (sourceType db-instance or db-cluster)
// the notification RDS records when it has started, at time at, in the words
// DescribeEvents answers it with ("DB instance started", "DB cluster started").
func startedEvent(sourceType, id string, at time.Time) faultproxy.Rule {
	what := map[string]string{"db-instance": "DB instance", "db-cluster": "DB cluster"}[sourceType]
	return notified(sourceType, id, notice{at, what + " started"})
}

// notice is one of RDS's notifications: its time and its message.
type notice struct {
	at      time.Time
	message string
}

// notified adds notifications to the RDS events of a database (sourceType db-instance or
// db-cluster), in the shape DescribeEvents answers them: category notification, a date
// with milliseconds.
func notified(sourceType, id string, notices ...notice) faultproxy.Rule {
	var events strings.Builder
	for _, n := range notices {
		fmt.Fprintf(&events, `<Event><SourceIdentifier>%s</SourceIdentifier><SourceType>%s</SourceType><Message>%s</Message>`+
			`<EventCategories><EventCategory>notification</EventCategory></EventCategories><Date>%s</Date></Event>`,
			id, sourceType, html.EscapeString(n.message), n.at.UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	return faultproxy.Rule{Service: "rds", Action: "DescribeEvents", Kind: faultproxy.Rewrite,
		Match: func(c faultproxy.Call) bool { return c.Params.Get("SourceIdentifier") == id },
		Rewrite: func(_ faultproxy.Call, body []byte) []byte {
			body = bytes.Replace(body, []byte("<Events/>"), []byte("<Events></Events>"), 1)
			return bytes.Replace(body, []byte("</Events>"), []byte(events.String()+"</Events>"), 1)
		}}
}

// rewriteAfter replaces the first match of pattern after anchor in an answer, that is in
// the anchor's element when the pattern names one of its fields.
func rewriteAfter(anchor, pattern, replacement string) func(faultproxy.Call, []byte) []byte {
	re := regexp.MustCompile(pattern)
	return func(_ faultproxy.Call, body []byte) []byte {
		i := bytes.Index(body, []byte(anchor))
		if i < 0 {
			return body
		}
		rest := body[i:]
		loc := re.FindIndex(rest)
		if loc == nil {
			return body
		}
		out := append([]byte{}, body[:i]...)
		out = append(out, rest[:loc[0]]...)
		out = append(out, replacement...)
		return append(out, rest[loc[1]:]...)
	}
}

// chain makes one rule of rewrite rules of the same call: the proxy applies one rule to a
// call.
func chain(rules ...faultproxy.Rule) faultproxy.Rule {
	r := rules[0]
	r.Rewrite = func(c faultproxy.Call, body []byte) []byte {
		for _, x := range rules {
			body = x.Rewrite(c, body)
		}
		return body
	}
	return r
}
