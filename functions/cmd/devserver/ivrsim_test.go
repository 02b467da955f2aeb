package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"google.golang.org/protobuf/encoding/protojson"
)

// The IVR simulator posts what a CX agent would: a WebhookRequest with the
// tag, the session naming the call, the caller id in the telephony
// payload, the parameters, and the webhook's secret header; the page gets
// the request and the answer.
func TestIVRSimulatorTurn(t *testing.T) {
	var got cxpb.WebhookRequest
	var header string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header = r.Header.Get("X-IVR-Webhook-Secret")
		raw, _ := io.ReadAll(r.Body)
		if err := protojson.Unmarshal(raw, &got); err != nil {
			t.Errorf("not a WebhookRequest: %v", err)
		}
		_, _ = w.Write([]byte(`{"sessionInfo":{"parameters":{"waittime_ask":true}}}`))
	}))
	defer hook.Close()
	sim := &ivrSimulator{webhook: hook.URL, secret: "s3cret", secretHeader: "X-IVR-Webhook-Secret", client: hook.Client()}
	rec := httptest.NewRecorder()
	sim.ServeHTTP(rec, httptest.NewRequest("POST", "/IVRSimulator/api/turn", strings.NewReader(
		`{"call":"sim-1","caller":"+14155550142","language":"en-US","tag":"waittime-answer","turn":"turn-3","params":{"ivr_queue":"demo-ivr","waittime_consent":"yes"}}`)))
	if rec.Code != http.StatusOK {
		t.Fatalf("turn = %d %s", rec.Code, rec.Body)
	}
	if header != "s3cret" || got.GetFulfillmentInfo().GetTag() != "waittime-answer" || got.GetDetectIntentResponseId() != "turn-3" ||
		!strings.HasSuffix(got.GetSessionInfo().GetSession(), "/sessions/sim-1") || got.GetLanguageCode() != "en-US" ||
		got.GetPayload().GetFields()["telephony"].GetStructValue().GetFields()["caller_id"].GetStringValue() != "+14155550142" ||
		got.GetSessionInfo().GetParameters()["waittime_consent"].GetStringValue() != "yes" {
		t.Errorf("webhook got %v (secret %q)", &got, header)
	}
	var out simResult
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.Status != 200 || !strings.Contains(string(out.Response), "waittime_ask") || len(out.Request) == 0 {
		t.Errorf("page got %s (%v)", rec.Body, err)
	}
	rec = httptest.NewRecorder()
	sim.ServeHTTP(rec, httptest.NewRequest("POST", "/IVRSimulator/api/turn", strings.NewReader(`{"call":"sim-1"}`)))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("a turn without a tag = %d", rec.Code)
	}
}
