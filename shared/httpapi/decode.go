package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/smsdesk/smsdesk/shared/chat"
)

// DecodeStrict decodes one JSON document into v, refusing unknown members,
// trailing documents and text that is not Unicode, and says what is wrong
// in the terms of the document (the member, the expected type, the byte
// offset) so a 400 names the field to fix.
//
// encoding/json reads bytes that are not UTF-8, and \u escapes of half a
// surrogate pair, as U+FFFD without a word: a reply would then send the
// consumer a replacement character instead of refusing the request. So
// the raw bytes are checked first, and the member holding the bad string is
// found by walking the document.
func DecodeStrict(body []byte, v any) []chat.FieldError {
	if p, bad := checkUnicode(body); bad {
		return []chat.FieldError{p}
	}
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
		return []chat.FieldError{{Field: typ.Field, Message: typeMessage(typ)}}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return []chat.FieldError{{Field: strings.Trim(name, `"`), Message: "unknown member; check its spelling against the OpenAPI document"}}
	}
	return []chat.FieldError{{Field: "", Message: err.Error()}}
}

// typeMessage says what a member should have been, or that a number is
// too large for the member it is in.
func typeMessage(typ *json.UnmarshalTypeError) string {
	want := jsonType(typ.Type.Kind().String())
	num, isNumber := strings.CutPrefix(typ.Value, "number ")
	if isNumber && (want == "a number" || (want == "an integer" && !strings.ContainsAny(num, ".eE"))) {
		if len(num) > 24 {
			num = num[:20] + "…"
		}
		return fmt.Sprintf("number %s is out of range (at byte %d)", num, typ.Offset)
	}
	return fmt.Sprintf("got %s, want %s (at byte %d)", typ.Value, want, typ.Offset)
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

// checkUnicode finds the first JSON string of body that is not Unicode
// text: raw bytes that are not UTF-8, or an escaped UTF-16 surrogate
// without its other half. A document whose syntax breaks before such a
// string is left to the decoder, which names the syntax error.
func checkUnicode(body []byte) (chat.FieldError, bool) {
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\ud`)) && !bytes.Contains(body, []byte(`\uD`)) {
		return chat.FieldError{}, false // the common case: no string to look into
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []frame
	var start int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return chat.FieldError{}, false
		}
		end := dec.InputOffset()
		// Between two tokens lie only ASCII separators and white space, and
		// outside strings bytes above 0x7F are syntax errors the tokenizer
		// has already refused: the raw text of a string token is this span.
		raw := body[start:end]
		at := start
		start = end
		top := len(stack) - 1
		isKey := top >= 0 && !stack[top].array && stack[top].wantKey
		if _, isString := tok.(string); isString {
			if what, off, why, bad := badString(raw); bad {
				msg := fmt.Sprintf("holds %s at byte %d, %s", what, at+int64(off), why)
				if isKey {
					msg = "a member name " + msg
				}
				return chat.FieldError{Field: path(stack), Message: msg}, true
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{wantKey: true})
			case '[':
				stack = append(stack, frame{array: true})
			default: // '}' or ']': the container is one value of its parent
				stack = stack[:top]
				advance(stack)
			}
		case string:
			if isKey {
				stack[top].key, stack[top].wantKey = t, false
				continue
			}
			advance(stack)
		default:
			advance(stack)
		}
	}
}

// frame is one open object or array while walking a document.
type frame struct {
	array   bool
	index   int    // the array element being read
	key     string // the object member being read
	wantKey bool   // the object's next string token is a member name
}

// advance moves past one value of the innermost container.
func advance(stack []frame) {
	if len(stack) == 0 {
		return
	}
	top := &stack[len(stack)-1]
	if top.array {
		top.index++
	} else {
		top.wantKey = true
	}
}

// path names the value being read as problems name fields:
// "media[0].name", "" for the document itself.
func path(stack []frame) string {
	var b strings.Builder
	for _, f := range stack {
		switch {
		case f.array:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		case f.wantKey:
			// Between members: the object itself is meant.
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
	}
	return b.String()
}

// badString checks the raw text of one JSON string token (with what
// separators precede it): what is wrong, at which byte of raw, and why
// with what to do instead.
func badString(raw []byte) (what string, off int, why string, bad bool) {
	if i := invalidUTF8At(raw); i >= 0 {
		return fmt.Sprintf("0x%02x", raw[i]), i, "which is not UTF-8; send text in UTF-8", true
	}
	q := bytes.IndexByte(raw, '"')
	if q < 0 {
		return "", 0, "", false
	}
	s := raw[q+1:]
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		i++
		if i >= len(s) || s[i] != 'u' {
			continue // an escape of one character: \" \\ \n …
		}
		r, ok := hex4(s, i+1)
		if !ok {
			return "", 0, "", false // the tokenizer has refused it already
		}
		escAt := q + 1 + i - 1
		i += 4
		if !utf16.IsSurrogate(r) {
			continue
		}
		if r < 0xdc00 && i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
			if lo, ok := hex4(s, i+3); ok && lo >= 0xdc00 && lo <= 0xdfff {
				i += 6
				continue
			}
		}
		return fmt.Sprintf("\\u%04x", r), escAt, "half of a UTF-16 surrogate pair without the other half; escape both halves of a character outside the BMP, or send it in UTF-8", true
	}
	return "", 0, "", false
}

// invalidUTF8At is the index of the first byte of b that does not start a
// valid UTF-8 sequence, or -1.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// hex4 reads the four hexadecimal digits of a \u escape at s[i:].
func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s[i:i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}
