package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// Bodies reads one API's JSON request bodies: application/json (or
// +json), bounded, one object, no unknown members, Unicode text, the
// schema's required members present. Its methods answer the request
// themselves and return false when the body is unusable.
type Bodies struct {
	// MaxBytes bounds a body; Limits bounds the bodies of some schemas
	// differently (a whole configuration to import).
	MaxBytes int64
	Limits   map[string]int64
	// Required are the members a body must spell out, by schema name; the
	// OpenAPI document's "required" lists say the same (a test in
	// shared/api checks).
	Required map[string][]string
	// Nested are, by schema, the members that hold another schema, so
	// required members are checked inside them too.
	Nested map[string][]Nested
}

// Nested is a member of a schema that holds another schema: one object,
// or a list of them.
type Nested struct {
	Member, Schema string
	List           bool
}

// Decode reads a body of schema into v.
func (b Bodies) Decode(w http.ResponseWriter, r *http.Request, schema string, v any) bool {
	body, ok := b.read(w, r, schema)
	return ok && b.decode(w, body, schema, v)
}

// DecodeOptional is Decode for a body that may be left out.
func (b Bodies) DecodeOptional(w http.ResponseWriter, r *http.Request, schema string, v any) bool {
	body, ok := b.read(w, r, schema)
	if !ok {
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	return b.decode(w, body, schema, v)
}

// DecodeEmpty accepts no body or an empty JSON object.
func (b Bodies) DecodeEmpty(w http.ResponseWriter, r *http.Request) bool {
	var none struct{}
	return b.DecodeOptional(w, r, "", &none)
}

func (b Bodies) read(w http.ResponseWriter, r *http.Request, schema string) ([]byte, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			WriteError(w, http.StatusUnsupportedMediaType, "send the body as application/json, not "+ct, nil)
			return nil, false
		}
	}
	limit := b.MaxBytes
	if n, ok := b.Limits[schema]; ok {
		limit = n
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			WriteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", limit), nil)
			return nil, false
		}
		WriteError(w, http.StatusBadRequest, "could not read the body: "+err.Error(), nil)
		return nil, false
	}
	return body, true
}

func (b Bodies) decode(w http.ResponseWriter, body []byte, schema string, v any) bool {
	what := "a valid " + schema + " document"
	if schema == "" {
		what = "empty (this request takes no members)"
	}
	if problems := DecodeStrict(body, v); len(problems) > 0 {
		WriteError(w, http.StatusBadRequest, "the body is not "+what, problems)
		return false
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil || members == nil {
		msg := "send a JSON object"
		if err == nil {
			msg = "must be an object, not null"
		}
		WriteError(w, http.StatusBadRequest, "the body must be a JSON object", []chat.FieldError{{Field: "", Message: msg}})
		return false
	}
	if problems := b.missing(members, schema, ""); len(problems) > 0 {
		WriteError(w, http.StatusBadRequest, "the body lacks required members", problems)
		return false
	}
	return true
}

// missing lists the required members absent from a document of schema,
// descending into its nested schemas; fields are named as problems name
// them ("numbers[0].enabled").
func (b Bodies) missing(members map[string]json.RawMessage, schema, prefix string) []chat.FieldError {
	var out []chat.FieldError
	for _, name := range b.Required[schema] {
		if _, ok := members[name]; !ok {
			out = append(out, chat.FieldError{Field: prefix + name, Message: "required"})
		}
	}
	for _, n := range b.Nested[schema] {
		raw, ok := members[n.Member]
		if !ok {
			continue
		}
		if !n.List {
			out = append(out, b.nested(raw, n.Schema, prefix+n.Member)...)
			continue
		}
		var items []json.RawMessage
		_ = json.Unmarshal(raw, &items) // a list that is not one has failed decoding
		for i, item := range items {
			out = append(out, b.nested(item, n.Schema, fmt.Sprintf("%s%s[%d]", prefix, n.Member, i))...)
		}
	}
	return out
}

func (b Bodies) nested(raw json.RawMessage, schema, field string) []chat.FieldError {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil // not an object: decoding has already said so
	}
	if members == nil {
		return []chat.FieldError{{Field: field, Message: "must be an object, not null"}}
	}
	return b.missing(members, schema, field+".")
}
