package agentapi

import "net/http"

// takeChat is an agent taking a chat that waits in one of their queues
// (POST /chats/{id}/take, no body or {}): 200 with the chat, now theirs and
// the consumer told who they chat with; 403 for a chat not of their queues;
// 409 for one no longer waiting, or an agent who could not be offered it
// (away, full, not speaking its language).
func takeChat(a *Services, w http.ResponseWriter, r *http.Request) {
	if !DecodeEmpty(w, r) {
		return
	}
	c, err := a.Conversation.Take(r.Context(), ViewerOf(r), r.PathValue("id"))
	answer(w, r, c, err)
}
