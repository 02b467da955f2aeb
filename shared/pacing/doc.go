// Package pacing keeps each sender number under its carrier rate and daily
// cap by reserving send slots before texts are handed to the carrier.
//
// A number's rate R (segments per second: Number.MessagesPerSecond, else
// 1 for a long code, 3 for toll-free, 100 for a short code) is cut into
// lanes. With R >= 1 there are floor(R) lanes, each carrying one segment per
// one-second tick aligned to Unix seconds; with R < 1 one lane carries one
// segment per tick of 1/R seconds rounded up, aligned to multiples of the
// tick since the Unix epoch. A message of k segments takes k consecutive
// ticks of one lane and is handed over in the first of them, so no aligned
// second sees more texts than the number has lanes, and no window carries
// more than its rate's segments plus one message's. The daily cap is split
// over the lanes; a message that would pass its lane's share waits for the
// first tick of the next day in the plan's zone.
//
// A lane's state is the document pacing/{number}_{lane}, read and written
// in a transaction, so concurrent reservations never share a tick. Firestore
// sustains about one write per second per document. A lane document is
// written once per reservation (a batch reserves its whole block on a lane
// in one write, never one write per text), every reservation takes at least
// one tick of at least one second, and NextFree never moves back: over any
// period a lane is written at most once per second of send time it hands
// out. So writes stay at one per second sustained; a burst is bounded by
// how far ahead the lane is booked, which is the backlog the rate imposes
// anyway.
//
// Plan, Reserve and Slot are pure decisions; Reserver loads and stores
// lanes through the store.
package pacing
