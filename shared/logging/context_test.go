package logging

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"
)

func TestFromFallsBack(t *testing.T) {
	e := From(context.Background())
	if e == nil {
		t.Fatal("From(empty ctx) = nil")
	}
	if _, ok := e.Logger.Formatter.(*CloudFormatter); !ok {
		t.Errorf("fallback formatter is %T, want *CloudFormatter", e.Logger.Formatter)
	}
	if From(WithEntry(context.Background(), nil)) != e {
		t.Error("a nil entry in the context should fall back too")
	}
}

func TestWithAccumulatesFields(t *testing.T) {
	var buf bytes.Buffer
	logger := New(&buf, logrus.InfoLevel, "p")
	base := WithEntry(context.Background(), logger.WithField("function", "RouteInbound"))
	withChat := With(base, logrus.Fields{"chat_id": "c-1"})
	withSeq := With(withChat, logrus.Fields{"message_seq": 2, "step": "menu"})

	From(withSeq).Info("routed")
	From(base).Info("base")

	lines := decodeLines(t, buf.Bytes())
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2", len(lines))
	}
	wantLabels := map[string]any{"function": "RouteInbound", "chat_id": "c-1", "message_seq": "2"}
	if diff := cmp.Diff(wantLabels, lines[0]["logging.googleapis.com/labels"]); diff != "" {
		t.Errorf("labels mismatch (-want +got):\n%s", diff)
	}
	if lines[0]["step"] != "menu" {
		t.Errorf("step = %v, want menu", lines[0]["step"])
	}
	// Deriving a context must not leak fields into the parent's entry.
	if diff := cmp.Diff(map[string]any{"function": "RouteInbound"}, lines[1]["logging.googleapis.com/labels"]); diff != "" {
		t.Errorf("parent entry gained fields (-want +got):\n%s", diff)
	}
}

func TestTraceFromRequest(t *testing.T) {
	const (
		tid     = "4bf92f3577b34da6a3ce929d0e0e4736"
		cloudID = "105445aa7843bc8bf206b12000100000"
	)
	tests := []struct {
		name        string
		project     string
		traceparent string
		cloud       string
		wantTrace   string
		wantSpan    string
		wantSampled bool
	}{
		{name: "no headers", project: "p"},
		{name: "traceparent sampled", project: "p",
			traceparent: "00-" + tid + "-00f067aa0ba902b7-01",
			wantTrace:   "projects/p/traces/" + tid, wantSpan: "00f067aa0ba902b7", wantSampled: true},
		{name: "traceparent not sampled", project: "p",
			traceparent: "00-" + tid + "-00f067aa0ba902b7-00",
			wantTrace:   "projects/p/traces/" + tid, wantSpan: "00f067aa0ba902b7"},
		{name: "traceparent other flags with sampled bit", project: "p",
			traceparent: "00-" + tid + "-00f067aa0ba902b7-03",
			wantTrace:   "projects/p/traces/" + tid, wantSpan: "00f067aa0ba902b7", wantSampled: true},
		{name: "traceparent future version with extra field", project: "p",
			traceparent: "01-" + tid + "-00f067aa0ba902b7-01-extra",
			wantTrace:   "projects/p/traces/" + tid, wantSpan: "00f067aa0ba902b7", wantSampled: true},
		{name: "cloud header sampled", project: "p",
			cloud:     cloudID + "/1;o=1",
			wantTrace: "projects/p/traces/" + cloudID, wantSpan: "0000000000000001", wantSampled: true},
		{name: "cloud header max span, not sampled", project: "p",
			cloud:     cloudID + "/18446744073709551615;o=0",
			wantTrace: "projects/p/traces/" + cloudID, wantSpan: "ffffffffffffffff"},
		{name: "cloud header trace only", project: "p",
			cloud:     cloudID,
			wantTrace: "projects/p/traces/" + cloudID},
		{name: "cloud header uppercase hex", project: "p",
			cloud:     "105445AA7843BC8BF206B12000100000/12345",
			wantTrace: "projects/p/traces/" + cloudID, wantSpan: "0000000000003039"},
		{name: "cloud header bad span keeps trace", project: "p",
			cloud:     cloudID + "/abc;o=1",
			wantTrace: "projects/p/traces/" + cloudID, wantSampled: true},
		{name: "traceparent wins over cloud header", project: "p",
			traceparent: "00-" + tid + "-00f067aa0ba902b7-00", cloud: cloudID + "/1;o=1",
			wantTrace: "projects/p/traces/" + tid, wantSpan: "00f067aa0ba902b7"},
		{name: "malformed traceparent falls back to cloud header", project: "p",
			traceparent: "garbage", cloud: cloudID + "/1;o=1",
			wantTrace: "projects/p/traces/" + cloudID, wantSpan: "0000000000000001", wantSampled: true},
		{name: "no project means no trace", project: "",
			traceparent: "00-" + tid + "-00f067aa0ba902b7-01"},

		{name: "traceparent too few fields", project: "p", traceparent: "00-" + tid + "-00f067aa0ba902b7"},
		{name: "traceparent version 00 with extra field", project: "p", traceparent: "00-" + tid + "-00f067aa0ba902b7-01-x"},
		{name: "traceparent version ff", project: "p", traceparent: "ff-" + tid + "-00f067aa0ba902b7-01"},
		{name: "traceparent uppercase", project: "p", traceparent: "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"},
		{name: "traceparent zero trace", project: "p", traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01"},
		{name: "traceparent zero span", project: "p", traceparent: "00-" + tid + "-0000000000000000-01"},
		{name: "traceparent short trace", project: "p", traceparent: "00-4bf92f35-00f067aa0ba902b7-01"},
		{name: "traceparent bad flags", project: "p", traceparent: "00-" + tid + "-00f067aa0ba902b7-zz"},
		{name: "cloud header not hex", project: "p", cloud: "not-a-trace-id-at-all-xxxxxxxxxx/1;o=1"},
		{name: "cloud header short", project: "p", cloud: "105445aa/1;o=1"},
		{name: "cloud header zero trace", project: "p", cloud: "00000000000000000000000000000000/1;o=1"},
		{name: "cloud header empty trace", project: "p", cloud: "/1;o=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			if tt.traceparent != "" {
				r.Header.Set("traceparent", tt.traceparent)
			}
			if tt.cloud != "" {
				r.Header.Set("X-Cloud-Trace-Context", tt.cloud)
			}
			trace, span, sampled := TraceFromRequest(r, tt.project)
			if trace != tt.wantTrace || span != tt.wantSpan || sampled != tt.wantSampled {
				t.Errorf("TraceFromRequest() = (%q, %q, %v), want (%q, %q, %v)",
					trace, span, sampled, tt.wantTrace, tt.wantSpan, tt.wantSampled)
			}
		})
	}
}

func TestMiddleware(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   map[string]any
	}{
		{
			name:   "with trace",
			header: "105445aa7843bc8bf206b12000100000/1;o=1",
			want: map[string]any{
				"severity": "INFO", "message": "handled", "timestamp": "",
				"logging.googleapis.com/labels":        map[string]any{"function": "InboundWebhook", "chat_id": "c-9"},
				"logging.googleapis.com/trace":         "projects/proj/traces/105445aa7843bc8bf206b12000100000",
				"logging.googleapis.com/spanId":        "0000000000000001",
				"logging.googleapis.com/trace_sampled": true,
			},
		},
		{
			name: "without trace",
			want: map[string]any{
				"severity": "INFO", "message": "handled", "timestamp": "",
				"logging.googleapis.com/labels": map[string]any{"function": "InboundWebhook", "chat_id": "c-9"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := New(&buf, logrus.InfoLevel, "proj")
			h := Middleware(logger, "proj", "InboundWebhook", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctx := With(r.Context(), logrus.Fields{"chat_id": "c-9"})
				From(ctx).Info("handled")
				w.WriteHeader(http.StatusNoContent)
			}))
			r := httptest.NewRequest(http.MethodPost, "/InboundWebhook", nil)
			if tt.header != "" {
				r.Header.Set("X-Cloud-Trace-Context", tt.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)

			if rec.Code != http.StatusNoContent {
				t.Errorf("status = %d, want the handler's 204", rec.Code)
			}
			lines := decodeLines(t, buf.Bytes())
			if len(lines) != 1 {
				t.Fatalf("got %d lines, want 1", len(lines))
			}
			got := lines[0]
			if ts, _ := got["timestamp"].(string); ts == "" {
				t.Error("timestamp missing")
			}
			got["timestamp"] = "" // wall clock; presence checked above
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("log line mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
