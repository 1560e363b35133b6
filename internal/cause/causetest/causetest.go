// Package causetest checks that what a person reads carries no raw AWS SDK error text:
// the SDK's wording belongs in the logs (and --debug), a person reads a short cause
// (package cause).
package causetest

import (
	"strings"
	"testing"
)

// SDKText are fragments of the Go SDK's error text that a person should never read: the
// retryer's, the HTTP transport's and the deserialisers' wording, and the request id.
var SDKText = []string{
	"exceeded maximum number of attempts",
	"RequestID:",
	"deserialization failed",
	"https response error",
	"operation error",
	"StatusCode:",
	"api error ",
}

// NoSDKText fails t for each fragment of SDKText in text, what naming the output (the
// report's text, the HTML page, the demo's output, ...), with the line that holds it.
func NoSDKText(t testing.TB, what, text string) {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		for _, s := range SDKText {
			if strings.Contains(line, s) {
				t.Errorf("%s carries SDK error text %q:\n%s", what, s, strings.TrimSpace(line))
			}
		}
	}
}
