package runtable

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/curfew/curfew/internal/fleet"
)

var (
	// sdkCall is how the SDK starts the text of a failed call: the service and operation.
	sdkCall = regexp.MustCompile(`operation error ([^:]+): (\w+)`)
	// apiCode is the AWS error code in the SDK's text.
	apiCode = regexp.MustCompile(`api error ([\w.]+)`)
	// httpStatus is the status of an answer without an error code.
	httpStatus = regexp.MustCompile(`StatusCode: (\d+)`)
	// where is the " in account/region" the engine puts after what it was doing: the row
	// says it already.
	where = regexp.MustCompile(` in [^\s/]+/[^\s/:]+$`)
)

// failures merges the failed account×region results that say the same thing of the same
// account into one, listing their regions, so that an account whose role could not be
// assumed reads as one line, not one per region; every other result is kept, in order.
func failures(results []fleet.Result) []fleet.Result {
	var out []fleet.Result
	at := map[string]int{}
	for _, res := range results {
		if res.Status != fleet.Failed {
			out = append(out, res)
			continue
		}
		detail := failureDetail(res)
		key := res.Account + "\x00" + detail
		if i, ok := at[key]; ok {
			out[i].Region += ", " + res.Region
			continue
		}
		at[key] = len(out)
		res.Error, res.Reason = detail, ""
		out = append(out, res)
	}
	return out
}

// failureDetail says in one line why an account×region failed: the engine's own reason
// when it has one (it names the error code), else the cause of its error.
func failureDetail(res fleet.Result) string {
	if res.Reason != "" {
		return res.Reason
	}
	return oneLine(res.Error)
}

// oneLine turns the text of one or more joined errors (one per line) into one line: what
// failed and AWS's error code, without the SDK's request ids, status lines and attempts;
// calls that failed for the same reason are named once, with that reason.
func oneLine(text string) string {
	var order []string
	whats := map[string][]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		what, why := split(line)
		if _, ok := whats[why]; !ok {
			order = append(order, why)
		}
		whats[why] = append(whats[why], what)
	}
	parts := make([]string, 0, len(order))
	for _, why := range order {
		w := whats[why]
		switch {
		case len(w) == 1 && w[0] == "":
			parts = append(parts, why)
		case len(w) == 1:
			parts = append(parts, w[0]+": "+why)
		case len(w) <= 3:
			parts = append(parts, fmt.Sprintf("%s (%s)", why, strings.Join(w, ", ")))
		default:
			parts = append(parts, fmt.Sprintf("%s (%s and %d more calls)", why, strings.Join(w[:2], ", "), len(w)-2))
		}
	}
	return strings.Join(parts, "; ")
}

// split reads one error line as what was being done and why it failed.
func split(line string) (what, why string) {
	call := sdkCall.FindStringSubmatchIndex(line)
	if call == nil {
		return "", line
	}
	what = strings.TrimSuffix(strings.TrimSpace(line[:call[0]]), ":")
	what = where.ReplaceAllString(what, "")
	switch code, status := apiCode.FindStringSubmatch(line), httpStatus.FindStringSubmatch(line); {
	case code != nil:
		why = code[1]
	case status != nil:
		why = "service error " + status[1]
	case strings.Contains(line, "context deadline exceeded"):
		why = "timed out"
	default:
		why = "no answer"
	}
	if what == "" {
		what = line[call[2]:call[3]] + " " + line[call[4]:call[5]]
	}
	return what, why
}
