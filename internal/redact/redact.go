// Package redact takes secrets out of text curfew prints for --debug: the SDK's request
// logs carry the session token and the request signature in headers (and in query
// strings when presigned), and an answer or a file may carry secret keys. What stays
// (the access key id, the call, the endpoint) is what debugging needs.
package redact

import "regexp"

// Redacted replaces each secret.
const Redacted = "[redacted]"

// secrets are the places a secret value follows its name: a header, a query or form
// parameter, a JSON or XML field, a shared-config key.
var secrets = []*regexp.Regexp{
	regexp.MustCompile(`(?i)(x-amz-security-token:\s*)[^\s]+`),
	regexp.MustCompile(`(?i)(signature=)[0-9a-f]+`),
	regexp.MustCompile(`(?i)((?:x-amz-security-token|x-amz-signature|tokencode|sessiontoken|secretaccesskey)=)[^&\s"]+`),
	regexp.MustCompile(`(?i)("(?:secretaccesskey|sessiontoken|secret_access_key|session_token|accesstoken|tokencode)"\s*:\s*")[^"]*`),
	regexp.MustCompile(`(?i)(<(SecretAccessKey|SessionToken|TokenCode)>)[^<]*`),
	regexp.MustCompile(`(?i)((?:aws_secret_access_key|aws_session_token)\s*=\s*)[^\s]+`),
	regexp.MustCompile(`(?i)(x-amz-sso_bearer_token:\s*)[^\s]+`),
}

// Secrets returns s with every secret value replaced by Redacted.
func Secrets(s string) string {
	for _, re := range secrets {
		s = re.ReplaceAllString(s, "${1}"+Redacted)
	}
	return s
}
