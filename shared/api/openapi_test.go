package api_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/smsdesk/smsdesk/functions/adminapi"
	"github.com/smsdesk/smsdesk/functions/agentapi"
	"github.com/smsdesk/smsdesk/shared/api"
	"github.com/smsdesk/smsdesk/shared/apikey"
	"github.com/smsdesk/smsdesk/shared/auth"
	"github.com/smsdesk/smsdesk/shared/chat"
	"github.com/smsdesk/smsdesk/shared/desk"
	"github.com/smsdesk/smsdesk/shared/platform/jobs"
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
		"Team":       reflect.TypeFor[chat.Team](),
		"Agent":      reflect.TypeFor[chat.Agent](),
		"Error":      reflect.TypeFor[adminapi.ErrorBody](),
		"Problem":    reflect.TypeFor[chat.FieldError](),
		"Transcript": reflect.TypeFor[chat.Transcript](),
		"Chat":       reflect.TypeFor[chat.Chat](),
		"Offer":      reflect.TypeFor[chat.Offer](),
		"Transfer":   reflect.TypeFor[chat.Transfer](),
		"Timer":      reflect.TypeFor[chat.Timer](),
		"Message":    reflect.TypeFor[chat.Message](),
		"Media":      reflect.TypeFor[chat.Media](),
		"Send":       reflect.TypeFor[chat.Send](),
		"Delivery":   reflect.TypeFor[chat.Delivery](),

		// AdminAPI: OutboundAPI keys
		"APIKeyRequest": reflect.TypeFor[adminapi.APIKeyRequest](),
		"APIKey":        reflect.TypeFor[apikey.View](),
		"APIKeyCreated": reflect.TypeFor[adminapi.APIKeyCreated](),

		// AgentAPI
		"Me":              reflect.TypeFor[agentapi.Me](),
		"QueueRef":        reflect.TypeFor[desk.QueueRef](),
		"Inbox":           reflect.TypeFor[desk.Inbox](),
		"OpenChats":       reflect.TypeFor[desk.OpenChats](),
		"ChatView":        reflect.TypeFor[desk.ChatView](),
		"ConsentSummary":  reflect.TypeFor[desk.ConsentSummary](),
		"Canned":          reflect.TypeFor[chat.Canned](),
		"StatusRequest":   reflect.TypeFor[agentapi.StatusRequest](),
		"ReplyRequest":    reflect.TypeFor[agentapi.ReplyRequest](),
		"TransferRequest": reflect.TypeFor[agentapi.TransferRequest](),
		"EndRequest":      reflect.TypeFor[agentapi.EndRequest](),
		"MeasureRequest":  reflect.TypeFor[agentapi.MeasureRequest](),
		"Measurement":     reflect.TypeFor[agentapi.Measurement](),
	}
	scalar = []string{"ID", "Language", "Messages", "SystemMessage", "Minutes", "APIKeyScope"}
	// responseOnly schemas are never request bodies, so their "required"
	// lists are not the server's.
	responseOnly = []string{"Error", "Problem", "Transcript", "Chat", "Offer", "Transfer", "Timer", "Message", "Media", "Send", "Delivery",
		"APIKey", "APIKeyCreated",
		"Me", "QueueRef", "Inbox", "OpenChats", "ChatView", "ConsentSummary", "Measurement"}
)

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
	return map[string]http.Handler{
		adminapi.Name: adminapi.New(set.Admin, open),
		agentapi.Name: withToken(agentapi.New(agentapi.FromSet(set), auth.NewGuard(dev))),
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
			path = strings.NewReplacer("{id}", "x", "{e164}", "+14155550199").Replace(path)
			var body io.Reader
			if method == http.MethodPut || method == http.MethodPost {
				body = strings.NewReader("{}")
			}
			req := httptest.NewRequest(method, "/"+a.name+path, body)
			rec := httptest.NewRecorder()
			hs[a.name].ServeHTTP(rec, req)
			if rec.Code == http.StatusMethodNotAllowed || strings.Contains(rec.Body.String(), "no such resource") {
				t.Errorf("%s %s: the router did not serve it: %d %s", a.name, r, rec.Code, rec.Body)
			}
		}
	}
}

func TestDocumentIsServedWithoutAuthentication(t *testing.T) {
	hs := map[string]http.Handler{
		adminapi.Name: adminapi.New(jobs.Compose(jobs.Clients{Store: memstore.New()}).Admin, adminapi.RefuseAll),
		agentapi.Name: agentapi.New(agentapi.FromSet(jobs.Compose(jobs.Clients{Store: memstore.New()})), nil),
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
