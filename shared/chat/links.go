package chat

import "net/url"

// httpsURL: links agents send (in-call links, the app link) are https only.
func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

// Link is a named https link.
type Link struct {
	ID    string `firestore:"id" json:"id"`
	Title string `firestore:"title" json:"title"`
	URL   string `firestore:"url" json:"url"`
}
