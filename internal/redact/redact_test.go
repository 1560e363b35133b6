package redact_test

import (
	"strings"
	"testing"

	"github.com/curfew/curfew/internal/redact"
)

// Each place a secret travels is redacted; the names and what debugging needs stay.
func TestSecrets(t *testing.T) {
	tests := []struct{ name, in, keep, secret string }{
		{"session token header", "X-Amz-Security-Token: IQoJb3JpZ2luX2VjE/tok+en==\r\nHost: sts", "X-Amz-Security-Token: [redacted]", "IQoJb3JpZ2luX2VjE"},
		{"signature", "Authorization: AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261207/eu-west-1/sts/aws4_request, SignedHeaders=host, Signature=0a1b2c3d4e5f", "Credential=ASIAEXAMPLE", "0a1b2c3d4e5f"},
		{"presigned query", "GET /x?X-Amz-Security-Token=abc%2Fdef&X-Amz-Signature=9f9f HTTP/1.1", "X-Amz-Security-Token=[redacted]&X-Amz-Signature=[redacted]", "abc%2Fdef"},
		{"MFA code in a form body", "Action=GetSessionToken&TokenCode=123456&Version=2011-06-15", "TokenCode=[redacted]", "123456"},
		{"XML answer", "<SecretAccessKey>wJalrXUtnFEMI</SecretAccessKey><SessionToken>FwoGZXIvYXdz</SessionToken>", "<SecretAccessKey>[redacted]</SecretAccessKey>", "FwoGZXIvYXdz"},
		{"JSON", `{"AccessKeyId":"ASIA1","SecretAccessKey":"wJalrXUtnFEMI","SessionToken":"FwoG"}`, `"AccessKeyId":"ASIA1"`, "wJalrXUtnFEMI"},
		{"credentials file", "aws_secret_access_key = wJalrXUtnFEMI\naws_session_token = FwoG\n", "aws_secret_access_key = [redacted]", "FwoG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redact.Secrets(tt.in)
			if strings.Contains(got, tt.secret) || !strings.Contains(got, tt.keep) {
				t.Errorf("Secrets(%q) = %q, want %q kept and %q gone", tt.in, got, tt.keep, tt.secret)
			}
		})
	}
}
