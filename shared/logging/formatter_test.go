package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"
)

var testTime = time.Date(2025, 4, 11, 14, 30, 5, 123456789, time.FixedZone("EDT", -4*3600))

const testTimestamp = "2025-04-11T18:30:05.123456789Z"

type stringer struct{}

func (stringer) String() string { return "stringer-value" }

// decodeLines parses every output line as one JSON object, failing on any
// line that is not, which is what Cloud Logging's agent requires.
func decodeLines(t *testing.T, out []byte) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is not a JSON object: %v", line, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestCloudFormatterFields(t *testing.T) {
	tests := []struct {
		name      string
		projectID string
		level     logrus.Level
		fields    logrus.Fields
		want      map[string]any
	}{
		{
			name:  "plain info",
			level: logrus.InfoLevel,
			want: map[string]any{
				"severity": "INFO", "message": "hello", "timestamp": testTimestamp,
			},
		},
		{
			name:  "trace fields become Cloud Logging trace keys",
			level: logrus.WarnLevel,
			fields: logrus.Fields{
				"trace":         "projects/p1/traces/4bf92f3577b34da6a3ce929d0e0e4736",
				"span_id":       "00f067aa0ba902b7",
				"trace_sampled": true,
			},
			want: map[string]any{
				"severity": "WARNING", "message": "hello", "timestamp": testTimestamp,
				"logging.googleapis.com/trace":         "projects/p1/traces/4bf92f3577b34da6a3ce929d0e0e4736",
				"logging.googleapis.com/spanId":        "00f067aa0ba902b7",
				"logging.googleapis.com/trace_sampled": true,
			},
		},
		{
			name:      "bare trace id qualified with project",
			projectID: "p2",
			level:     logrus.InfoLevel,
			fields:    logrus.Fields{"trace": "4bf92f3577b34da6a3ce929d0e0e4736", "trace_sampled": "false"},
			want: map[string]any{
				"severity": "INFO", "message": "hello", "timestamp": testTimestamp,
				"logging.googleapis.com/trace":         "projects/p2/traces/4bf92f3577b34da6a3ce929d0e0e4736",
				"logging.googleapis.com/trace_sampled": false,
			},
		},
		{
			name:  "label keys go to labels as strings, others stay top level",
			level: logrus.ErrorLevel,
			fields: logrus.Fields{
				"function":            "RouteInbound",
				"chat_id":             "c-42",
				"provider":            "twilio",
				"provider_message_id": "SM123",
				"message_seq":         7,
				"task_name":           stringer{},
				"queue":               "billing",
				"attempt":             3,
				"latency_ms":          12.5,
				"details":             map[string]any{"a": 1},
			},
			want: map[string]any{
				"severity": "ERROR", "message": "hello", "timestamp": testTimestamp,
				"logging.googleapis.com/labels": map[string]any{
					"function": "RouteInbound", "chat_id": "c-42", "provider": "twilio",
					"provider_message_id": "SM123", "message_seq": "7",
					"task_name": "stringer-value", "queue": "billing",
				},
				"attempt": 3.0, "latency_ms": 12.5, "details": map[string]any{"a": 1.0},
			},
		},
		{
			name:   "errors rendered as strings",
			level:  logrus.ErrorLevel,
			fields: logrus.Fields{logrus.ErrorKey: fmt.Errorf("send: %w", errors.New("carrier 30007")), "cause": errors.New("other")},
			want: map[string]any{
				"severity": "ERROR", "message": "hello", "timestamp": testTimestamp,
				"error": "send: carrier 30007", "cause": "other",
			},
		},
		{
			name:   "fields cannot overwrite Cloud Logging keys",
			level:  logrus.InfoLevel,
			fields: logrus.Fields{"severity": "EMERGENCY", "message": "spoof", "logging.googleapis.com/labels": "x"},
			want: map[string]any{
				"severity": "INFO", "message": "hello", "timestamp": testTimestamp,
				"fields.severity": "EMERGENCY", "fields.message": "spoof",
				"fields.logging.googleapis.com/labels": "x",
			},
		},
		{
			name:   "empty trace is omitted",
			level:  logrus.DebugLevel,
			fields: logrus.Fields{"trace": "", "span_id": ""},
			want: map[string]any{
				"severity": "DEBUG", "message": "hello", "timestamp": testTimestamp,
			},
		},
		{
			name:   "unencodable value is stringified, line kept",
			level:  logrus.InfoLevel,
			fields: logrus.Fields{"ch": make(chan int), "ok": "yes"},
			want: map[string]any{
				"severity": "INFO", "message": "hello", "timestamp": testTimestamp,
				"ch": "<chan>", "ok": "yes",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := New(&buf, logrus.TraceLevel, tt.projectID)
			logger.WithTime(testTime).WithFields(tt.fields).Log(tt.level, "hello")

			lines := decodeLines(t, buf.Bytes())
			if len(lines) != 1 {
				t.Fatalf("got %d lines, want 1: %s", len(lines), buf.String())
			}
			got := lines[0]
			// A channel prints as its address; only the type prefix is stable.
			if ch, ok := got["ch"].(string); ok && strings.HasPrefix(ch, "0x") {
				got["ch"] = "<chan>"
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("log line mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		level logrus.Level
		want  string
	}{
		{logrus.TraceLevel, "DEBUG"},
		{logrus.DebugLevel, "DEBUG"},
		{logrus.InfoLevel, "INFO"},
		{logrus.WarnLevel, "WARNING"},
		{logrus.ErrorLevel, "ERROR"},
		{logrus.FatalLevel, "CRITICAL"},
		{logrus.PanicLevel, "CRITICAL"},
	}
	f := &CloudFormatter{}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			// Format directly: logging at Fatal or Panic through a logger
			// would exit or panic the test.
			out, err := f.Format(&logrus.Entry{Level: tt.level, Time: testTime, Message: "m", Data: logrus.Fields{}})
			if err != nil {
				t.Fatal(err)
			}
			if got := decodeLines(t, out)[0]["severity"]; got != tt.want {
				t.Errorf("severity = %v, want %q", got, tt.want)
			}
		})
	}
}

func TestSourceLocation(t *testing.T) {
	var buf bytes.Buffer
	logger := New(&buf, logrus.InfoLevel, "")
	logger.SetReportCaller(true)
	logger.Info("with caller")

	loc, ok := decodeLines(t, buf.Bytes())[0]["logging.googleapis.com/sourceLocation"].(map[string]any)
	if !ok {
		t.Fatalf("no sourceLocation object in %s", buf.String())
	}
	if file, _ := loc["file"].(string); !strings.HasSuffix(file, "formatter_test.go") {
		t.Errorf("file = %q, want this test file", file)
	}
	line, _ := loc["line"].(string)
	if n, err := strconv.Atoi(line); err != nil || n <= 0 {
		t.Errorf("line = %#v, want a positive number as a string", loc["line"])
	}
	if fn, _ := loc["function"].(string); !strings.HasSuffix(fn, ".TestSourceLocation") {
		t.Errorf("function = %q, want it to name TestSourceLocation", fn)
	}

	buf.Reset()
	logger.SetReportCaller(false)
	logger.Info("without caller")
	if _, ok := decodeLines(t, buf.Bytes())[0]["logging.googleapis.com/sourceLocation"]; ok {
		t.Error("sourceLocation present without ReportCaller")
	}
}

func TestOneObjectPerLine(t *testing.T) {
	var buf bytes.Buffer
	logger := New(&buf, logrus.InfoLevel, "")
	logger.Info("first\nwith newline")
	logger.Debug("filtered by level")
	logger.WithField("url", "https://x.test/?a=1&b=<2>").Warn("second")

	lines := decodeLines(t, buf.Bytes())
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), buf.String())
	}
	if lines[0]["message"] != "first\nwith newline" {
		t.Errorf("first message = %q", lines[0]["message"])
	}
	// HTML escaping would turn & and < into \u0026 and \u003c in the raw log.
	if !strings.Contains(buf.String(), "&b=<2>") {
		t.Errorf("URL was HTML-escaped: %s", buf.String())
	}
}

func TestLabelKeys(t *testing.T) {
	want := []string{"chat_id", "function", "message_seq", "provider", "provider_message_id", "queue", "task_name"}
	if diff := cmp.Diff(want, LabelKeys()); diff != "" {
		t.Errorf("LabelKeys mismatch (-want +got):\n%s", diff)
	}
}
