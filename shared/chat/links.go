package chat

// Link is a named https link.
type Link struct {
	ID    string `firestore:"id" json:"id"`
	Title string `firestore:"title" json:"title"`
	URL   string `firestore:"url" json:"url"`
}
