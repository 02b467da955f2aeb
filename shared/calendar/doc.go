// Package calendar is the clock arithmetic shared by outbound quiet hours and
// per-queue business hours: times of day, daily windows evaluated in one or
// more IANA zones, weekly schedules with holidays, and the "we reopen at"
// phrase put into messages. It does no I/O, so the domain and use cases can
// call it anywhere; the caller passes the instants (from shared/clock) in.
//
// Every rule here is a predicate on the local wall clock (the minute shown on
// a clock in that zone), and the Next* functions return the earliest instant
// at which the predicate holds. That one definition settles daylight saving
// time without special cases: on a spring-forward day a window starting at a
// clock time that does not exist (02:30 in America/New_York) opens at the
// first instant after the jump (03:00 EDT); in a repeated hour the clock
// shows the same minutes twice, and both are treated alike.
package calendar

// The embedded zone database makes Zones and Schedule behave the same in a
// container without /usr/share/zoneinfo: without it every zone would silently
// become UTC, and quiet hours would be evaluated in the wrong zone.
import _ "time/tzdata"
