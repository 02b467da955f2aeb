package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestStripFunctionPrefix(t *testing.T) {
	var got string
	h := StripFunctionPrefix("AgentAPI", http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.URL.Path }))
	for path, want := range map[string]string{
		"/AgentAPI/chats/1": "/chats/1",
		"/AgentAPI":         "/",
		"/chats/1":          "/chats/1",
		"/AgentAPIx/chats":  "/AgentAPIx/chats",
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
		if got != want {
			t.Errorf("%s served as %s, want %s", path, got, want)
		}
	}
}
