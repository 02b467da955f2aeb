package memstore

import (
	"time"

	"github.com/smsdesk/smsdesk/shared/pacing/lane"
)

func (t *tx) Lane(number string, index int) (lane.State, error) {
	id := lane.ID(number, index)
	if l, ok := t.lanes[id]; ok {
		return l, nil
	}
	l, ok := t.base.lanes[id]
	if !ok {
		return lane.State{}, notFound("pacing lane", id)
	}
	return l, nil
}

func (t *tx) PutLane(l lane.State) {
	// Firestore keeps microseconds in UTC; the twin stores what it returns.
	l.NextFree = l.NextFree.UTC().Truncate(time.Microsecond)
	id := lane.ID(l.Number, l.Index)
	if t.lanes == nil {
		t.lanes = map[string]lane.State{}
	}
	t.lanes[id] = l
	t.stage(func(s *state) {
		if s.lanes == nil {
			s.lanes = map[string]lane.State{}
		}
		s.lanes[id] = l
	})
}
