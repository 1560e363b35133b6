package accounts_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/curfew/curfew/internal/accounts"
)

// scheduleWith is a schedule of the sample map's shape in tz with the given holidays.
func scheduleWith(tz string, holidays ...accounts.Holiday) accounts.Schedule {
	return accounts.Schedule{
		TimeZone: tz,
		Stop:     accounts.Cron{At: "20:00", Days: []string{"MON-FRI"}},
		Start:    &accounts.Cron{At: "07:30", Days: []string{"MON-FRI"}},
		Holidays: holidays,
	}
}

func at(t *testing.T, tz, local string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", local, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A calendar gives each year's days without any date typed in the map: the fixed ones,
// and the ones that move with Easter (Good Friday, Corpus Christi), in 2026, 2027 and 2030.
func TestCalendarDaysAcrossYears(t *testing.T) {
	spain := scheduleWith("Europe/Madrid", accounts.Holiday{Calendar: "ES"})
	bavaria := scheduleWith("Europe/Berlin", accounts.Holiday{Calendar: "DE-BY"})
	us := scheduleWith("America/New_York", accounts.Holiday{Calendar: "US"})
	tests := []struct {
		s    accounts.Schedule
		day  string
		want string // the holiday's name; "" for a working day
	}{
		{spain, "2026-04-03", "Viernes Santo"},
		{spain, "2027-03-26", "Viernes Santo"},
		{spain, "2030-04-19", "Viernes Santo"},
		{spain, "2026-04-02", ""}, // Maundy Thursday: Madrid's, not Spain's
		{spain, "2026-12-08", "Inmaculada Concepción"},
		{spain, "2027-01-06", "Día de Reyes"},
		{spain, "2030-10-12", "Fiesta Nacional de España"},
		{spain, "2030-06-20", ""},
		{bavaria, "2026-06-04", "Fronleichnam"},
		{bavaria, "2027-05-27", "Fronleichnam"},
		{bavaria, "2030-06-20", "Fronleichnam"},
		{bavaria, "2030-04-19", "Karfreitag"},
		{bavaria, "2027-01-06", "Heilige Drei Könige"},
		// New Year's Day 2028 is a Saturday: the United States observe it on Friday
		// 31 December 2027, a day of the year before.
		{us, "2027-12-31", "New Year's Day"},
		{us, "2027-12-30", ""},
	}
	for _, tt := range tests {
		h, ok := tt.s.Holiday(at(t, tt.s.TimeZone, tt.day+" 12:00"))
		if ok != (tt.want != "") || h.Name != tt.want {
			t.Errorf("%s on %s: %+v, %v; want %q", tt.s.Holidays[0].Calendar, tt.day, h, ok, tt.want)
		}
		if ok && (h.Date != tt.day || h.Calendar != tt.s.Holidays[0].Calendar) {
			t.Errorf("%s on %s: %+v", tt.s.Holidays[0].Calendar, tt.day, h)
		}
	}
}

// A holiday is a day of the schedule's time zone, also the day after the clocks change:
// Easter Monday 2027 follows the start of summer time in Berlin, Austria's national day
// 2026 the end of it in Vienna. The next start skips the holiday and keeps its wall-clock
// time in the new offset.
func TestCalendarHolidaysAtDaylightSavingChanges(t *testing.T) {
	berlin := scheduleWith("Europe/Berlin", accounts.Holiday{Calendar: "DE"})
	vienna := scheduleWith("Europe/Vienna", accounts.Holiday{Calendar: "AT"})
	utc := func(s string) time.Time { return at(t, "UTC", s) }
	holidays := []struct {
		s    accounts.Schedule
		at   time.Time
		want bool
	}{
		{berlin, utc("2027-03-28 21:59"), false}, // Sunday 23:59 CEST
		{berlin, utc("2027-03-28 22:00"), true},  // Monday 00:00 CEST: Ostermontag
		{berlin, utc("2027-03-29 21:59"), true},  // Monday 23:59 CEST
		{berlin, utc("2027-03-29 22:00"), false},
		{vienna, utc("2026-10-25 22:59"), false}, // Sunday 23:59 CET
		{vienna, utc("2026-10-25 23:00"), true},  // Monday 00:00 CET: Nationalfeiertag
		{vienna, utc("2026-10-26 22:59"), true},
		{vienna, utc("2026-10-26 23:00"), false},
	}
	for _, tt := range holidays {
		if got := tt.s.IsHoliday(tt.at); got != tt.want {
			t.Errorf("%s at %s: holiday %v, want %v", tt.s.TimeZone, tt.at, got, tt.want)
		}
	}
	starts := []struct {
		s           accounts.Schedule
		from        time.Time
		want        time.Time
		why         string
		holiday     string
		holidayName string
	}{
		// Thursday evening before Easter: Good Friday and Easter Monday are skipped.
		{berlin, utc("2027-03-25 19:00"), utc("2027-03-30 05:30"), "07:30 CEST", "2027-03-26", "Karfreitag"},
		{vienna, utc("2026-10-23 18:00"), utc("2026-10-27 06:30"), "07:30 CET", "2026-10-26", "Nationalfeiertag"},
	}
	for _, tt := range starts {
		if got, ok := tt.s.NextStart(tt.from); !ok || !got.Equal(tt.want) {
			t.Errorf("%s: next start after %s = %s, want %s (%s)", tt.s.TimeZone, tt.from, got, tt.want, tt.why)
		}
		if h, ok := tt.s.NextHoliday(tt.from); !ok || h.Date != tt.holiday || h.Name != tt.holidayName {
			t.Errorf("%s: next holiday after %s = %+v, want %s %s", tt.s.TimeZone, tt.from, h, tt.holiday, tt.holidayName)
		}
	}
}

// Exceptions make days of a calendar working days: in the calendar's own entry, or in an
// entry of its own at a unit or an account, for the days of the map's calendar. A date
// written in the map stays a holiday.
func TestCalendarExceptions(t *testing.T) {
	immaculate := "2026-12-08 12:00"
	tests := []struct {
		name     string
		holidays []accounts.Holiday
		want     bool
	}{
		{"calendar", []accounts.Holiday{{Calendar: "ES"}}, true},
		{"excepted in the entry", []accounts.Holiday{{Calendar: "ES", Except: []string{"2026-12-08"}}}, false},
		{"excepted by an entry of its own", []accounts.Holiday{{Calendar: "ES"}, {Except: []string{"2026-12-08"}}}, false},
		{"excepted but written as a date", []accounts.Holiday{{Calendar: "ES", Except: []string{"2026-12-08"}}, {Date: "2026-12-08"}}, true},
		{"excepted in one calendar, a day of another", []accounts.Holiday{{Calendar: "ES", Except: []string{"2026-12-08"}}, {Calendar: "AT"}}, false},
	}
	for _, tt := range tests {
		s := scheduleWith("Europe/Madrid", tt.holidays...)
		if got := s.IsHoliday(at(t, "Europe/Madrid", immaculate)); got != tt.want {
			t.Errorf("%s: 8 December a holiday: %v, want %v", tt.name, got, tt.want)
		}
		// Christmas stays a holiday whatever was excepted.
		if !s.IsHoliday(at(t, "Europe/Madrid", "2026-12-25 12:00")) {
			t.Errorf("%s: Christmas is no holiday", tt.name)
		}
	}
}

// The map's calendar reaches every account; a unit adds its own calendar and exception
// for its accounts; an account excepts a day of the map's calendar for itself only.
func TestCalendarInheritance(t *testing.T) {
	m := example(t)
	staging, _ := m.Account("staging")
	sandbox, _ := m.Account("sandbox")
	sandbox.Holidays = append(sandbox.Holidays, accounts.Holiday{Except: []string{"2026-12-08"}})
	unit := accounts.OU{ID: "ou-abcd-12345678", Environment: accounts.NonProduction,
		Schedule: &accounts.ScheduleOverride{TimeZone: "Europe/Lisbon"},
		Holidays: []accounts.Holiday{{Calendar: "PT", Except: []string{"2026-12-01"}}}}
	found := unit.Account("555555555555")
	tests := []struct {
		account accounts.Account
		day     string
		want    string // calendar of the holiday; "-" for none, "" for a date of the map
	}{
		{staging, "2026-12-08", "ES"},
		{sandbox, "2026-12-08", "-"}, // its own exception
		{sandbox, "2026-12-24", ""},  // its own date
		{sandbox, "2027-01-06", "ES"},
		{staging, "2026-12-24", "-"},
		{found, "2027-01-06", "ES"},   // the map's calendar
		{found, "2026-12-01", "-"},    // the unit's exception of its own calendar
		{found, "2026-06-10", "PT"},   // Dia de Portugal, the unit's calendar
		{staging, "2026-06-10", "-"},  // not the map's
		{found, "2026-12-08", "ES"},   // in both calendars: the first entry names it
		{sandbox, "2026-06-10", "-"},  // nor another account's
		{found, "2026-12-24", "-"},    // sandbox's date stays sandbox's
		{staging, "2030-04-19", "ES"}, // Good Friday 2030, with nothing typed
	}
	for _, tt := range tests {
		s := m.ScheduleFor(tt.account)
		h, ok := s.Holiday(at(t, s.TimeZone, tt.day+" 12:00"))
		got := "-"
		if ok {
			got = h.Calendar
		}
		if got != tt.want {
			t.Errorf("%s on %s: %+v (%v), want calendar %q", tt.account.Name, tt.day, h, ok, tt.want)
		}
	}
}

// The next holiday, and where it comes from, as curfew plan shows them.
func TestNextHoliday(t *testing.T) {
	m := example(t)
	sandbox, _ := m.Account("sandbox")
	s := m.ScheduleFor(sandbox)
	tests := []struct {
		from, date, source string
	}{
		{"2026-12-07 09:00", "2026-12-08", "Inmaculada Concepción, calendar ES (Spain)"},
		{"2026-12-09 00:00", "2026-12-24", "a date of the account map"},
		{"2027-06-01 09:00", "2027-08-15", "Asunción, calendar ES (Spain)"},
	}
	for _, tt := range tests {
		h, ok := s.NextHoliday(at(t, "Europe/Madrid", tt.from))
		if !ok || h.Date != tt.date || h.Source() != tt.source {
			t.Errorf("next holiday from %s: %+v (%s), want %s (%s)", tt.from, h, h.Source(), tt.date, tt.source)
		}
	}
	if h, ok := scheduleWith("UTC").NextHoliday(at(t, "UTC", "2026-12-07 09:00")); ok {
		t.Errorf("a schedule without holidays has a next one: %+v", h)
	}
}

// Calendars and exceptions are problems of the map's style: the field, what is wrong and
// what to write, with the closest known calendar for an unknown one.
func TestCalendarValidation(t *testing.T) {
	valid, err := os.ReadFile(exampleMap)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, replace, field, reason string
	}{
		{"region the library lacks", `{calendar: ES-MD}`, "schedule.holidays[0].calendar",
			`"ES-MD" is not a holiday calendar curfew knows: the library has no regional calendars of ES (Spain): write {calendar: ES} and add the region's own days as dates`},
		{"region of a country with regions", `{calendar: DE-XX}`, "schedule.holidays[0].calendar", `"DE-XX" is not a holiday calendar curfew knows: did you mean DE (Germany)?`},
		{"lower case", `{calendar: es}`, "schedule.holidays[0].calendar", "did you mean ES (Spain)?"},
		{"typo of a region", `{calendar: DE-BAY}`, "schedule.holidays[0].calendar", "did you mean DE-BY (Bavaria, Germany)?"},
		{"nothing near", `{calendar: Narnia}`, "schedule.holidays[0].calendar", `"Narnia" is not a holiday calendar curfew knows: write a country code`},
		{"exception not of the calendar", `{calendar: ES, except: ["2026-12-09"]}`, "schedule.holidays[0].except[0]",
			"2026-12-09 is not a holiday of calendar ES: remove it"},
		{"exception not a date", `{calendar: ES, except: ["8 December"]}`, "schedule.holidays[0].except[0]", `"8 December" is not a date YYYY-MM-DD`},
		{"empty entry", `{}`, "schedule.holidays[0]", `empty: write a date "2026-12-24", {calendar: ES}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := accounts.Parse([]byte(strings.Replace(string(valid), "{calendar: ES}", tt.replace, 1)))
			wantProblem(t, err, tt.field, tt.reason)
		})
	}
	// A field a holiday does not have is refused when the map is read, with the shapes
	// a holiday may take.
	_, err = accounts.Parse([]byte(strings.Replace(string(valid), "{calendar: ES}", "{calender: ES}", 1)))
	if err == nil || !strings.Contains(err.Error(), `a holiday has no field "calender": write a date "2026-12-24", {calendar: ES}`) {
		t.Errorf("misspelt field: %v", err)
	}
}

// The functions read the map as the CDK app encodes it: calendars and exceptions survive.
func TestCalendarsSurviveEncoding(t *testing.T) {
	m := example(t)
	m.Schedule.Holidays = append(m.Schedule.Holidays, accounts.Holiday{Calendar: "DE-BY", Except: []string{"2027-01-06"}}, accounts.Holiday{Except: []string{"2026-12-08"}})
	back, data := reencoded(t, m)
	sandbox, _ := back.Account("sandbox")
	s := back.ScheduleFor(sandbox)
	// An exception is a working day whichever calendar names the day: 2027-01-06 is in
	// both; 2027-05-27 is Corpus Christi, Bavaria's only.
	for day, want := range map[string]bool{"2026-12-08": false, "2027-01-06": false, "2026-12-25": true, "2026-12-24": true, "2027-05-27": true, "2027-05-28": false} {
		if got := s.IsHoliday(at(t, "Europe/Madrid", day+" 12:00")); got != want {
			t.Errorf("after encoding, %s a holiday: %v, want %v\n%s", day, got, want, data)
		}
	}
}

// TestNextHolidaysOfTheSampleMap: curfew plan and the cost report say each swept
// account's next holiday from the sample map's calendar (ES) and sandbox's own date, the
// accounts with the same day in one notice.
func TestNextHolidaysOfTheSampleMap(t *testing.T) {
	m := example(t)
	for _, c := range []struct {
		local string
		want  []string
	}{
		{"2026-11-27 09:00", []string{
			"next holiday of staging, sandbox: Tue 2026-12-08 (Europe/Madrid), Inmaculada Concepción, calendar ES (Spain): no scheduled morning start that day",
		}},
		{"2026-12-20 09:00", []string{
			"next holiday of staging: Fri 2026-12-25 (Europe/Madrid), Navidad, calendar ES (Spain): no scheduled morning start that day",
			"next holiday of sandbox: Thu 2026-12-24 (Europe/Madrid), a date of the account map: no scheduled morning start that day",
		}},
		{"2027-12-07 09:00", []string{
			"next holiday of staging, sandbox: Wed 2027-12-08 (Europe/Madrid), Inmaculada Concepción, calendar ES (Spain): no scheduled morning start that day",
		}},
	} {
		var got []string
		for _, n := range m.NextHolidays(m.Swept(), at(t, "Europe/Madrid", c.local)) {
			got = append(got, n.Line())
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("at %s:\n got %q\nwant %q", c.local, got, c.want)
		}
	}
}
