// Package hubspottest is a local stand-in for HubSpot's CRM v3 API: it
// checks every request as HubSpot documents it (Bearer token, paths and
// methods, JSON bodies with no unknown members, search filter limits,
// note properties and the note-to-contact association), keeps contacts
// and notes, records the requests, and answers 429 with Retry-After or
// 5xx when told. A request HubSpot would refuse fails the test and is
// answered 400 in HubSpot's error shape.
package hubspottest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the private app token the stand-in accepts by default.
const Token = "pat-na1-00000000-0000-0000-0000-000000000000"

// HubSpot's search limits.
const (
	maxFilterGroups = 5
	maxFilters      = 6
	maxAllFilters   = 18
	maxLimit        = 200
)

// The wire types below are written from HubSpot's API reference, apart
// from the client's, so a misspelt member on either side fails a test.
type (
	filter struct {
		PropertyName string   `json:"propertyName"`
		Operator     string   `json:"operator"`
		Value        string   `json:"value,omitempty"`
		Values       []string `json:"values,omitempty"`
		HighValue    string   `json:"highValue,omitempty"`
	}
	filterGroup struct {
		Filters []filter `json:"filters"`
	}
	searchRequest struct {
		FilterGroups []filterGroup `json:"filterGroups"`
		Properties   []string      `json:"properties,omitempty"`
		Sorts        []any         `json:"sorts,omitempty"`
		Query        string        `json:"query,omitempty"`
		Limit        int           `json:"limit,omitempty"`
		After        string        `json:"after,omitempty"`
	}
	object struct {
		ID         string            `json:"id"`
		Properties map[string]string `json:"properties"`
		CreatedAt  string            `json:"createdAt"`
		UpdatedAt  string            `json:"updatedAt"`
		Archived   bool              `json:"archived"`
	}
	searchResponse struct {
		Total   int      `json:"total"`
		Results []object `json:"results"`
	}
	association struct {
		To struct {
			ID string `json:"id"`
		} `json:"to"`
		Types []struct {
			AssociationCategory string `json:"associationCategory"`
			AssociationTypeID   int    `json:"associationTypeId"`
		} `json:"types"`
	}
	propertiesBody struct {
		Properties   map[string]string `json:"properties"`
		Associations []association     `json:"associations,omitempty"`
	}
	errorBody struct {
		Status        string `json:"status"`
		Message       string `json:"message"`
		CorrelationID string `json:"correlationId"`
		Category      string `json:"category,omitempty"`
		ErrorType     string `json:"errorType,omitempty"`
	}
)

// HubSpot's defined note-to-contact association type and the note body
// limit.
const (
	assocNoteToContact = 202
	maxNoteBody        = 65536
)

// Request is one request the stand-in received.
type Request struct {
	Method, Path string
	Body         []byte
	Status       int
}

// Note is a note as stored, with the contacts it is associated with.
type Note struct {
	ID         string
	Properties map[string]string
	ContactIDs []string
}

// Server is the stand-in.
type Server struct {
	t     testing.TB
	srv   *httptest.Server
	token string

	mu       sync.Mutex
	nextID   int
	contacts map[string]map[string]string // id -> properties
	order    []string
	notes    []Note
	requests []Request
	faults   []fault
	scopes   []string
	files    []File
}

// AllScopes are the scopes a token has unless SetScopes says otherwise.
var AllScopes = []string{"crm.objects.contacts.read", "crm.objects.contacts.write", "files"}

// File is an uploaded file.
type File struct {
	ID          string
	Name        string // with its extension: chat-c1.txt
	Folder      string
	Access      string
	ContentType string
	Data        []byte
}

// Files returns the uploaded files, oldest first.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.files)
}

// fileAccess are the Files API's access levels.
var fileAccess = []string{"PUBLIC_INDEXABLE", "PUBLIC_NOT_INDEXABLE", "HIDDEN_INDEXABLE", "HIDDEN_NOT_INDEXABLE", "HIDDEN_PRIVATE", "PRIVATE"}

// upload serves POST /files/v3/files as HubSpot documents it: multipart
// with the file, options (JSON with access) and folderPath or folderId.
func (s *Server) upload(r *http.Request, body []byte) (File, string) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return File{}, "Content-Type must be multipart/form-data"
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var f File
	var opts struct {
		Access                      string `json:"access"`
		Overwrite                   bool   `json:"overwrite"`
		DuplicateValidationStrategy string `json:"duplicateValidationStrategy"`
		DuplicateValidationScope    string `json:"duplicateValidationScope"`
		TTL                         string `json:"ttl,omitempty"`
	}
	fileName, partName, haveOpts := "", "", false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return File{}, "malformed multipart body: " + err.Error()
		}
		data, _ := io.ReadAll(p)
		switch p.FormName() {
		case "file":
			partName, f.Data, f.ContentType = p.FileName(), data, p.Header.Get("Content-Type")
		case "options":
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&opts); err != nil {
				return File{}, "options: " + err.Error()
			}
			haveOpts = true
		case "folderPath":
			f.Folder = string(data)
		case "folderId":
			f.Folder = "id:" + string(data)
		case "fileName":
			fileName = string(data)
		default:
			return File{}, "unknown form field " + p.FormName()
		}
	}
	switch {
	case partName == "" || len(f.Data) == 0:
		return File{}, "file is required"
	case !haveOpts || !slices.Contains(fileAccess, opts.Access):
		return File{}, "options.access is required: one of " + strings.Join(fileAccess, ", ")
	case f.Folder == "" || !strings.HasPrefix(f.Folder, "/") && !strings.HasPrefix(f.Folder, "id:"):
		return File{}, "folderPath (starting with /) or folderId is required"
	}
	f.Access = opts.Access
	f.Name = partName
	if fileName != "" {
		f.Name = fileName + path.Ext(partName)
	}
	return f, ""
}

// SetScopes sets the scopes the private app's token was granted; a call
// needing another is refused 403 MISSING_SCOPES as HubSpot does.
func (s *Server) SetScopes(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = scopes
}

type fault struct {
	status     int
	retryAfter int
	path       string // "" for any request
}

// New starts a stand-in, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{t: t, token: Token, nextID: 100, contacts: map[string]map[string]string{}, scopes: AllScopes}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the base URL to give the client (HUBSPOT_API_BASE_URL).
func (s *Server) URL() string { return s.srv.URL }

// AddContact stores a contact and returns its id.
func (s *Server) AddContact(props map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addLocked(props)
}

func (s *Server) addLocked(props map[string]string) string {
	s.nextID++
	id := strconv.Itoa(s.nextID)
	p := map[string]string{"hs_object_id": id}
	for k, v := range props {
		p[k] = v
	}
	s.contacts[id] = p
	s.order = append(s.order, id)
	return id
}

// FailNext makes the next n requests answer status; a 429 carries
// Retry-After: retryAfter seconds.
func (s *Server) FailNext(n, status, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{status: status, retryAfter: retryAfter})
	}
}

// FailNextMatching makes the next n requests to path answer status, the
// others passing.
func (s *Server) FailNextMatching(n, status int, path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, fault{status: status, path: path})
	}
}

// Contacts returns every contact's properties by id.
func (s *Server) Contacts() map[string]map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]map[string]string, len(s.contacts))
	for id, p := range s.contacts {
		c := make(map[string]string, len(p))
		for k, v := range p {
			c[k] = v
		}
		out[id] = c
	}
	return out
}

// Notes returns the notes associated with a contact, oldest first.
func (s *Server) Notes(contactID string) []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Note
	for _, n := range s.notes {
		if slices.Contains(n.ContactIDs, contactID) {
			out = append(out, n)
		}
	}
	return out
}

// Requests returns what was received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	var body bytes.Buffer
	_, _ = body.ReadFrom(r.Body)
	rec := &Request{Method: r.Method, Path: r.URL.Path, Body: body.Bytes()}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.requests = append(s.requests, *rec) }()
	answer := func(status int, v any) {
		rec.Status = status
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	refuse := func(status int, category, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if status == http.StatusBadRequest {
			s.t.Errorf("hubspottest: %s %s: %s", r.Method, r.URL.Path, msg)
		}
		answer(status, errorBody{Status: "error", Message: msg, CorrelationID: "00000000-0000-0000-0000-000000000000", Category: category})
	}

	if r.Header.Get("Authorization") != "Bearer "+s.token {
		refuse(http.StatusUnauthorized, "INVALID_AUTHENTICATION", "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
		return
	}
	if i := slices.IndexFunc(s.faults, func(f fault) bool { return f.path == "" || f.path == r.URL.Path }); i >= 0 {
		f := s.faults[i]
		s.faults = slices.Delete(s.faults, i, i+1)
		if f.status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", strconv.Itoa(f.retryAfter))
			answer(f.status, errorBody{Status: "error", Message: "You have reached your secondly limit.", ErrorType: "RATE_LIMIT", CorrelationID: "00000000-0000-0000-0000-000000000000"})
			return
		}
		answer(f.status, errorBody{Status: "error", Message: "internal error", Category: "INTERNAL_ERROR"})
		return
	}
	if need := requiredScope(r); need != "" && !slices.Contains(s.scopes, need) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		rec.Status = http.StatusForbidden
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"status":        "error",
			"message":       "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
			"correlationId": "00000000-0000-0000-0000-000000000000",
			"errors": []any{map[string]any{"message": "One or more of the following scopes are required.",
				"context": map[string]any{"requiredGranularScopes": []string{need}}}},
			"links":    map[string]string{"scopes": "https://developers.hubspot.com/scopes"},
			"category": "MISSING_SCOPES",
		})
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == "/crm/v3/objects/contacts" {
		limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil || limit < 1 || limit > 100 {
			refuse(http.StatusBadRequest, "VALIDATION_ERROR", "limit %q must be 1 to 100", r.URL.Query().Get("limit"))
			return
		}
		res := map[string]any{"results": []object{}}
		var out []object
		for _, id := range s.order {
			if len(out) < limit {
				out = append(out, s.objectOf(id, nil))
			}
		}
		if out != nil {
			res["results"] = out
		}
		answer(http.StatusOK, res)
		return
	}
	if r.Method == http.MethodPost && r.URL.Path == "/files/v3/files" {
		f, msg := s.upload(r, rec.Body)
		if msg != "" {
			refuse(http.StatusBadRequest, "VALIDATION_ERROR", "%s", msg)
			return
		}
		s.nextID++
		f.ID = strconv.Itoa(s.nextID)
		s.files = append(s.files, f)
		ext := strings.TrimPrefix(path.Ext(f.Name), ".")
		answer(http.StatusCreated, map[string]any{"id": f.ID, "name": strings.TrimSuffix(f.Name, path.Ext(f.Name)), "extension": ext,
			"access": f.Access, "size": len(f.Data), "path": f.Folder + "/" + f.Name, "createdAt": time.Now().UTC().Format(time.RFC3339Nano)})
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		refuse(http.StatusBadRequest, "VALIDATION_ERROR", "Content-Type %q, want application/json", ct)
		return
	}
	decode := func(v any) bool {
		dec := json.NewDecoder(bytes.NewReader(rec.Body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			refuse(http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: %v", err)
			return false
		}
		return true
	}

	const contacts = "/crm/v3/objects/contacts"
	switch {
	case r.Method == http.MethodPost && r.URL.Path == contacts+"/search":
		var req searchRequest
		if !decode(&req) {
			return
		}
		if msg := checkSearch(req); msg != "" {
			refuse(http.StatusBadRequest, "VALIDATION_ERROR", "%s", msg)
			return
		}
		res := searchResponse{Results: []object{}}
		for _, id := range s.order {
			if matches(s.contacts[id], req.FilterGroups) {
				res.Results = append(res.Results, s.objectOf(id, req.Properties))
			}
		}
		res.Total = len(res.Results)
		answer(http.StatusOK, res)
	case r.Method == http.MethodPost && r.URL.Path == contacts:
		var req propertiesBody
		if !decode(&req) {
			return
		}
		if msg := checkProps(req.Properties, contactProperties); msg != "" || len(req.Associations) > 0 {
			refuse(http.StatusBadRequest, "VALIDATION_ERROR", "contact create: %s (associations %d)", msg, len(req.Associations))
			return
		}
		id := s.addLocked(req.Properties)
		answer(http.StatusCreated, s.objectOf(id, nil))
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, contacts+"/"):
		id := strings.TrimPrefix(r.URL.Path, contacts+"/")
		p, ok := s.contacts[id]
		if !ok {
			refuse(http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found")
			return
		}
		var req propertiesBody
		if !decode(&req) {
			return
		}
		if msg := checkProps(req.Properties, contactProperties); msg != "" || len(req.Properties) == 0 || len(req.Associations) > 0 {
			refuse(http.StatusBadRequest, "VALIDATION_ERROR", "contact update: %s (%d properties, associations %d)", msg, len(req.Properties), len(req.Associations))
			return
		}
		for k, v := range req.Properties {
			p[k] = v
		}
		answer(http.StatusOK, s.objectOf(id, nil))
	case r.Method == http.MethodPost && r.URL.Path == "/oauth/v2/private-apps/get/access-token-info":
		var req struct {
			TokenKey string `json:"tokenKey"`
		}
		if !decode(&req) {
			return
		}
		if req.TokenKey != s.token {
			refuse(http.StatusBadRequest, "VALIDATION_ERROR", "tokenKey is not the token the request is authenticated with")
			return
		}
		answer(http.StatusOK, map[string]any{"userId": 1, "hubId": 4242, "appId": 7, "scopes": s.scopes})
	case r.Method == http.MethodPost && r.URL.Path == "/crm/v3/objects/notes/search":
		var req searchRequest
		if !decode(&req) {
			return
		}
		if msg := checkSearch(req); msg != "" {
			refuse(http.StatusBadRequest, "VALIDATION_ERROR", "%s", msg)
			return
		}
		res := searchResponse{Results: []object{}}
		for _, n := range s.notes {
			if noteMatches(n, req.FilterGroups) {
				res.Results = append(res.Results, object{ID: n.ID, Properties: map[string]string{"hs_timestamp": n.Properties["hs_timestamp"]}})
			}
		}
		res.Total = len(res.Results)
		answer(http.StatusOK, res)
	case r.Method == http.MethodPost && r.URL.Path == "/crm/v3/objects/notes":
		var req propertiesBody
		if !decode(&req) {
			return
		}
		if msg := s.checkNote(req); msg != "" {
			refuse(http.StatusBadRequest, "VALIDATION_ERROR", "%s", msg)
			return
		}
		s.nextID++
		n := Note{ID: strconv.Itoa(s.nextID), Properties: req.Properties}
		for _, a := range req.Associations {
			n.ContactIDs = append(n.ContactIDs, a.To.ID)
		}
		s.notes = append(s.notes, n)
		answer(http.StatusCreated, object{ID: n.ID, Properties: req.Properties, CreatedAt: time.Now().UTC().Format(time.RFC3339Nano)})
	default:
		refuse(http.StatusBadRequest, "VALIDATION_ERROR", "no such endpoint in this stand-in: %s %s", r.Method, r.URL.Path)
	}
}

// requiredScope is the scope HubSpot requires for a call: reading or
// writing contacts (notes on contacts take the same).
func requiredScope(r *http.Request) string {
	switch {
	case strings.HasPrefix(r.URL.Path, "/oauth/"):
		return ""
	case strings.HasPrefix(r.URL.Path, "/files/"):
		return "files"
	case r.Method == http.MethodGet, strings.HasSuffix(r.URL.Path, "/search"):
		return "crm.objects.contacts.read"
	}
	return "crm.objects.contacts.write"
}

// noteMatches applies a notes search: CONTAINS_TOKEN on hs_note_body
// (tokens are runs of letters and digits, compared without case) and
// associations.contact EQ.
func noteMatches(n Note, groups []filterGroup) bool {
	for _, g := range groups {
		all := true
		for _, f := range g.Filters {
			switch {
			case f.PropertyName == "associations.contact" && f.Operator == "EQ":
				all = all && slices.Contains(n.ContactIDs, f.Value)
			case f.PropertyName == "hs_note_body" && f.Operator == "CONTAINS_TOKEN":
				tokens := strings.FieldsFunc(strings.ToLower(n.Properties["hs_note_body"]), func(r rune) bool {
					return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
				})
				all = all && slices.Contains(tokens, strings.ToLower(f.Value))
			default:
				all = false
			}
		}
		if all {
			return true
		}
	}
	return false
}

// contactProperties are the contact properties the client may write.
var contactProperties = []string{"firstname", "lastname", "email", "phone", "mobilephone", "hs_language"}

var operators = []string{"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}

func checkSearch(req searchRequest) string {
	if len(req.FilterGroups) > maxFilterGroups {
		return fmt.Sprintf("at most %d filterGroups, got %d", maxFilterGroups, len(req.FilterGroups))
	}
	all := 0
	for _, g := range req.FilterGroups {
		if len(g.Filters) == 0 || len(g.Filters) > maxFilters {
			return fmt.Sprintf("a filter group has 1 to %d filters, got %d", maxFilters, len(g.Filters))
		}
		all += len(g.Filters)
		for _, f := range g.Filters {
			switch {
			case f.PropertyName == "":
				return "a filter lacks propertyName"
			case !slices.Contains(operators, f.Operator):
				return "unknown operator " + f.Operator
			case (f.Operator == "IN" || f.Operator == "NOT_IN") && (len(f.Values) == 0 || f.Value != ""):
				return f.Operator + " takes values, not value"
			case f.Operator == "EQ" && (f.Value == "" || len(f.Values) > 0):
				return "EQ takes value"
			}
			if f.Operator == "IN" {
				for _, v := range f.Values {
					if v != strings.ToLower(v) {
						return "IN values of a string property must be lowercase"
					}
				}
			}
		}
	}
	if all > maxAllFilters {
		return fmt.Sprintf("at most %d filters in all, got %d", maxAllFilters, all)
	}
	if req.Limit < 0 || req.Limit > maxLimit {
		return fmt.Sprintf("limit %d out of 1..%d", req.Limit, maxLimit)
	}
	return ""
}

func checkProps(props map[string]string, known []string) string {
	for k := range props {
		if !slices.Contains(known, k) {
			return "Property \"" + k + "\" does not exist"
		}
	}
	if l, ok := props["hs_language"]; ok && l != strings.ToLower(l) {
		return "hs_language " + l + " is not a valid option"
	}
	return ""
}

func (s *Server) checkNote(req propertiesBody) string {
	if msg := checkProps(req.Properties, []string{"hs_timestamp", "hs_note_body", "hubspot_owner_id", "hs_attachment_ids"}); msg != "" {
		return msg
	}
	if _, err := time.Parse(time.RFC3339Nano, req.Properties["hs_timestamp"]); err != nil {
		return "hs_timestamp must be an ISO 8601 time: " + req.Properties["hs_timestamp"]
	}
	if body := req.Properties["hs_note_body"]; body == "" || len(body) > maxNoteBody {
		return fmt.Sprintf("hs_note_body must be 1 to %d characters, got %d", maxNoteBody, len(body))
	}
	if ids, ok := req.Properties["hs_attachment_ids"]; ok {
		for _, id := range strings.Split(ids, ";") {
			if !slices.ContainsFunc(s.files, func(f File) bool { return f.ID == id }) {
				return "hs_attachment_ids names no uploaded file: " + id
			}
		}
	}
	if len(req.Associations) == 0 {
		return "a note without associations shows on no record"
	}
	for _, a := range req.Associations {
		if _, ok := s.contacts[a.To.ID]; !ok {
			return "association to unknown contact " + a.To.ID
		}
		if len(a.Types) != 1 || a.Types[0].AssociationCategory != "HUBSPOT_DEFINED" || a.Types[0].AssociationTypeID != assocNoteToContact {
			return fmt.Sprintf("note-to-contact association must be HUBSPOT_DEFINED type %d, got %+v", assocNoteToContact, a.Types)
		}
	}
	return ""
}

func matches(props map[string]string, groups []filterGroup) bool {
	if len(groups) == 0 {
		return true
	}
	for _, g := range groups {
		all := true
		for _, f := range g.Filters {
			v, ok := props[f.PropertyName]
			switch f.Operator {
			case "IN":
				all = all && ok && slices.Contains(f.Values, strings.ToLower(v))
			case "EQ":
				all = all && ok && strings.EqualFold(v, f.Value)
			case "HAS_PROPERTY":
				all = all && ok && v != ""
			default:
				all = false // not modelled here
			}
		}
		if all {
			return true
		}
	}
	return false
}

// object answers a contact with the requested properties (or all).
func (s *Server) objectOf(id string, props []string) object {
	p := map[string]string{}
	for k, v := range s.contacts[id] {
		if len(props) == 0 || slices.Contains(props, k) || k == "hs_object_id" {
			p[k] = v
		}
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	return object{ID: id, Properties: p, CreatedAt: now, UpdatedAt: now}
}
