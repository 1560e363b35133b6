package profiles

import (
	"regexp"
	"strings"
	"time"
)

// withCredentialProcess turns every profile that assumes a role with MFA (DeveloperAccess
// of each target account, curfew-operator) into one whose credentials come from `curfew
// credentials`: one MFA code a day serves them all, and tools that cannot prompt
// (Terraform, Pulumi, IDEs) can use them. The command line carries everything the role
// needs, so it works in any directory with no account map. CI profiles, which carry no
// MFA, are left as they are.
func withCredentialProcess(ps []Profile, o Options) []Profile {
	out := make([]Profile, len(ps))
	for i, p := range ps {
		out[i] = p
		role, source, mfa, region, seconds := p.get("role_arn"), p.get("source_profile"), p.get("mfa_serial"), p.get("region"), p.get("duration_seconds")
		if role == "" || mfa == "" {
			continue
		}
		d, _ := time.ParseDuration(seconds + "s") // written by Generate: whole seconds
		line := strings.Join([]string{
			shellWord(o.CredentialProcess), "credentials", shellWord(strings.TrimPrefix(p.Name, o.Prefix)),
			"--role-arn", shellWord(role), "--source-profile", shellWord(source), "--mfa-serial", shellWord(mfa),
			"--session-name", shellWord(o.User), "--duration", shortDuration(d),
		}, " ")
		out[i].Comment = strings.Replace(p.Comment, " with MFA", " from curfew's daily MFA session (one code a day)", 1)
		out[i].Settings = []Setting{{"credential_process", line}, {"region", region}}
	}
	return out
}

// styleKeys are the keys of curfew's role profiles in either style. A rerun in the
// other style must drop the old ones: a profile left with both role_arn and
// credential_process is read by the AWS CLI as the role_arn profile, asking a code per
// account again, and a credential_process left beside role_arn would be a surprise.
var styleKeys = []string{"credential_process", "duration_seconds", "mfa_serial", "role_arn", "role_session_name", "source_profile"}

func (p Profile) get(key string) string {
	for _, s := range p.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// plainWord is what both readers of credential_process take unquoted: the AWS CLI
// splits the line like a POSIX shell (shlex), the Go and JavaScript SDKs hand it to sh.
var plainWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shortDuration writes d as curfew's --duration reads it, without zero units: 1h, 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// CredentialProcess is what a credential_process line of curfew's profiles says: the
// account it is named after and the role, identity and device of `curfew credentials`.
type CredentialProcess struct {
	Program, Account                               string
	RoleARN, SourceProfile, MFASerial, SessionName string
	Duration                                       time.Duration
}

// ParseCredentialProcess reads a credential_process line as withCredentialProcess writes
// it (words as a POSIX shell splits them); ok is false for a line of another program.
func ParseCredentialProcess(line string) (cp CredentialProcess, ok bool) {
	words, ok := shellWords(line)
	if !ok || len(words) < 3 || words[1] != "credentials" {
		return cp, false
	}
	cp.Program, cp.Account, cp.Duration = words[0], words[2], DefaultDuration
	for i := 3; i+1 < len(words); i += 2 {
		v := words[i+1]
		switch words[i] {
		case "--role-arn":
			cp.RoleARN = v
		case "--source-profile":
			cp.SourceProfile = v
		case "--mfa-serial":
			cp.MFASerial = v
		case "--session-name":
			cp.SessionName = v
		case "--duration":
			d, err := time.ParseDuration(v)
			if err != nil {
				return cp, false
			}
			cp.Duration = d
		default:
			return cp, false
		}
	}
	return cp, cp.RoleARN != "" && cp.SourceProfile != "" && cp.MFASerial != "" && cp.SessionName != ""
}

// shellWords splits s as a POSIX shell splits plain and single-quoted words, the only
// quoting shellWord writes (with its escaped quote); ok is false for anything else (double quotes, variables).
func shellWords(s string) (words []string, ok bool) {
	var cur strings.Builder
	in, quoted, escaped := false, false, false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case !quoted && r == '\\':
			escaped, in = true, true
		case quoted && r == '\'':
			quoted = false
		case quoted:
			cur.WriteRune(r)
		case r == '\'':
			quoted, in = true, true
		case r == ' ' || r == '\t':
			if in {
				words, in = append(words, cur.String()), false
				cur.Reset()
			}
		case r == '"' || r == '$' || r == '`':
			return nil, false
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quoted || escaped {
		return nil, false
	}
	if in {
		words = append(words, cur.String())
	}
	return words, true
}
