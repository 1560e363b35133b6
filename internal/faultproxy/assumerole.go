package faultproxy

import "strings"

// AssumeRoleInto is fault (its Kind, Code, Status, Times, ...) applied to the STS
// AssumeRole calls of a role in account: the account's role refused, throttled or slow,
// whoever asks for it.
func AssumeRoleInto(account string, fault Rule) Rule {
	fault.Service, fault.Action = "sts", "AssumeRole"
	fault.Match = func(c Call) bool { return strings.Contains(c.Params.Get("RoleArn"), ":"+account+":") }
	return fault
}
