package logging

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/sirupsen/logrus"
)

type entryKey struct{}

// fallback serves code paths that lost their request context (init, tests,
// background goroutines). It writes the same JSON so those lines still parse
// in Cloud Logging. It is never modified after init.
var fallback = logrus.NewEntry(New(os.Stderr, logrus.InfoLevel, ""))

// WithEntry returns a context carrying e for From.
func WithEntry(ctx context.Context, e *logrus.Entry) context.Context {
	return context.WithValue(ctx, entryKey{}, e)
}

// From returns the context's entry, or a JSON-to-stderr entry when there is
// none, so callers never need a nil check.
func From(ctx context.Context) *logrus.Entry {
	if ctx != nil {
		if e, ok := ctx.Value(entryKey{}).(*logrus.Entry); ok && e != nil {
			return e
		}
	}
	return fallback
}

// With adds fields to the context's entry, so every later line of the request
// carries them (chat id, provider message id, ...).
func With(ctx context.Context, fields logrus.Fields) context.Context {
	return WithEntry(ctx, From(ctx).WithFields(fields))
}

// TraceFromRequest reads the trace context Google's front ends and OpenTelemetry
// clients propagate. The W3C traceparent header wins over X-Cloud-Trace-Context
// when both are valid, as Cloud Run does. trace is "projects/P/traces/ID";
// all results are zero when projectID is empty or no header is usable, since
// a trace that cannot be qualified cannot be linked in the console.
func TraceFromRequest(r *http.Request, projectID string) (trace, spanID string, sampled bool) {
	if projectID == "" {
		return "", "", false
	}
	traceID, spanID, sampled, ok := parseTraceparent(r.Header.Get("traceparent"))
	if !ok {
		traceID, spanID, sampled, ok = parseCloudTraceContext(r.Header.Get("X-Cloud-Trace-Context"))
	}
	if !ok {
		return "", "", false
	}
	return "projects/" + projectID + "/traces/" + traceID, spanID, sampled
}

// parseTraceparent parses "VERSION-TRACEID-SPANID-FLAGS" (W3C Trace Context).
func parseTraceparent(h string) (traceID, spanID string, sampled, ok bool) {
	parts := strings.Split(strings.TrimSpace(h), "-")
	if len(parts) < 4 {
		return "", "", false, false
	}
	version, traceID, spanID, flags := parts[0], parts[1], parts[2], parts[3]
	// Version ff is forbidden; version 00 has exactly four fields, later
	// versions may append more and must still be read as 00.
	if !isLowerHex(version, 2) || version == "ff" || (version == "00" && len(parts) != 4) {
		return "", "", false, false
	}
	if !isLowerHex(traceID, 32) || isAllZeros(traceID) ||
		!isLowerHex(spanID, 16) || isAllZeros(spanID) || !isLowerHex(flags, 2) {
		return "", "", false, false
	}
	f, _ := strconv.ParseUint(flags, 16, 8)
	return traceID, spanID, f&1 == 1, true
}

// parseCloudTraceContext parses "TRACE_ID/SPAN_ID;o=OPTIONS", where SPAN_ID is
// decimal and both it and the options are optional. Cloud Logging wants the
// span as 16 hex digits, so it is converted.
func parseCloudTraceContext(h string) (traceID, spanID string, sampled, ok bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", "", false, false
	}
	rest, opts, hasOpts := strings.Cut(h, ";")
	traceID, span, hasSpan := strings.Cut(rest, "/")
	traceID = strings.ToLower(traceID)
	if !isLowerHex(traceID, 32) || isAllZeros(traceID) {
		return "", "", false, false
	}
	if hasSpan && span != "" {
		n, err := strconv.ParseUint(span, 10, 64)
		// A bad span should not cost us the trace link; drop only the span.
		if err == nil && n != 0 {
			spanID = strconv.FormatUint(n, 16)
			spanID = strings.Repeat("0", 16-len(spanID)) + spanID
		}
	}
	if hasOpts {
		sampled = strings.TrimSpace(opts) == "o=1"
	}
	return traceID, spanID, sampled, true
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func isAllZeros(s string) bool {
	return strings.Trim(s, "0") == ""
}

// Middleware puts an entry carrying the function label and the request's trace
// into the request context, so handlers log with From(r.Context()).
func Middleware(logger *logrus.Logger, projectID, function string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fields := logrus.Fields{FieldFunction: function}
		if trace, spanID, sampled := TraceFromRequest(r, projectID); trace != "" {
			fields[FieldTrace] = trace
			if spanID != "" {
				fields[FieldSpanID] = spanID
			}
			fields[FieldTraceSampled] = sampled
		}
		ctx := WithEntry(r.Context(), logger.WithFields(fields))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
