package chat

// Canned is a prepared reply agents pick instead of typing (canned/{id}).
// Its body may carry placeholders that are filled for the chat it is sent
// in; see canned.Render (package chat/canned).
type Canned struct {
	ID    string `firestore:"id" json:"id"`
	Title string `firestore:"title" json:"title"`
	// Language is the chats' language it is meant for; empty fits every
	// language.
	Language string `firestore:"language,omitempty" json:"language,omitempty"`
	Body     string `firestore:"body" json:"body"`
	// QueueIDs limits it to chats in these queues or their subtrees; empty
	// fits every queue.
	QueueIDs []string `firestore:"queueIds,omitempty" json:"queueIds,omitempty"`
}

// Canned message placeholders, by name without @{}.
const (
	// PlaceholderAgent is the first name of the agent who sends the reply.
	PlaceholderAgent = "AGENT"
	// PlaceholderConsumerFirstName is the consumer's first name. Until a CRM
	// record is linked to the chat it is unknown and renders as nothing.
	PlaceholderConsumerFirstName = "CONSUMER_FIRST_NAME"
	// PlaceholderQueue is the name of the chat's queue.
	PlaceholderQueue = "QUEUE"
)
