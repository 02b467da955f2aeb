package firestore

import (
	"context"
	"fmt"
	"time"

	gfs "cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
)

// The IVR webhook's collections: ivrTurns/{sha256(session, tag, turn)},
// with expireAt for its TTL policy (terraform/firestore.tf), and
// ivrQueues/{id}, the deflection setup of each IVR queue.
const (
	colIVRTurns  = "ivrTurns"
	colIVRQueues = "ivrQueues"
)

var _ ivrrec.Store = (*Store)(nil)

type turnDoc struct {
	Session    string    `firestore:"session"`
	Tag        string    `firestore:"tag"`
	State      string    `firestore:"state"`
	LeaseUntil time.Time `firestore:"leaseUntil"`
	Response   []byte    `firestore:"response,omitempty"`
	CreatedAt  time.Time `firestore:"createdAt"`
	ExpireAt   time.Time `firestore:"expireAt"`
}

func toTurnDoc(r ivrrec.Turn) turnDoc {
	return turnDoc{Session: r.Session, Tag: r.Tag, State: string(r.State), LeaseUntil: r.LeaseUntil,
		Response: r.Response, CreatedAt: r.Created, ExpireAt: r.ExpireAt}
}

func (d turnDoc) turn(id string) ivrrec.Turn {
	return ivrrec.Turn{ID: id, Session: d.Session, Tag: d.Tag, State: ivrrec.TurnState(d.State),
		LeaseUntil: d.LeaseUntil.UTC(), Response: d.Response, Created: d.CreatedAt.UTC(), ExpireAt: d.ExpireAt.UTC()}
}

type ivrTextsDoc struct {
	Offer          string `firestore:"offer"`
	OptedIn        string `firestore:"optedIn"`
	Greeting       string `firestore:"greeting"`
	WaitTimeAsk    string `firestore:"waitTimeAsk,omitempty"`
	WaitTimeInvite string `firestore:"waitTimeInvite,omitempty"`
}

type ivrQueueDoc struct {
	Enabled          bool                   `firestore:"enabled"`
	ThresholdMinutes int                    `firestore:"thresholdMinutes"`
	SMSQueue         string                 `firestore:"smsQueue"`
	Number           string                 `firestore:"number"`
	CompanyName      string                 `firestore:"companyName,omitempty"`
	DefaultLanguage  string                 `firestore:"defaultLanguage"`
	Texts            map[string]ivrTextsDoc `firestore:"texts"`
	WaitTime         bool                   `firestore:"waitTime,omitempty"`
}

func toIVRQueueDoc(q ivrrec.Queue) ivrQueueDoc {
	d := ivrQueueDoc{Enabled: q.Enabled, ThresholdMinutes: q.ThresholdMinutes, SMSQueue: q.SMSQueue,
		Number: q.Number, CompanyName: q.CompanyName, DefaultLanguage: q.DefaultLanguage, WaitTime: q.WaitTime}
	if q.Texts != nil {
		d.Texts = make(map[string]ivrTextsDoc, len(q.Texts))
		for lang, t := range q.Texts {
			d.Texts[lang] = ivrTextsDoc(t)
		}
	}
	return d
}

func (d ivrQueueDoc) queue(id string) ivrrec.Queue {
	q := ivrrec.Queue{ID: id, Enabled: d.Enabled, ThresholdMinutes: d.ThresholdMinutes, SMSQueue: d.SMSQueue,
		Number: d.Number, CompanyName: d.CompanyName, DefaultLanguage: d.DefaultLanguage, WaitTime: d.WaitTime}
	if d.Texts != nil {
		q.Texts = make(map[string]ivrrec.Texts, len(d.Texts))
		for lang, t := range d.Texts {
			q.Texts[lang] = ivrrec.Texts(t)
		}
	}
	return q
}

func (s *Store) turnRef(id string) *gfs.DocumentRef { return s.client.Collection(colIVRTurns).Doc(id) }
func (s *Store) ivrQueueRef(id string) *gfs.DocumentRef {
	return s.client.Collection(colIVRQueues).Doc(id)
}

func (s *Store) BeginTurn(ctx context.Context, rec ivrrec.Turn, now time.Time) (ivrrec.Turn, bool, error) {
	ref := s.turnRef(rec.ID)
	var held ivrrec.Turn
	var created bool
	err := s.client.RunTransaction(ctx, func(ctx context.Context, ft *gfs.Transaction) error {
		snap, err := ft.Get(ref)
		switch {
		case status.Code(err) == codes.NotFound:
		case err != nil:
			return err
		default:
			var d turnDoc
			if err := snap.DataTo(&d); err != nil {
				return fmt.Errorf("decode %s: %w", ref.Path, err)
			}
			if d.ExpireAt.After(now) && (d.State == string(ivrrec.TurnDone) || d.LeaseUntil.After(now)) {
				held, created = d.turn(rec.ID), false
				return nil
			}
		}
		held, created = rec, true
		return ft.Set(ref, toTurnDoc(rec))
	})
	if err != nil {
		return ivrrec.Turn{}, false, mapErr(err, "begin "+ref.Path)
	}
	return held, created, nil
}

func (s *Store) Turn(ctx context.Context, id string) (ivrrec.Turn, error) {
	d, err := get[turnDoc](ctx, s.turnRef(id))
	if err != nil {
		return ivrrec.Turn{}, err
	}
	return d.turn(id), nil
}

func (s *Store) FinishTurn(ctx context.Context, id string, response []byte) error {
	ref := s.turnRef(id)
	err := s.client.RunTransaction(ctx, func(ctx context.Context, ft *gfs.Transaction) error {
		snap, err := ft.Get(ref)
		if err != nil {
			return err
		}
		var d turnDoc
		if err := snap.DataTo(&d); err != nil {
			return fmt.Errorf("decode %s: %w", ref.Path, err)
		}
		if d.State == string(ivrrec.TurnDone) {
			return nil
		}
		d.State, d.Response = string(ivrrec.TurnDone), response
		return ft.Set(ref, d)
	})
	if err != nil {
		return mapErr(err, "finish "+ref.Path)
	}
	return nil
}

func (s *Store) IVRQueue(ctx context.Context, id string) (ivrrec.Queue, error) {
	d, err := get[ivrQueueDoc](ctx, s.ivrQueueRef(id))
	if err != nil {
		return ivrrec.Queue{}, err
	}
	return d.queue(id), nil
}

func (s *Store) IVRQueues(ctx context.Context) ([]ivrrec.Queue, error) {
	return listByID(ctx, s.client.Collection(colIVRQueues), ivrQueueDoc.queue)
}

func (s *Store) PutIVRQueue(ctx context.Context, q ivrrec.Queue) error {
	return set(ctx, s.ivrQueueRef(q.ID), toIVRQueueDoc(q))
}

func (s *Store) DeleteIVRQueue(ctx context.Context, id string) error {
	ref := s.ivrQueueRef(id)
	if _, err := ref.Delete(ctx); err != nil {
		return mapErr(err, "delete "+ref.Path)
	}
	return nil
}
