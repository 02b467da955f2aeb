package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// inboxChat is what the console reads of a chat in the inbox.
type inboxChat struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
	Status  string `json:"status"`
}

type inbox struct {
	Offered []inboxChat `json:"offered"`
	Active  []inboxChat `json:"active"`
}

type viewMessage struct {
	Seq    int64  `json:"seq"`
	Author string `json:"author"`
	Kind   string `json:"kind"`
	Body   string `json:"body"`
	// InboundID is the carrier delivery a consumer message came from.
	InboundID string    `json:"inboundId"`
	CreatedAt time.Time `json:"createdAt"`
	Send      struct {
		State     string `json:"state"`
		Error     string `json:"error"`
		ErrorCode string `json:"errorCode"`
	} `json:"send"`
	Delivery struct {
		Status       string `json:"status"`
		ErrorMessage string `json:"errorMessage"`
	} `json:"delivery"`
}

type chatView struct {
	Chat struct {
		ID       string `json:"id"`
		Number   string `json:"number"`
		Consumer string `json:"consumer"`
		Version  int64  `json:"version"`
		Status   string `json:"status"`
	} `json:"chat"`
	Messages []viewMessage `json:"messages"`
}

// agentChat is what one agent's console knows of one of its chats.
type agentChat struct {
	version int64
	lastSeq int64
	todo    []reply
	replied map[int64]bool
	ending  bool // the last follow-up is answered: end the chat
}

type reply struct {
	seq  int64
	tag  string
	last bool
}

// agent is one agent's console: it reads the inbox once a second, reads a
// chat (only what is new) when the inbox shows it changed, answers each
// follow-up of the consumer once, and ends the chat after the last one.
func (s *sim) agent(ctx context.Context, id string) {
	principal := agentPrincipal(id)
	chats := map[string]*agentChat{}
	select {
	case <-ctx.Done():
		return
	case <-time.After(jitter(s.o.inboxPoll)):
	}
	tick := time.NewTicker(s.o.inboxPoll)
	defer tick.Stop()
	for polls := 0; ; polls++ {
		s.agentPoll(ctx, principal, chats, polls)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *sim) agentPoll(ctx context.Context, principal string, chats map[string]*agentChat, polls int) {
	// As the console: the recently ended chats only every 30th poll.
	path := "/AgentAPI/inbox?ended=false"
	if polls%30 == 0 {
		path = "/AgentAPI/inbox"
	}
	var in inbox
	s.inboxPolls.Add(1)
	if err := s.c.call(ctx, principal, "GET", path, "", &in); err != nil {
		if ctx.Err() == nil {
			s.fail("inbox", err)
		}
		return
	}
	for _, c := range in.Offered {
		s.accepts.Add(1)
		if err := s.c.call(ctx, principal, "POST", "/AgentAPI/chats/"+c.ID+"/accept", "", nil); err != nil && ctx.Err() == nil {
			s.fail("accept", err)
		}
	}
	held := map[string]bool{}
	for _, c := range in.Active {
		held[c.ID] = true
		ac := chats[c.ID]
		if ac == nil {
			ac = &agentChat{version: -1, replied: map[int64]bool{}}
			chats[c.ID] = ac
		}
		if c.Version != ac.version {
			s.readChat(ctx, principal, c.ID, ac)
		}
		s.work(ctx, principal, c.ID, ac)
	}
	for id := range chats {
		if !held[id] {
			delete(chats, id) // ended: the console drops it from the list
		}
	}
}

// readChat reads a chat's messages after the last one this console has.
func (s *sim) readChat(ctx context.Context, principal, chatID string, ac *agentChat) {
	var v chatView
	s.chatReads.Add(1)
	err := s.c.call(ctx, principal, "GET", fmt.Sprintf("/AgentAPI/chats/%s?after=%d", chatID, ac.lastSeq), "", &v)
	if err != nil {
		if ctx.Err() == nil {
			s.fail("chat read", err)
		}
		return
	}
	now := time.Now()
	ac.version = v.Chat.Version
	for _, m := range v.Messages {
		ac.lastSeq = max(ac.lastSeq, m.Seq)
		if m.Author != "consumer" {
			continue
		}
		s.seen(m.Body, now)
		if k, n, tag, ok := parseFollowUp(m.Body); ok && !ac.replied[m.Seq] {
			ac.todo = append(ac.todo, reply{seq: m.Seq, tag: tag, last: k >= n})
		}
	}
}

// work sends the replies a chat awaits, and ends it after the last one.
// A failed request is tried again at the next poll with the same request
// id, which the server recognises.
func (s *sim) work(ctx context.Context, principal, chatID string, ac *agentChat) {
	for len(ac.todo) > 0 {
		r := ac.todo[0]
		body := fmt.Sprintf(`{"body":"%s%s","requestId":"r-%s-%d"}`, replyPrefix, r.tag, chatID, r.seq)
		s.replies.Add(1)
		err := s.c.call(ctx, principal, "POST", "/AgentAPI/chats/"+chatID+"/messages", body, nil)
		if err != nil && statusOf(err) != http.StatusConflict {
			if ctx.Err() == nil {
				s.fail("reply", err)
			}
			return
		}
		ac.todo = ac.todo[1:]
		ac.replied[r.seq] = true
		if err != nil {
			return // the chat ended meanwhile (the consumer texted STOP)
		}
		ac.ending = ac.ending || r.last
	}
	if ac.ending {
		s.ends.Add(1)
		err := s.c.call(ctx, principal, "POST", "/AgentAPI/chats/"+chatID+"/end", `{"wrapUp":"load"}`, nil)
		if err == nil || statusOf(err) == http.StatusConflict {
			ac.ending = false
		} else if ctx.Err() == nil {
			s.fail("end", err)
		}
	}
}

// parseFollowUp reads "q<k>/<n> <tag>".
func parseFollowUp(body string) (k, n int, tag string, ok bool) {
	head, tag, found := strings.Cut(body, " ")
	if !found || !strings.HasPrefix(head, "q") {
		return 0, 0, "", false
	}
	if _, err := fmt.Sscanf(head, "q%d/%d", &k, &n); err != nil || k < 1 || n < 1 {
		return 0, 0, "", false
	}
	return k, n, tag, true
}
