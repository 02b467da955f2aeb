package firestore

import (
	gfs "cloud.google.com/go/firestore"

	"github.com/smsdesk/smsdesk/shared/pacing/lane"
)

// colPacing holds pacing/{number}_{lane}: one document per lane, so a
// number's writes spread over as many documents as it sends segments per
// second (see shared/pacing).
const colPacing = "pacing"

func (s *Store) laneRef(number string, index int) *gfs.DocumentRef {
	return s.client.Collection(colPacing).Doc(lane.ID(number, index))
}

func (t *tx) Lane(number string, index int) (lane.State, error) {
	return txGet[lane.State](t, t.s.laneRef(number, index))
}

func (t *tx) PutLane(l lane.State) {
	l.NextFree = l.NextFree.UTC()
	t.stage(t.s.laneRef(l.Number, l.Index), l, false)
}
