// Package logging writes logrus entries as Google Cloud Logging structured
// JSON, carries a request-scoped entry in the context, and links log lines to
// Cloud Trace.
package logging

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

// Field keys that the formatter turns into Cloud Logging special fields.
const (
	// FieldTrace holds "projects/P/traces/ID" (or a bare trace ID, which the
	// formatter qualifies with CloudFormatter.ProjectID).
	FieldTrace = "trace"
	// FieldSpanID holds the 16-hex-digit span ID.
	FieldSpanID = "span_id"
	// FieldTraceSampled holds a bool.
	FieldTraceSampled = "trace_sampled"
	// FieldFunction names the Cloud Function; it becomes a label.
	FieldFunction = "function"
)

// Cloud Logging's names for the special fields of a structured log line.
const (
	keySeverity       = "severity"
	keyMessage        = "message"
	keyTimestamp      = "timestamp"
	keyTrace          = "logging.googleapis.com/trace"
	keySpanID         = "logging.googleapis.com/spanId"
	keyTraceSampled   = "logging.googleapis.com/trace_sampled"
	keyLabels         = "logging.googleapis.com/labels"
	keySourceLocation = "logging.googleapis.com/sourceLocation"
)

// labelKeys are fields indexed as labels, so a whole conversation or delivery
// can be found with one exact-match filter instead of a full-text search.
var labelKeys = map[string]struct{}{
	FieldFunction:         {},
	"chat_id":             {},
	"provider":            {},
	"provider_message_id": {},
	"message_seq":         {},
	"task_name":           {},
	"queue":               {},
}

// LabelKeys returns the field keys emitted as Cloud Logging labels, sorted.
func LabelKeys() []string {
	return slices.Sorted(maps.Keys(labelKeys))
}

// CloudFormatter renders one JSON object per line in the shape Cloud Logging's
// agent parses from stdout/stderr of Cloud Functions and Cloud Run.
type CloudFormatter struct {
	// ProjectID qualifies bare trace IDs; it may be empty when every trace
	// field is already fully qualified.
	ProjectID string
}

type sourceLocation struct {
	File     string `json:"file"`
	Line     string `json:"line"` // int64 in the LogEntry proto, a string in JSON
	Function string `json:"function,omitempty"`
}

// Format implements logrus.Formatter.
func (f *CloudFormatter) Format(entry *logrus.Entry) ([]byte, error) {
	out := make(map[string]any, len(entry.Data)+6)
	var labels map[string]string

	for k, v := range entry.Data {
		switch k {
		case FieldTrace:
			if s := fmt.Sprint(v); s != "" {
				out[keyTrace] = f.qualifyTrace(s)
			}
			continue
		case FieldSpanID:
			if s := fmt.Sprint(v); s != "" {
				out[keySpanID] = s
			}
			continue
		case FieldTraceSampled:
			if b, ok := asBool(v); ok {
				out[keyTraceSampled] = b
			}
			continue
		}
		if _, ok := labelKeys[k]; ok {
			if labels == nil {
				labels = make(map[string]string)
			}
			labels[k] = stringify(v)
			continue
		}
		if err, ok := v.(error); ok {
			// encoding/json renders most error values as {}.
			v = err.Error()
		}
		if isReservedKey(k) {
			// Same convention as logrus.JSONFormatter: keep the data, but
			// never let a field overwrite what Cloud Logging interprets.
			k = "fields." + k
		}
		out[k] = v
	}

	out[keySeverity] = severity(entry.Level)
	out[keyMessage] = entry.Message
	out[keyTimestamp] = entry.Time.UTC().Format(time.RFC3339Nano)
	if labels != nil {
		out[keyLabels] = labels
	}
	if entry.HasCaller() {
		out[keySourceLocation] = sourceLocation{
			File:     entry.Caller.File,
			Line:     strconv.Itoa(entry.Caller.Line),
			Function: entry.Caller.Function,
		}
	}

	buf := entry.Buffer
	if buf == nil {
		buf = &bytes.Buffer{}
	}
	if err := encodeLine(buf, out); err != nil {
		// A field held something encoding/json cannot handle (a channel, a
		// func, a NaN). Losing the line would hide the very event being
		// logged, so fall back to stringifying the offending fields.
		for k, v := range out {
			if _, err := json.Marshal(v); err != nil {
				out[k] = fmt.Sprintf("%+v", v)
			}
		}
		if err2 := encodeLine(buf, out); err2 != nil {
			return nil, fmt.Errorf("encode log entry %q as JSON: %w", entry.Message, err)
		}
	}
	return buf.Bytes(), nil
}

func encodeLine(buf *bytes.Buffer, v any) error {
	start := buf.Len()
	enc := json.NewEncoder(buf)
	// Messages often contain URLs and "<Response/>"; escaping them makes
	// logs harder to read and search.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Truncate(start)
		return err
	}
	return nil
}

func (f *CloudFormatter) qualifyTrace(s string) string {
	if strings.HasPrefix(s, "projects/") || f.ProjectID == "" {
		return s
	}
	return "projects/" + f.ProjectID + "/traces/" + s
}

func severity(l logrus.Level) string {
	switch l {
	case logrus.TraceLevel, logrus.DebugLevel:
		return "DEBUG"
	case logrus.InfoLevel:
		return "INFO"
	case logrus.WarnLevel:
		return "WARNING"
	case logrus.ErrorLevel:
		return "ERROR"
	case logrus.FatalLevel, logrus.PanicLevel:
		return "CRITICAL"
	default:
		return "DEFAULT"
	}
}

func isReservedKey(k string) bool {
	switch k {
	case keySeverity, keyMessage, keyTimestamp:
		return true
	}
	return strings.HasPrefix(k, "logging.googleapis.com/")
}

// stringify renders a label value; Cloud Logging labels are strings only.
func stringify(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func asBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(x)
		return b, err == nil
	default:
		return false, false
	}
}

// New returns a logger that writes Cloud Logging JSON to w.
func New(w io.Writer, level logrus.Level, projectID string) *logrus.Logger {
	l := logrus.New()
	l.SetOutput(w)
	l.SetLevel(level)
	l.SetFormatter(&CloudFormatter{ProjectID: projectID})
	return l
}
