package httpapi_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/access"
	"github.com/smsdesk/smsdesk/shared/httpapi"
	"github.com/smsdesk/smsdesk/shared/media"
	"github.com/smsdesk/smsdesk/shared/store"
)

func TestErrorMapping(t *testing.T) {
	problems := []chat.FieldError{{Field: "body", Message: "too long"}, {Field: "requestId", Message: "required"}}
	invalid := &chat.ValidationError{Problems: problems}
	admin := httpapi.Errors{
		API:      "AdminAPI",
		Invalid:  func(*chat.ValidationError) string { return "invalid configuration: the change was not saved" },
		Internal: "internal error; the change may be incomplete, retry it",
	}
	tests := []struct {
		name   string
		errs   httpapi.Errors
		err    error
		status int
		want   httpapi.ErrorBody
	}{
		{"a refused request", httpapi.Errors{}, fmt.Errorf("reply: %w", invalid), 400,
			httpapi.ErrorBody{Error: "invalid request: body: too long; requestId: required", Problems: problems}},
		{"a refused request, the API's message", admin, invalid, 400,
			httpapi.ErrorBody{Error: "invalid configuration: the change was not saved", Problems: problems}},
		{"a refused action", httpapi.Errors{}, fmt.Errorf("accept: %w", access.Forbidden("chat %s is not yours", "c1")), 403,
			httpapi.ErrorBody{Error: "chat c1 is not yours"}},
		{"forbidden, without a reason", httpapi.Errors{}, fmt.Errorf("x: %w", access.ErrForbidden), 403,
			httpapi.ErrorBody{Error: "you may not do this"}},
		{"an unknown id", httpapi.Errors{}, fmt.Errorf("chat c9: %w", store.ErrNotFound), 404,
			httpapi.ErrorBody{Error: "chat c9: " + store.ErrNotFound.Error()}},
		{"a chat in the wrong state", httpapi.Errors{}, fmt.Errorf("reply: %w", chat.ErrChatEnded), 409,
			httpapi.ErrorBody{Error: "reply: the chat has ended"}},
		{"a medium refused as invalid", httpapi.Errors{}, &media.Error{Kind: media.Invalid, Message: "the file is empty"}, 400,
			httpapi.ErrorBody{Error: "the file is empty"}},
		{"a medium too large", httpapi.Errors{}, fmt.Errorf("upload: %w", &media.Error{Kind: media.TooLarge, Message: "over 5 MB"}), 413,
			httpapi.ErrorBody{Error: "over 5 MB"}},
		{"a medium of a type carriers refuse", httpapi.Errors{}, &media.Error{Kind: media.UnsupportedType, Message: "not an image"}, 415,
			httpapi.ErrorBody{Error: "not an image"}},
		{"media off", httpapi.Errors{}, &media.Error{Kind: media.Off, Message: "MEDIA_BUCKET is not set"}, 503,
			httpapi.ErrorBody{Error: "MEDIA_BUCKET is not set"}},
		{"anything else", httpapi.Errors{}, errors.New("firestore: deadline exceeded at 10.0.0.7"), 500,
			httpapi.ErrorBody{Error: "internal error; retry the request"}},
		{"anything else, the API's message", admin, errors.New("firestore: deadline exceeded"), 500,
			httpapi.ErrorBody{Error: "internal error; the change may be incomplete, retry it"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.errs.Fail(rec, httptest.NewRequest("GET", "/x", nil), tc.err)
			var got httpapi.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAnswer(t *testing.T) {
	rec := httptest.NewRecorder()
	httpapi.Errors{}.Answer(rec, httptest.NewRequest("GET", "/x", nil), map[string]int{"n": 1}, nil)
	if rec.Code != http.StatusOK || rec.Body.String() != "{\"n\":1}\n" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("%d %q %v", rec.Code, rec.Body, rec.Header())
	}
	rec = httptest.NewRecorder()
	httpapi.Errors{}.Deleted(rec, httptest.NewRequest("DELETE", "/x", nil), fmt.Errorf("x: %w", store.ErrNotFound))
	if rec.Code != http.StatusNotFound {
		t.Errorf("a failed delete: %d", rec.Code)
	}
}
