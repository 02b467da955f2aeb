package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/smsdesk/smsdesk/shared/chat/transcript"
	"github.com/smsdesk/smsdesk/shared/crm"
	"github.com/smsdesk/smsdesk/shared/crm/builtin"
	"github.com/smsdesk/smsdesk/shared/crm/connect"
	"github.com/smsdesk/smsdesk/shared/crm/webhook"

	"gopkg.in/yaml.v3"

	"github.com/smsdesk/smsdesk/functions/adminapi"
	"github.com/smsdesk/smsdesk/functions/agentapi"
	"github.com/smsdesk/smsdesk/functions/ivrwebhook"
	"github.com/smsdesk/smsdesk/functions/outboundapi"
	"github.com/smsdesk/smsdesk/shared/admin"
	"github.com/smsdesk/smsdesk/shared/api"
	"github.com/smsdesk/smsdesk/shared/apikey"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/chat/wrapup"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/ivr"
	"github.com/smsdesk/smsdesk/shared/ivr/ivrrec"
	"github.com/smsdesk/smsdesk/shared/outbound"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
	"github.com/smsdesk/smsdesk/shared/stats/monitor"
	"github.com/smsdesk/smsdesk/shared/store"
	"github.com/smsdesk/smsdesk/shared/store/memstore"
)

type obj = map[string]any

// goTypes maps every object schema to the Go type its JSON is; scalar are
// the schemas that describe a value, not a struct. A new schema must be
// added to one of them.
var (
	goTypes = map[string]reflect.Type{
		"Config":     reflect.TypeFor[chat.Config](),
		"Settings":   reflect.TypeFor[chat.Settings](),
		"Program":    reflect.TypeFor[chat.Program](),
		"QuietHours": reflect.TypeFor[chat.QuietHours](),
		"Timeouts":   reflect.TypeFor[chat.Timeouts](),
		"Number":     reflect.TypeFor[chat.Number](),
		"Queue":      reflect.TypeFor[chat.Queue](),
		"Hours":      reflect.TypeFor[chat.Hours](),
		"Survey":     reflect.TypeFor[chat.Survey](),
		"Returning":  reflect.TypeFor[chat.Returning](),
		"Team":       reflect.TypeFor[chat.Team](),
		"Agent":      reflect.TypeFor[chat.Agent](),
		"Error":      reflect.TypeFor[adminapi.ErrorBody](),
		"Problem":    reflect.TypeFor[chat.FieldError](),
		"Transcript": reflect.TypeFor[transcript.Transcript](),
		"Chat":       reflect.TypeFor[chat.Chat](),
		"Offer":      reflect.TypeFor[chat.Offer](),
		"Transfer":   reflect.TypeFor[chat.Transfer](),
		"Timer":      reflect.TypeFor[chat.Timer](),
		"Message":    reflect.TypeFor[chat.Message](),
		"Media":      reflect.TypeFor[chat.Media](),
		"Send":       reflect.TypeFor[chat.Send](),
		"Delivery":   reflect.TypeFor[chat.Delivery](),

		// AdminAPI: OutboundAPI keys
		"APIKeyRequest":   reflect.TypeFor[adminapi.APIKeyRequest](),
		"APIKey":          reflect.TypeFor[apikey.View](),
		"APIKeyCreated":   reflect.TypeFor[adminapi.APIKeyCreated](),
		"IVRQueue":        reflect.TypeFor[ivrrec.Queue](),
		"IVRTexts":        reflect.TypeFor[ivrrec.Texts](),
		"QueueEWT":        reflect.TypeFor[agentapi.QueueEWT](),
		"Link":            reflect.TypeFor[chat.Link](),
		"InCallLinks":     reflect.TypeFor[agentapi.InCallLinks](),
		"LinkRequest":     reflect.TypeFor[agentapi.LinkRequest](),
		"AppLinkRequest":  reflect.TypeFor[agentapi.AppLinkRequest](),
		"AppLinkSent":     reflect.TypeFor[agentapi.AppLinkSent](),
		"AppTokenRequest": reflect.TypeFor[ivrwebhook.AppTokenRequest](),
		"CallContext":     reflect.TypeFor[ivr.CallContext](),
		// AdminAPI: previews
		"MenuPreview":     reflect.TypeFor[adminapi.MenuPreview](),
		"MenuChoice":      reflect.TypeFor[adminapi.MenuChoice](),
		"PreviewText":     reflect.TypeFor[adminapi.PreviewText](),
		"SettingsPreview": reflect.TypeFor[adminapi.SettingsPreview](),
		"MessageKind":     reflect.TypeFor[admin.MessageKind](),
		"CannedPreview":   reflect.TypeFor[adminapi.CannedPreview](),
		"InviteRequest":   reflect.TypeFor[adminapi.InviteRequest](),
		"Account":         reflect.TypeFor[admin.Account](),
		"AgentActivity":   reflect.TypeFor[adminapi.AgentActivity](),
		"ImportPreview":   reflect.TypeFor[admin.ImportPreview](),
		"ConfigChange":    reflect.TypeFor[admin.Change](),

		// AgentAPI
		"Me":              reflect.TypeFor[agentapi.Me](),
		"QueueRef":        reflect.TypeFor[desk.QueueRef](),
		"Inbox":           reflect.TypeFor[desk.Inbox](),
		"OpenChats":       reflect.TypeFor[desk.OpenChats](),
		"ChatView":        reflect.TypeFor[desk.ChatView](),
		"Note":            reflect.TypeFor[store.Note](),
		"Mention":         reflect.TypeFor[store.Mention](),
		"WrapUpPolicy":    reflect.TypeFor[wrapup.Policy](),
		"SearchResult":    reflect.TypeFor[desk.SearchResult](),
		"OfferPreview":    reflect.TypeFor[desk.OfferPreview](),
		"TranscriptNote":  reflect.TypeFor[transcript.Note](),
		"NoteRequest":     reflect.TypeFor[agentapi.NoteRequest](),
		"LabelsRequest":   reflect.TypeFor[agentapi.LabelsRequest](),
		"ConsentSummary":  reflect.TypeFor[desk.ConsentSummary](),
		"Canned":          reflect.TypeFor[chat.Canned](),
		"StatusRequest":   reflect.TypeFor[agentapi.StatusRequest](),
		"ReplyRequest":    reflect.TypeFor[agentapi.ReplyRequest](),
		"TransferRequest": reflect.TypeFor[agentapi.TransferRequest](),
		"EndRequest":      reflect.TypeFor[agentapi.EndRequest](),
		"MeasureRequest":  reflect.TypeFor[agentapi.MeasureRequest](),
		"Measurement":     reflect.TypeFor[agentapi.Measurement](),
		"StatsReport":     reflect.TypeFor[agentapi.StatsReport](),
		"StatsRebuild":    reflect.TypeFor[adminapi.StatsRebuild](),
		"StatsRow":        reflect.TypeFor[agentapi.StatsRow](),
		"MyStats":         reflect.TypeFor[agentapi.MyStats](),
		"MyPeriod":        reflect.TypeFor[agentapi.MyPeriod](),
		"TeamAverage":     reflect.TypeFor[agentapi.TeamAverage](),
		"ChatHistory":     reflect.TypeFor[agentapi.History](),
		"MonitorSnapshot": reflect.TypeFor[monitor.Snapshot](),
		"MonitorAgent":    reflect.TypeFor[monitor.Agent](),
		"MonitorChat":     reflect.TypeFor[monitor.Chat](),
		"MonitorQueue":    reflect.TypeFor[monitor.Queue](),
		"MonitorCounts":   reflect.TypeFor[monitor.Counts](),
		"OutboundRequest": reflect.TypeFor[agentapi.OutboundRequest](),
		"CRMChoice":       reflect.TypeFor[agentapi.CRMChoice](),
		"CRMView":         reflect.TypeFor[crm.View](),
		"CRMContact":      reflect.TypeFor[crm.ContactView](),
		"CRMParked":       reflect.TypeFor[crm.Parked](),
		"OutboundStarted": reflect.TypeFor[agentapi.OutboundStarted](),
		"OutboundError":   reflect.TypeFor[agentapi.OutboundError](),

		// AdminAPI: the CRM connection (crm.go) and the signed webhook's
		// payloads (the webhooks section)
		"CRMSettings":          reflect.TypeFor[crm.Settings](),
		"CRMConnection":        reflect.TypeFor[adminapi.CRMConnection](),
		"CRMSecrets":           reflect.TypeFor[adminapi.CRMSecrets](),
		"CRMTestRequest":       reflect.TypeFor[adminapi.CRMTestRequest](),
		"CRMTestReport":        reflect.TypeFor[connect.Report](),
		"CRMReplay":            reflect.TypeFor[adminapi.CRMReplay](),
		"CRMPending":           reflect.TypeFor[adminapi.CRMPending](),
		"ChatEvent":            reflect.TypeFor[chat.Event](),
		"WebhookRequest":       reflect.TypeFor[webhook.Request](),
		"WebhookContact":       reflect.TypeFor[webhook.Contact](),
		"WebhookLookup":        reflect.TypeFor[webhook.LookupData](),
		"WebhookLookupResult":  reflect.TypeFor[webhook.LookupResult](),
		"WebhookContactData":   reflect.TypeFor[webhook.ContactData](),
		"WebhookContactResult": reflect.TypeFor[webhook.ContactResult](),
		"WebhookNoteData":      reflect.TypeFor[webhook.NoteData](),
		"WebhookNote":          reflect.TypeFor[webhook.NoteBody](),
		"WebhookAttachment":    reflect.TypeFor[webhook.Attachment](),
		"WebhookNoteResult":    reflect.TypeFor[webhook.NoteResult](),
		"WebhookError":         reflect.TypeFor[webhook.ErrorBody](),

		// The contact panel (contact.go)
		"ContactPanel":      reflect.TypeFor[agentapi.ContactPanel](),
		"ContactCard":       reflect.TypeFor[builtin.Card](),
		"ContactNote":       reflect.TypeFor[builtin.Note](),
		"ContactAttachment": reflect.TypeFor[builtin.AttachmentRef](),
		"ContactEdit":       reflect.TypeFor[agentapi.ContactEdit](),
		"PastChat":          reflect.TypeFor[agentapi.PastChat](),

		// OutboundAPI
		"OutboundAPIError":   reflect.TypeFor[apikey.ErrorBody](),
		"SessionRequest":     reflect.TypeFor[outbound.SessionRequest](),
		"OutboundChat":       reflect.TypeFor[outbound.ChatView](),
		"AgentInfo":          reflect.TypeFor[outbound.AgentInfo](),
		"EndUser":            reflect.TypeFor[outbound.EndUser](),
		"SessionlessRequest": reflect.TypeFor[outboundapi.SessionlessRequest](),
		"Batch":              reflect.TypeFor[outboundapi.BatchView](),
		"Recipient":          reflect.TypeFor[outboundapi.RecipientView](),
		"RecipientText":      reflect.TypeFor[outbound.Text](),
	}
	scalar = []string{"ID", "Language", "Messages", "SystemMessage", "Minutes", "APIKeyScope", "BatchStatus"}
	// responseOnly schemas are never request bodies, so their "required"
	// lists are not the server's: they are the members always written.
	responseOnly = []string{"Error", "Problem", "Transcript", "Chat", "Offer", "Transfer", "Timer", "Message", "Media", "Send", "Delivery",
		"APIKey", "APIKeyCreated", "MenuPreview", "MenuChoice", "PreviewText", "SettingsPreview", "MessageKind", "CannedPreview", "Account", "AgentActivity", "ImportPreview", "ConfigChange",
		"Me", "QueueRef", "Inbox", "OpenChats", "ChatView", "ConsentSummary", "Measurement", "Note", "Mention", "WrapUpPolicy", "SearchResult", "OfferPreview", "TranscriptNote",
		"OutboundStarted", "OutboundError", "CRMView", "CRMContact", "CRMParked",
		"CRMConnection", "CRMSecrets", "CRMTestReport", "CRMReplay", "CRMPending", "ChatEvent",
		"WebhookRequest", "WebhookContact", "WebhookLookup", "WebhookLookupResult", "WebhookContactData", "WebhookContactResult",
		"WebhookNoteData", "WebhookNote", "WebhookAttachment", "WebhookNoteResult", "WebhookError",
		"ContactPanel", "ContactCard", "ContactNote", "ContactAttachment", "PastChat",
		"OutboundAPIError", "OutboundChat", "AgentInfo", "EndUser", "Batch", "Recipient", "RecipientText",
		"StatsReport", "StatsRow", "StatsRebuild", "MyStats", "MyPeriod", "TeamAverage", "ChatHistory",
		"MonitorSnapshot", "MonitorAgent", "MonitorChat", "MonitorQueue", "MonitorCounts"}
)

// outboundRequired are the members OutboundAPI's request bodies must
// carry. OutboundAPI has no required list of its own (its use case refuses
// each missing member with the reference product's message), so
// TestOutboundAPIRefusesMissingMembers checks this one on the live handler.
var outboundRequired = map[string][]string{
	"SessionRequest":     {"chat_type", "end_user_number", "outbound_number", "message"},
	"SessionlessRequest": {"from_phone", "phone_number", "message"},
}

// outboundRoutes are OutboundAPI's routes. It serves them from its own mux
// behind the API-key middleware, without a route table; the paths are its
// constants.
func outboundRoutes() []route {
	return []route{
		{http.MethodGet, "/openapi.yaml", true},
		{http.MethodPost, outboundapi.PathSession, false},
		{http.MethodPost, outboundapi.PathSessionless, false},
		{http.MethodGet, outboundapi.PathSessionless + "/{batch}", false},
	}
}

// route is a route as a contract test needs it.
type route struct {
	Method, Path string
	Public       bool
}

// apis are the APIs the document describes, each with the routes it serves
// and the members its request bodies require.
var apis = []struct {
	name     string
	routes   func() []route
	required map[string][]string
}{
	{adminapi.Name, func() []route {
		var out []route
		for _, r := range adminapi.Routes() {
			out = append(out, route{r.Method, r.Path, r.Public})
		}
		return out
	}, adminapi.RequiredFields},
	{agentapi.Name, func() []route {
		var out []route
		for _, r := range agentapi.Routes() {
			out = append(out, route{r.Method, r.Path, r.Public})
		}
		return out
	}, agentapi.RequiredFields},
	{outboundapi.Name, outboundRoutes, outboundRequired},
}

// requiredFields are the required members of a request schema, whichever
// API takes it.
func requiredFields(schema string) []string {
	for _, a := range apis {
		if req, ok := a.required[schema]; ok {
			return slices.Clone(req)
		}
	}
	return nil
}

// handlers builds each API with authentication that lets every request
// through as an admin who is also an agent.
func handlers(t *testing.T) map[string]http.Handler {
	t.Helper()
	set := jobs.Compose(jobs.Clients{Store: memstore.New()})
	dev, err := auth.NewDevVerifier(true)
	if err != nil {
		t.Fatal(err)
	}
	token, err := dev.Mint(auth.Principal{UID: "u", Role: auth.RoleAdmin, AgentID: "x"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	withToken := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+token)
			h.ServeHTTP(w, r)
		})
	}
	open := func(h http.Handler) http.Handler { return h }
	_, secret, err := set.Admin.Keys.Create(context.Background(), apikey.Key{
		Name: "contract test", Numbers: []string{"+14155550101"}, Scopes: apikey.Scopes,
	})
	if err != nil {
		t.Fatal(err)
	}
	withKey := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+secret)
			h.ServeHTTP(w, r)
		})
	}
	return map[string]http.Handler{
		adminapi.Name:    adminapi.New(set.Admin, open),
		agentapi.Name:    withToken(agentapi.New(agentapi.FromSet(set), auth.NewGuard(dev))),
		outboundapi.Name: withKey(outboundapi.New(set.Outbound, set.Admin.Keys)),
	}
}

func load(t *testing.T) obj {
	t.Helper()
	var doc obj
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	return doc
}

func get(t *testing.T, o obj, path ...string) obj {
	t.Helper()
	cur := o
	for _, p := range path {
		next, ok := cur[p].(obj)
		if !ok {
			t.Fatalf("openapi.yaml: no object at %s", strings.Join(path, "."))
		}
		cur = next
	}
	return cur
}

var methods = []string{"get", "put", "post", "patch", "delete"}

// documented lists "METHOD /path" for the paths of one API, without the
// prefix, and which of them need no authentication.
func documented(t *testing.T, doc obj, name string) (routes []string, public map[string]bool) {
	public = map[string]bool{}
	for path, item := range get(t, doc, "paths") {
		rest, ok := strings.CutPrefix(path, "/"+name+"/")
		rest = "/" + rest
		if !ok {
			continue
		}
		for _, m := range methods {
			op, ok := item.(obj)[m].(obj)
			if !ok {
				continue
			}
			key := strings.ToUpper(m) + " " + rest
			routes = append(routes, key)
			if sec, ok := op["security"].([]any); ok && len(sec) == 0 {
				public[key] = true
			}
		}
	}
	sort.Strings(routes)
	return routes, public
}

func TestEveryRouteIsDocumented(t *testing.T) {
	doc := load(t)
	for _, api := range apis {
		t.Run(api.name, func(t *testing.T) {
			docRoutes, public := documented(t, doc, api.name)
			var served []string
			for _, r := range api.routes() {
				key := r.Method + " " + r.Path
				served = append(served, key)
				if r.Public != public[key] {
					t.Errorf("%s: served public=%v, documented without security=%v", key, r.Public, public[key])
				}
			}
			sort.Strings(served)
			for _, r := range served {
				if !slices.Contains(docRoutes, r) {
					t.Errorf("%s serves %s, which openapi.yaml does not document", api.name, r)
				}
			}
			for _, r := range docRoutes {
				if !slices.Contains(served, r) {
					t.Errorf("openapi.yaml documents %s, which %s does not serve", r, api.name)
				}
			}
		})
	}
}

// TestEveryOperationIsTagged keeps each API's operations under its tag, and
// every operation id unique.
func TestEveryOperationIsTagged(t *testing.T) {
	doc := load(t)
	ids := map[string]string{}
	for path, item := range get(t, doc, "paths") {
		for _, m := range methods {
			op, ok := item.(obj)[m].(obj)
			if !ok {
				continue
			}
			name, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
			if tags, _ := op["tags"].([]any); len(tags) != 1 || tags[0] != name {
				t.Errorf("%s %s: tags %v, want [%s]", m, path, op["tags"], name)
			}
			id, _ := op["operationId"].(string)
			if prev, dup := ids[id]; dup || id == "" {
				t.Errorf("%s %s: operationId %q (also %s)", m, path, id, prev)
			}
			ids[id] = m + " " + path
		}
	}
}

// TestDocumentedRoutesAreServed sends a request to every documented route
// of a live handler: none may fall through to the router's 404 or 405.
func TestDocumentedRoutesAreServed(t *testing.T) {
	doc := load(t)
	hs := handlers(t)
	for _, a := range apis {
		routes, _ := documented(t, doc, a.name)
		if len(routes) == 0 {
			t.Errorf("openapi.yaml documents no route of %s", a.name)
		}
		for _, r := range routes {
			method, path, _ := strings.Cut(r, " ")
			path = strings.NewReplacer("{id}", "x", "{e164}", "+14155550199", "{batch}", "x").Replace(path)
			var body io.Reader
			if method == http.MethodPut || method == http.MethodPost {
				body = strings.NewReader("{}")
			}
			req := httptest.NewRequest(method, "/"+a.name+path, body)
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			hs[a.name].ServeHTTP(rec, req)
			// "no such resource" is httpapi's 404; "404 page not found" a
			// plain ServeMux's (OutboundAPI's).
			if rec.Code == http.StatusMethodNotAllowed || strings.Contains(rec.Body.String(), "no such resource") ||
				strings.Contains(rec.Body.String(), "404 page not found") {
				t.Errorf("%s %s: the router did not serve it: %d %s", a.name, r, rec.Code, rec.Body)
			}
		}
	}
}

func TestDocumentIsServedWithoutAuthentication(t *testing.T) {
	set := jobs.Compose(jobs.Clients{Store: memstore.New()})
	hs := map[string]http.Handler{
		adminapi.Name:    adminapi.New(jobs.Compose(jobs.Clients{Store: memstore.New()}).Admin, adminapi.RefuseAll),
		agentapi.Name:    agentapi.New(agentapi.FromSet(jobs.Compose(jobs.Clients{Store: memstore.New()})), nil),
		outboundapi.Name: outboundapi.New(set.Outbound, set.Admin.Keys),
	}
	for name, h := range hs {
		for _, path := range []string{"/" + name + "/openapi.yaml", "/openapi.yaml"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), api.OpenAPI) {
				t.Errorf("%s: GET %s: %d, body equal to the embedded document: %v", name, path, rec.Code, bytes.Equal(rec.Body.Bytes(), api.OpenAPI))
			}
			if ct := rec.Header().Get("Content-Type"); ct != api.ContentType {
				t.Errorf("%s: GET %s: Content-Type %q", name, path, ct)
			}
		}
	}
}

// jsonFields are the JSON member names of a struct type.
func jsonFields(typ reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for f := range typ.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f
	}
	return out
}

func TestSchemasMatchGoTypes(t *testing.T) {
	doc := load(t)
	schemas := get(t, doc, "components", "schemas")
	for name := range schemas {
		if _, ok := goTypes[name]; !ok && !slices.Contains(scalar, name) {
			t.Errorf("schema %s is neither mapped to a Go type nor listed as scalar", name)
		}
	}
	for name, typ := range goTypes {
		t.Run(name, func(t *testing.T) {
			s := get(t, schemas, name)
			if s["type"] != "object" {
				t.Errorf("type = %v, want object", s["type"])
			}
			if s["additionalProperties"] != false {
				t.Errorf("additionalProperties = %v, want false: the server refuses unknown members", s["additionalProperties"])
			}
			props := get(t, s, "properties")
			fields := jsonFields(typ)
			for prop, schema := range props {
				f, ok := fields[prop]
				if !ok {
					t.Errorf("property %q is not a JSON member of %v", prop, typ)
					continue
				}
				checkType(t, name+"."+prop, schema.(obj), f.Type, schemas)
			}
			for field := range fields {
				if _, ok := props[field]; !ok {
					t.Errorf("%v's JSON member %q is not documented", typ, field)
				}
			}
			if slices.Contains(responseOnly, name) {
				// A member an answer may leave out is not required.
				req, _ := s["required"].([]any)
				for _, r := range req {
					f, ok := fields[r.(string)]
					if !ok {
						t.Errorf("required member %q is not a JSON member of %v", r, typ)
						continue
					}
					if tag := f.Tag.Get("json"); strings.Contains(tag, ",omitempty") || strings.Contains(tag, ",omitzero") {
						t.Errorf("required member %q may be left out of answers (json:%q)", r, tag)
					}
				}
				return
			}
			var required []string
			if req, ok := s["required"].([]any); ok {
				for _, r := range req {
					required = append(required, r.(string))
				}
			}
			want := requiredFields(name)
			slices.Sort(required)
			slices.Sort(want)
			if !slices.Equal(required, want) {
				t.Errorf("required = %v, but the server requires %v", required, want)
			}
		})
	}
}

func checkType(t *testing.T, where string, s obj, typ reflect.Type, schemas obj) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ == reflect.TypeFor[json.RawMessage]() {
		// Any JSON: the handler reads it (a string or a list, say). Each
		// alternative the document allows must still say its type.
		alts, ok := s["oneOf"].([]any)
		if !ok {
			alts = []any{s}
		}
		for _, alt := range alts {
			if _, ok := alt.(obj)["type"].(string); !ok {
				t.Errorf("%s: the raw JSON member's schema %v has no type", where, alt)
			}
		}
		return
	}
	if alts, ok := s["oneOf"].([]any); ok {
		// A nullable value: one alternative is null, and the Go field is a
		// pointer (already dereferenced above).
		var rest []any
		for _, alt := range alts {
			if alt.(obj)["type"] != "null" {
				rest = append(rest, alt)
			}
		}
		if len(rest) != 1 || len(alts) != 2 {
			t.Errorf("%s: oneOf is only used for a nullable value, got %v", where, alts)
			return
		}
		checkType(t, where, rest[0].(obj), typ, schemas)
		return
	}
	if ref, ok := s["$ref"].(string); ok {
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		if !ok {
			t.Errorf("%s: $ref %q is not a component schema", where, ref)
			return
		}
		if goType, ok := goTypes[name]; ok {
			if goType != typ {
				t.Errorf("%s: refers to %s (%v), but the Go field is %v", where, name, goType, typ)
			}
			return
		}
		target, ok := schemas[name].(obj)
		if !ok {
			t.Errorf("%s: $ref %q resolves to nothing", where, ref)
			return
		}
		checkType(t, where, target, typ, schemas)
		return
	}
	kind := typ.Kind()
	ok := false
	switch s["type"] {
	case "string":
		ok = kind == reflect.String || typ == reflect.TypeFor[time.Time]()
	case "boolean":
		ok = kind == reflect.Bool
	case "integer":
		ok = kind >= reflect.Int && kind <= reflect.Uint64
	case "number":
		ok = kind == reflect.Float32 || kind == reflect.Float64
	case "array":
		ok = kind == reflect.Slice
		if items, isObj := s["items"].(obj); ok && isObj {
			checkType(t, where+"[]", items, typ.Elem(), schemas)
		}
	case "object":
		ok = kind == reflect.Map || kind == reflect.Struct
		if add, isObj := s["additionalProperties"].(obj); ok && kind == reflect.Map && isObj {
			checkType(t, where+"{}", add, typ.Elem(), schemas)
		}
	}
	if !ok {
		t.Errorf("%s: documented as %v, but the Go type is %v", where, s["type"], typ)
	}
}

func enum(t *testing.T, s obj) []string {
	t.Helper()
	var out []string
	list, _ := s["enum"].([]any)
	for _, v := range list {
		out = append(out, v.(string))
	}
	return out
}

func TestEnumsAndBoundsMatchTheDomain(t *testing.T) {
	schemas := get(t, load(t), "components", "schemas")
	var messages []string
	for _, m := range chat.SystemMessages {
		messages = append(messages, string(m))
	}
	statuses := []string{string(chat.AgentAvailable), string(chat.AgentAway), string(chat.AgentOffline)}
	for _, tc := range []struct {
		name   string
		schema obj
		want   []string
	}{
		{"SystemMessage", get(t, schemas, "SystemMessage"), messages},
		{"Number.provider", get(t, schemas, "Number", "properties", "provider"), chat.Providers},
		{"Number.campaignStatus", get(t, schemas, "Number", "properties", "campaignStatus"), chat.CampaignStatuses},
		{"Agent.status", get(t, schemas, "Agent", "properties", "status"), statuses},
		{"BatchStatus", get(t, schemas, "BatchStatus"), []string{
			outbound.StatusQueued, outbound.StatusHeld, outbound.StatusOptedOut, outbound.StatusInvalid,
			outbound.StatusCountry, outbound.StatusQuietHours, outbound.StatusRefusedCarrier,
		}},
		{"RecipientText.send_state", get(t, schemas, "RecipientText", "properties", "send_state"), []string{
			string(chat.SendPending), string(chat.SendClaimed), string(chat.SendSent), string(chat.SendFailed), string(chat.SendSuppressed),
		}},
	} {
		if got := enum(t, tc.schema); !slices.Equal(got, tc.want) {
			t.Errorf("%s enum = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got, want := get(t, schemas, "Minutes")["maximum"], int(chat.MaxTimeout/time.Minute); got != want {
		t.Errorf("Minutes.maximum = %v, want %d (chat.MaxTimeout)", got, want)
	}
}

func TestReferencesResolve(t *testing.T) {
	doc := load(t)
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case obj:
			if ref, ok := v["$ref"].(string); ok {
				parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
				if !strings.HasPrefix(ref, "#/") {
					t.Errorf("%s: external $ref %q", where, ref)
				} else if _, ok := lookup(doc, parts); !ok {
					t.Errorf("%s: $ref %q resolves to nothing", where, ref)
				}
			}
			for k, x := range v {
				walk(where+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(where+"[]", x)
			}
		}
	}
	walk("", doc)
}

func lookup(doc obj, parts []string) (any, bool) {
	var cur any = doc
	for _, p := range parts {
		o, ok := cur.(obj)
		if !ok {
			return nil, false
		}
		if cur, ok = o[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// outboundAPI is OutboundAPI over a configuration that lets +14155550101
// text first, with a key for it of both scopes.
func outboundAPI(t *testing.T) (h http.Handler, secret string) {
	t.Helper()
	ctx := context.Background()
	set := jobs.Compose(jobs.Clients{Store: memstore.New()})
	err := set.Admin.ImportConfig(ctx, chat.Config{
		Settings: chat.Settings{ChannelEnabled: true, OutboundEnabled: true},
		Numbers: []chat.Number{{
			E164: "+14155550101", Provider: "twilio", EntryQueue: "support", Enabled: true, CampaignStatus: "verified",
		}},
		Queues: []chat.Queue{{ID: "support", Name: "Support"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err = set.Admin.Keys.Create(ctx, apikey.Key{Name: "contract test", Numbers: []string{"+14155550101"}, Scopes: apikey.Scopes})
	if err != nil {
		t.Fatal(err)
	}
	return outboundapi.New(set.Outbound, set.Admin.Keys), secret
}

// postJSON posts body to h with the key and answers the status and message.
func postJSON(t *testing.T, h http.Handler, secret, path string, body any) (int, string) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var e apikey.ErrorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	return rec.Code, e.Message
}

// TestOutboundAPIRefusesMissingMembers takes each OutboundAPI request's
// documented example, leaves out one required member at a time and expects
// a 400 naming it: the required lists are the server's.
func TestOutboundAPIRefusesMissingMembers(t *testing.T) {
	doc := load(t)
	h, secret := outboundAPI(t)
	for path, schema := range map[string]string{
		"/OutboundAPI" + outboundapi.PathSession:     "SessionRequest",
		"/OutboundAPI" + outboundapi.PathSessionless: "SessionlessRequest",
	} {
		media := get(t, doc, "paths", path, "post", "requestBody", "content", "application/json")
		if ref := get(t, media, "schema")["$ref"]; ref != "#/components/schemas/"+schema {
			t.Fatalf("POST %s: schema %v, want %s", path, ref, schema)
		}
		example := get(t, media, "example")
		for _, member := range outboundRequired[schema] {
			t.Run(schema+"/"+member, func(t *testing.T) {
				if _, ok := example[member]; !ok {
					t.Fatalf("the example of POST %s has no %s", path, member)
				}
				body := obj{}
				for k, v := range example {
					if k != member {
						body[k] = v
					}
				}
				code, msg := postJSON(t, h, secret, path, body)
				if code != http.StatusBadRequest || !strings.Contains(msg, member) {
					t.Errorf("POST %s without %s: %d %q, want 400 naming %s", path, member, code, msg, member)
				}
			})
		}
	}
}

// TestSessionlessMembersTakeAStringOrAList sends phone_number and message
// in each form the document's oneOf allows, and in one it does not. The
// sender is not configured, so nothing is sent: an accepted form gets as
// far as the sender's check.
func TestSessionlessMembersTakeAStringOrAList(t *testing.T) {
	h, secret := outboundAPI(t)
	const unknownSender = "from_phone is not found"
	for _, tc := range []struct {
		name        string
		phone, text any
		want        string
	}{
		{"one number, one text", "+14155550142", "hi", unknownSender},
		{"numbers, texts", []string{"+14155550142", "+14155550143"}, []string{"hi", "again"}, unknownSender},
		{"a number as a JSON number", 14155550142, "hi", "phone_number must be a string or an array of strings"},
		{"a text as an object", "+14155550142", obj{"body": "hi"}, "message must be a string or an array of strings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, msg := postJSON(t, h, secret, "/OutboundAPI"+outboundapi.PathSessionless,
				obj{"from_phone": "+14155550199", "phone_number": tc.phone, "message": tc.text})
			if code != http.StatusBadRequest || msg != tc.want {
				t.Errorf("%d %q, want 400 %q", code, msg, tc.want)
			}
		})
	}
}
