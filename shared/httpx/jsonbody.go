package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// DecodeStrict decodes one JSON document into v, refusing unknown members
// and trailing documents, and says what is wrong in the terms of the
// document (the member, the expected type, the byte offset) so a 400 names
// the field to fix.
func DecodeStrict(body []byte, v any) []chat.FieldError {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.Decode(&json.RawMessage{}) != io.EOF {
			return []chat.FieldError{{Field: "", Message: "the body holds more than one JSON document"}}
		}
		return nil
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return []chat.FieldError{{Field: "", Message: "the body is empty; send a JSON document"}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return []chat.FieldError{{Field: "", Message: "the JSON document is cut short"}}
	case errors.As(err, &syntax):
		return []chat.FieldError{{Field: "", Message: fmt.Sprintf("malformed JSON at byte %d: %v", syntax.Offset, syntax)}}
	case errors.As(err, &typ):
		return []chat.FieldError{{Field: typ.Field, Message: fmt.Sprintf("got %s, want %s (at byte %d)", typ.Value, jsonType(typ.Type.Kind().String()), typ.Offset)}}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return []chat.FieldError{{Field: strings.Trim(name, `"`), Message: "unknown member; check its spelling against the OpenAPI document"}}
	}
	return []chat.FieldError{{Field: "", Message: err.Error()}}
}

// jsonType names a Go kind the way a JSON document's author thinks of it.
func jsonType(kind string) string {
	switch kind {
	case "int", "int64", "int32", "uint", "uint64", "uint32":
		return "an integer"
	case "float64", "float32":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return kind
}
