package accounts_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
)

// exampleMap is the map committed at the repository root for the seed organisation.
const exampleMap = "../../accounts.yaml"

func TestExampleMapIsValid(t *testing.T) {
	m := example(t)
	if got := m.IdentityAccount().ID; got != "111111111111" {
		t.Errorf("identity account id = %q", got)
	}
	var targets, swept []string
	for _, a := range m.Targets() {
		targets = append(targets, a.Name)
	}
	for _, a := range m.Swept() {
		swept = append(swept, a.Name)
	}
	if want := []string{"staging", "sandbox", "production"}; !slices.Equal(targets, want) {
		t.Errorf("targets = %v, want %v", targets, want)
	}
	if want := []string{"staging", "sandbox"}; !slices.Equal(swept, want) {
		t.Errorf("swept = %v, want %v", swept, want)
	}
	prod, _ := m.Account("production")
	if got := prod.RoleARN(accounts.DeveloperAccessRole); got != "arn:aws:iam::444444444444:role/DeveloperAccess" {
		t.Errorf("RoleARN = %q", got)
	}
}

func TestOIDCMapWithOverrides(t *testing.T) {
	m, err := accounts.Load("testdata/valid-oidc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if m.CI.OIDC == nil || m.CI.OIDC.Subject != "repo:acme/infra:ref:refs/heads/main" {
		t.Fatalf("ci.oidc = %+v", m.CI.OIDC)
	}
	var swept []string
	for _, a := range m.Swept() {
		swept = append(swept, a.Name)
	}
	if !slices.Equal(swept, []string{"dev"}) {
		t.Errorf("swept = %v, want [dev] (tooling has shutdown: false)", swept)
	}
	dev, _ := m.Account("dev")
	s := m.ScheduleFor(dev)
	if s.TimeZone != "Asia/Tokyo" || s.Stop.At != "19:00" || s.Start == nil || s.Start.At != "08:00" {
		t.Errorf("ScheduleFor(dev) = %+v", s)
	}
	if got := s.Stop.Expression(); got != "cron(0 19 ? * MON,TUE,WED,THU,FRI *)" {
		t.Errorf("stop expression = %q", got)
	}
	if m.Schedule.Start != nil {
		t.Error("override leaked into the organisation-wide schedule")
	}
}

func TestValidationNamesEveryField(t *testing.T) {
	valid, err := os.ReadFile(exampleMap)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		replace [2]string // old, new in the example map
		field   string
		reason  string
	}{
		{"id not 12 digits", [2]string{`"222222222222"`, `"22222"`}, "accounts[1].id", "not 12 digits"},
		{"id with letters", [2]string{`"222222222222"`, `"22222222222x"`}, "accounts[1].id", "not 12 digits"},
		{"unknown environment", [2]string{"environment: non-production\n    regions: [eu-west-1, eu-central-1]", "environment: dev\n    regions: [eu-west-1, eu-central-1]"}, "accounts[1].environment", `"dev" is not`},
		{"duplicate name", [2]string{"name: sandbox", "name: staging"}, "accounts[2].name", "also the name of accounts[1]"},
		{"duplicate id", [2]string{`"333333333333"`, `"222222222222"`}, "accounts[2].id", "also the id of accounts[1]"},
		{"production marked for shutdown", [2]string{"environment: production\n    regions", "environment: production\n    shutdown: true\n    regions"}, "accounts[3].shutdown", "never shuts production down"},
		{"unknown time zone", [2]string{"Europe/Madrid", "Europe/Atlantis"}, "schedule.timezone", "not an IANA time zone"},
		{"malformed time", [2]string{`at: "20:00"`, `at: "8pm"`}, "schedule.stop.at", "not a 24-hour time"},
		{"hour out of range", [2]string{`at: "20:00"`, `at: "24:30"`}, "schedule.stop.at", "not a 24-hour time"},
		{"malformed days", [2]string{"days: [MON-FRI]\n  # Optional", "days: [MON-FRY]\n  # Optional"}, "schedule.stop.days[0]", "not a day"},
		{"no days", [2]string{"days: [MON]", "days: []"}, "costReport.days", "at least one day"},
		{"no regions", [2]string{"regions: [eu-west-1]\n", "regions: []\n"}, "accounts[2].regions", "at least one region"},
		{"bad region", [2]string{"regions: [eu-west-1]\n", "regions: [Ireland]\n"}, "accounts[2].regions[0]", "not a region"},
		{"home not in map", [2]string{"home: identity", "home: tooling"}, "home", `"tooling" is not the name of an account`},
		{"identity not in map", [2]string{"identity: identity", "identity: people"}, "identity", `"people" is not the name of an account`},
		{"management not in map", [2]string{"# management: management", "management: root"}, "management", `"root" is not`},
		{"policy name syntax", [2]string{"developerPolicies: [ReadOnlyAccess]", "developerPolicies: [Read Only Access]"}, "accounts[3].developerPolicies[0]", "not an AWS managed policy"},
		{"customer policy ARN", [2]string{"developerPolicies: [ReadOnlyAccess]", `developerPolicies: ["arn:aws:iam::444444444444:policy/Mine"]`}, "accounts[3].developerPolicies[0]", "not an AWS managed policy"},
		{"no policies", [2]string{"developerPolicies: [ReadOnlyAccess]", "developerPolicies: []"}, "accounts[3].developerPolicies", "at least one"},
		{"bad holiday", [2]string{`{calendar: ES}]`, `{calendar: ES}, "6 January"]`}, "schedule.holidays[1]", "not a date"},
		{"unknown calendar", [2]string{`{calendar: ES}`, `{calendar: ES-MD}`}, "schedule.holidays[0].calendar", `"ES-MD" is not a holiday calendar curfew knows: the library has no regional calendars of ES (Spain)`},
		{"bad account holiday", [2]string{`"2026-12-24"`, `"2026-02-30"`}, "accounts[2].holidays[0]", "not a date"},
		{"bad recipient", [2]string{"platform@example.com", "platform at example"}, "costReport.recipients[0]", "not a plain email"},
		{"no CI principal", [2]string{"ci:\n  oidc:\n    issuer: https://token.actions.githubusercontent.com\n    audience: sts.amazonaws.com\n    subject: \"repo:acme/infra:ref:refs/heads/*\"\n", "ci: {}\n"}, "ci", "set user"},
		{"short external id", [2]string{"externalId: curfew-acme-2f9c1d", "externalId: x"}, "externalId", "2 to 1224"},
		{"bad account name", [2]string{"name: sandbox", "name: Sandbox_1"}, "accounts[2].name", "lower-case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := string(valid)
			if !strings.Contains(src, tt.replace[0]) {
				t.Fatalf("example map lacks %q", tt.replace[0])
			}
			_, err := accounts.Parse([]byte(strings.Replace(src, tt.replace[0], tt.replace[1], 1)))
			wantProblem(t, err, tt.field, tt.reason)
		})
	}
}

func TestValidationReportsEveryProblemAtOnce(t *testing.T) {
	_, err := accounts.Load("testdata/invalid-everything.yaml")
	var verr *accounts.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Load error = %v, want a *ValidationError", err)
	}
	fields := map[string]bool{}
	for _, p := range verr.Problems {
		fields[p.Field] = true
	}
	for _, f := range []string{
		"identity", "home", "homeRegion", "externalId", "ci",
		"schedule.timezone", "schedule.stop.at", "schedule.stop.days[0]", "schedule.holidays[0]",
		"costReport.at", "costReport.days", "costReport.recipients[0]",
		"accounts[0].id", "accounts[0].environment", "accounts[0].regions",
		"accounts[0].developerPolicies[0]", "accounts[0].ciPolicies",
		"accounts[1].name", "accounts[1].shutdown",
	} {
		if !fields[f] {
			t.Errorf("no problem reported for %s", f)
		}
	}
	if !strings.Contains(err.Error(), "accounts[0].id: \"12345\" is not 12 digits") {
		t.Errorf("message does not name the field and reason:\n%v", err)
	}
}

func TestDecodeIsStrict(t *testing.T) {
	tests := map[string]string{
		"unknown top-level field": "identity: a\nhoem: a\n",
		"unknown account field":   "accounts:\n  - name: a\n    enviroment: production\n",
		"wrong type":              "accounts: staging\n",
		"two documents":           "identity: a\n---\nidentity: b\n",
		"empty":                   "",
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := accounts.Parse([]byte(src))
			if err == nil || m != nil {
				t.Fatalf("Parse = %v, %v; want an error", m, err)
			}
		})
	}
	_, err := accounts.Parse([]byte("identity: a\nhoem: a\n"))
	if !strings.Contains(err.Error(), "hoem") {
		t.Errorf("error does not name the unknown field: %v", err)
	}
}

func TestHolidaysUseTheScheduleTimeZone(t *testing.T) {
	m := example(t)
	sandbox, _ := m.Account("sandbox")
	staging, _ := m.Account("staging")
	// 23:30 UTC on 24 December is already 25 December in Madrid.
	lateChristmasEve := time.Date(2026, 12, 24, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		account accounts.Account
		at      time.Time
		want    bool
	}{
		{staging, lateChristmasEve, true},
		{staging, time.Date(2026, 12, 24, 12, 0, 0, 0, time.UTC), false},
		{sandbox, time.Date(2026, 12, 24, 12, 0, 0, 0, time.UTC), true}, // sandbox's own holiday
		{staging, time.Date(2027, 1, 6, 6, 30, 0, 0, time.UTC), true},
		{staging, time.Date(2027, 1, 7, 6, 30, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		if got := m.ScheduleFor(tt.account).IsHoliday(tt.at); got != tt.want {
			t.Errorf("IsHoliday(%s, %s) = %v, want %v", tt.account.Name, tt.at, got, tt.want)
		}
	}
}

func TestCronDays(t *testing.T) {
	tests := []struct {
		days []string
		want string
	}{
		{[]string{"MON-FRI"}, "cron(0 20 ? * MON,TUE,WED,THU,FRI *)"},
		{[]string{"SAT-MON"}, "cron(0 20 ? * SUN,MON,SAT *)"},
		{[]string{"WED", "MON", "WED"}, "cron(0 20 ? * MON,WED *)"},
	}
	for _, tt := range tests {
		if got := (accounts.Cron{At: "20:00", Days: tt.days}).Expression(); got != tt.want {
			t.Errorf("Expression(%v) = %q, want %q", tt.days, got, tt.want)
		}
	}
}

func TestShutdownNeverEnabledForProduction(t *testing.T) {
	on := true
	for _, env := range []accounts.Environment{accounts.Production, "", "prod", "Non-Production"} {
		a := accounts.Account{Environment: env, Shutdown: &on}
		if a.ShutdownEnabled() {
			t.Errorf("ShutdownEnabled() for environment %q = true", env)
		}
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yaml")
	seeds = append(seeds, exampleMap)
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("accounts: [{name: a, id: \"1\"}]\nschedule: {stop: {days: [SAT-]}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := accounts.Parse(data)
		if err == nil {
			// What parses must validate, and must keep production out of the sweep.
			if verr := m.Validate(); verr != nil {
				t.Fatalf("Parse accepted a map that Validate rejects: %v", verr)
			}
			for _, a := range m.Swept() {
				if a.IsProduction() {
					t.Fatalf("production account %q is swept", a.Name)
				}
			}
			// Nor may it let a wildcard subject into production, or administrators in
			// unless the account says so.
			for _, a := range m.Targets() {
				if a.IsProduction() && strings.ContainsAny(m.CISubject(a), "*?") {
					t.Fatalf("production account %q trusts the CI subject %q", a.Name, m.CISubject(a))
				}
				admin := slices.ContainsFunc(append(slices.Clone(a.DeveloperPolicies), a.CIPolicies...), func(p string) bool {
					return accounts.ManagedPolicyName(p) == "AdministratorAccess"
				})
				if a.IsProduction() && admin && !a.Lifts(accounts.OverrideAdministrator) {
					t.Fatalf("production account %q grants AdministratorAccess without the override", a.Name)
				}
			}
		}
	})
}

func TestEncodeRoundTrips(t *testing.T) {
	for _, path := range []string{exampleMap, "testdata/valid-oidc.yaml"} {
		t.Run(path, func(t *testing.T) {
			m, err := accounts.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			back, data := reencoded(t, m)
			again, _ := back.Encode()
			if string(again) != string(data) {
				t.Errorf("%s: encoding is not stable:\n%s\n---\n%s", path, data, again)
			}
			if back.LambdaRoleARN(accounts.ShutdownFunction) != m.HomeAccount().RoleARN("curfew-shutdown") {
				t.Errorf("LambdaRoleARN = %s", back.LambdaRoleARN(accounts.ShutdownFunction))
			}
		})
	}
}

// wantProblem fails t unless err is a *ValidationError with a problem in field whose
// reason says reason.
func wantProblem(t *testing.T, err error, field, reason string) {
	t.Helper()
	var verr *accounts.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Parse error = %v, want a *ValidationError", err)
	}
	for _, p := range verr.Problems {
		if p.Field == field && strings.Contains(p.Reason, reason) {
			return
		}
	}
	t.Errorf("no problem %s: ...%s...; got:\n%v", field, reason, err)
}

// wantOnlyProblem fails t unless err is a *ValidationError with exactly one problem, in
// field, whose reason says reason.
func wantOnlyProblem(t *testing.T, err error, field, reason string) {
	t.Helper()
	var verr *accounts.ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 1 {
		t.Errorf("Validate() = %v, want one problem in %s", err, field)
		return
	}
	if p := verr.Problems[0]; p.Field != field || !strings.Contains(p.Reason, reason) {
		t.Errorf("%s: %q, want %s saying %q", p.Field, p.Reason, field, reason)
	}
}

// reencoded is m as the functions read it: encoded as the CDK app encodes it, and parsed
// back; with the encoding.
func reencoded(t *testing.T, m *accounts.Map) (*accounts.Map, []byte) {
	t.Helper()
	data, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := accounts.Parse(data)
	if err != nil {
		t.Fatalf("Parse(Encode()) = %v\n%s", err, data)
	}
	return back, data
}

// example is the sample map, accounts.yaml at the root of the module.
func example(t *testing.T) *accounts.Map {
	t.Helper()
	m, err := accounts.Load(exampleMap)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
