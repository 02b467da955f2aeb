package agentapi

import (
	"net/http"

	"github.com/smsdesk/smsdesk/shared/desk"
)

// NoteRequest is a private note on a chat: never sent to the consumer.
// Mentions are agent ids the writer picked; @id and @Name in the body
// name agents too. A retry with the same requestId stores one note.
type NoteRequest struct {
	Body      string   `json:"body"`
	Mentions  []string `json:"mentions,omitempty"`
	RequestID string   `json:"requestId"`
}

// LabelsRequest adds and removes labels of a chat.
type LabelsRequest struct {
	Add    []string `json:"add,omitempty"`
	Remove []string `json:"remove,omitempty"`
}

// noteRoutes are private notes, mentions and labels: whoever may see the
// chat (desk decides) writes and reads them; the search of the chats the
// caller sees; an offer's preview.
func noteRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/chats/{id}/notes", Handle: listNotes},
		{Method: "POST", Path: "/chats/{id}/notes", Handle: postNote},
		{Method: "GET", Path: "/mentions", Handle: listMentions},
		{Method: "POST", Path: "/mentions/{id}/read", Handle: readMention},
		{Method: "POST", Path: "/chats/{id}/labels", Handle: postLabels},
		{Method: "GET", Path: "/labels", Handle: listLabels},
		{Method: "GET", Path: "/search", Handle: searchChats},
		{Method: "GET", Path: "/chats/{id}/preview", Handle: offerPreview},
	}
}

func listNotes(a *Services, w http.ResponseWriter, r *http.Request) {
	ns, err := a.Desk.Notes(r.Context(), ViewerOf(r), r.PathValue("id"))
	answer(w, r, ns, err)
}

func postNote(a *Services, w http.ResponseWriter, r *http.Request) {
	var in NoteRequest
	if !Decode(w, r, "NoteRequest", &in) {
		return
	}
	n, err := a.Desk.AddNote(r.Context(), ViewerOf(r), r.PathValue("id"),
		desk.NoteInput{Body: in.Body, Mentions: in.Mentions, RequestID: in.RequestID})
	answer(w, r, n, err)
}

func listMentions(a *Services, w http.ResponseWriter, r *http.Request) {
	ms, err := a.Desk.Mentions(r.Context(), ViewerOf(r))
	answer(w, r, ms, err)
}

func readMention(a *Services, w http.ResponseWriter, r *http.Request) {
	if !DecodeEmpty(w, r) {
		return
	}
	errs.Deleted(w, r, a.Desk.ReadMention(r.Context(), ViewerOf(r), r.PathValue("id")))
}

func postLabels(a *Services, w http.ResponseWriter, r *http.Request) {
	var in LabelsRequest
	if !Decode(w, r, "LabelsRequest", &in) {
		return
	}
	c, err := a.Desk.EditLabels(r.Context(), ViewerOf(r), r.PathValue("id"), in.Add, in.Remove)
	answer(w, r, c, err)
}

func listLabels(a *Services, w http.ResponseWriter, r *http.Request) {
	ls, err := a.Desk.Labels(r.Context())
	answer(w, r, ls, err)
}

func searchChats(a *Services, w http.ResponseWriter, r *http.Request) {
	res, err := a.Desk.Search(r.Context(), ViewerOf(r), r.URL.Query().Get("q"))
	answer(w, r, res, err)
}

func offerPreview(a *Services, w http.ResponseWriter, r *http.Request) {
	p, err := a.Desk.OfferPreview(r.Context(), ViewerOf(r), r.PathValue("id"))
	answer(w, r, p, err)
}
