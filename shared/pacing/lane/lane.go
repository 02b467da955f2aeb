// Package lane holds the stored state of one pacing lane. It is a package of
// its own so that shared/store can name the record in its Tx interface while
// shared/pacing, which runs transactions, imports shared/store.
package lane

import (
	"strconv"
	"time"
)

// State is the document pacing/{number}_{index}: where the lane's next free
// tick starts and how many segments it has reserved on its last day.
type State struct {
	Number string `firestore:"number" json:"number"`
	Index  int    `firestore:"index" json:"index"`
	// NextFree is the start of the first tick nobody holds; zero for a lane
	// never used.
	NextFree time.Time `firestore:"nextFree" json:"nextFree"`
	// Day ("2026-12-01", in the plan's zone) is the day of the lane's last
	// reservation and DayUsed the segments reserved on it: reservations only
	// move forward in time, so an earlier day can never be reserved again
	// and needs no count.
	Day     string `firestore:"day,omitempty" json:"day,omitempty"`
	DayUsed int    `firestore:"dayUsed,omitempty" json:"dayUsed,omitempty"`
}

// ID is the document id, {number}_{index}.
func ID(number string, index int) string { return number + "_" + strconv.Itoa(index) }
