package crm

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Call sends one request to a CRM's HTTP API and decodes a 2xx JSON answer
// into out (nil: the answer is not read for anything). Every adapter
// answers failures in the sync's terms: a request that never got an answer
// and a 429 or 5xx are Retryable (a 429 with its Retry-After), anything
// else is not; describe turns the CRM's error body into its message (nil:
// the body as it came). badURL names the address for a request whose URL
// cannot be dialled, which no retry mends.
func Call(hc *http.Client, req *http.Request, op, badURL string, out any, describe func(body []byte) string) error {
	resp, err := hc.Do(req)
	if err != nil {
		if req.URL.Host == "" || (req.URL.Scheme != "https" && req.URL.Scheme != "http") {
			return &Error{Op: op, Message: badURL + ": " + err.Error()}
		}
		return &Error{Op: op, Message: "unreachable: " + err.Error(), Retryable: true}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return &Error{Op: op, Status: resp.StatusCode, Message: "reading the answer: " + err.Error(), Retryable: true}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return &Error{Op: op, Status: resp.StatusCode, Message: "answer is not the documented JSON: " + err.Error()}
		}
		return nil
	}
	msg := ""
	if describe != nil {
		msg = describe(raw)
	}
	if msg == "" {
		msg = strings.TrimSpace(string(raw))
	}
	if len(msg) > 500 {
		msg = msg[:500]
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	e := &Error{Op: op, Status: resp.StatusCode, Message: msg}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Retryable = true
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
	case resp.StatusCode >= 500:
		e.Retryable = true
	}
	return e
}
