package chat

// Queue is a node of the queue tree. Consumers navigate menus of a queue's
// visible children and wait for an agent on a leaf. Unset settings inherit
// from the parent (the routing issue adds timeouts and messages).
type Queue struct {
	ID       string   `firestore:"id" json:"id"`
	ParentID string   `firestore:"parentId,omitempty" json:"parentId,omitempty"`
	Name     string   `firestore:"name" json:"name"`
	Hidden   bool     `firestore:"hidden,omitempty" json:"hidden,omitempty"`
	Order    int      `firestore:"order" json:"order"`
	Keywords []string `firestore:"keywords,omitempty" json:"keywords,omitempty"`
	Language string   `firestore:"language,omitempty" json:"language,omitempty"`
	Agents   []string `firestore:"agents,omitempty" json:"agents,omitempty"`
}

// AgentStatus is an agent's availability.
type AgentStatus string

const (
	AgentAvailable AgentStatus = "available"
	AgentAway      AgentStatus = "away"
	AgentOffline   AgentStatus = "offline"
)

// Agent is a person who answers chats.
type Agent struct {
	ID         string      `firestore:"id" json:"id"`
	Name       string      `firestore:"name" json:"name"`
	Email      string      `firestore:"email,omitempty" json:"email,omitempty"`
	Languages  []string    `firestore:"languages,omitempty" json:"languages,omitempty"`
	Status     AgentStatus `firestore:"status" json:"status"`
	Capacity   int         `firestore:"capacity" json:"capacity"`
	AutoAnswer bool        `firestore:"autoAnswer,omitempty" json:"autoAnswer,omitempty"`
}
