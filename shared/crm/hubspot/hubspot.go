// Package hubspot is the crm.CRM adapter for HubSpot CRM v3: contacts
// searched by phone and mobilephone, created and updated, and notes
// associated with the contact, over the REST API with a private app's
// access token (Bearer). hubspottest is its local stand-in.
package hubspot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/smsdesk/smsdesk/shared/crm"
)

// DefaultBaseURL is HubSpot's API host.
const DefaultBaseURL = "https://api.hubapi.com"

// Timeout bounds one call: CRMSync answers Pub/Sub well within its ack
// deadline even when HubSpot hangs.
const Timeout = 15 * time.Second

// AssocNoteToContact is HubSpot's defined association type of a note to
// a contact.
const AssocNoteToContact = 202

// MaxNoteBody is hs_note_body's limit (65,536 characters); a longer
// transcript is cut with a notice.
const MaxNoteBody = 65536

// Client calls HubSpot.
type Client struct {
	BaseURL string
	Token   string
	// PortalID (the HubSpot account id) makes ContactURL; "" leaves it out.
	PortalID string
	HTTP     *http.Client
	// SearchLag is how long a new note may be missing from search
	// results (HubSpot indexes within seconds); 0 trusts the search at
	// once (the stand-in's).
	SearchLag time.Duration
}

// DefaultSearchLag is New's SearchLag.
const DefaultSearchLag = 10 * time.Second

// IndexLag is SearchLag.
func (c *Client) IndexLag() time.Duration { return c.SearchLag }

var (
	_ crm.CRM        = (*Client)(nil)
	_ crm.NoteFinder = (*Client)(nil)
	_ crm.Tester     = (*Client)(nil)
)

// Scopes the sync needs: it reads and writes contacts (notes on contacts
// take the same scopes) and uploads the transcript and media (files).
var Scopes = []string{"crm.objects.contacts.read", "crm.objects.contacts.write", "files"}

// New is a Client; an empty baseURL means DefaultBaseURL.
func New(baseURL, token, portalID string) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	return &Client{BaseURL: strings.TrimSuffix(baseURL, "/"), Token: token, PortalID: portalID, HTTP: &http.Client{Timeout: Timeout}, SearchLag: DefaultSearchLag}
}

// contactProps are the properties read back from searches.
var contactProps = []string{"firstname", "lastname", "email", "phone", "mobilephone"}

// Filter is one search filter.
type Filter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value,omitempty"`
	Values       []string `json:"values,omitempty"`
}

// FilterGroup ANDs its filters; groups are ORed.
type FilterGroup struct {
	Filters []Filter `json:"filters"`
}

// SearchRequest is the body of POST /crm/v3/objects/contacts/search.
type SearchRequest struct {
	FilterGroups []FilterGroup `json:"filterGroups"`
	Properties   []string      `json:"properties,omitempty"`
	Limit        int           `json:"limit,omitempty"`
	After        string        `json:"after,omitempty"`
}

// Object is a CRM object as HubSpot answers it.
type Object struct {
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
	CreatedAt  string            `json:"createdAt,omitempty"`
	UpdatedAt  string            `json:"updatedAt,omitempty"`
	Archived   bool              `json:"archived"`
}

// SearchResponse is what a search answers.
type SearchResponse struct {
	Total   int      `json:"total"`
	Results []Object `json:"results"`
}

// PropertiesBody is the body of a create or update.
type PropertiesBody struct {
	Properties map[string]string `json:"properties"`
	// Associations are set on creates (notes).
	Associations []Association `json:"associations,omitempty"`
}

// Association links a new object to another at creation.
type Association struct {
	To    AssociationTo     `json:"to"`
	Types []AssociationType `json:"types"`
}

// AssociationTo names the other object.
type AssociationTo struct {
	ID string `json:"id"`
}

// AssociationType is one of HubSpot's association types.
type AssociationType struct {
	AssociationCategory string `json:"associationCategory"`
	AssociationTypeID   int    `json:"associationTypeId"`
}

// ErrorBody is HubSpot's error answer.
type ErrorBody struct {
	Status        string        `json:"status"`
	Message       string        `json:"message"`
	CorrelationID string        `json:"correlationId,omitempty"`
	Category      string        `json:"category,omitempty"`
	ErrorType     string        `json:"errorType,omitempty"`
	Errors        []ErrorDetail `json:"errors,omitempty"`
}

// ErrorDetail is one of an error's details; a MISSING_SCOPES refusal
// names the scopes in its context.
type ErrorDetail struct {
	Message string `json:"message"`
	Context struct {
		RequiredGranularScopes []string `json:"requiredGranularScopes,omitempty"`
	} `json:"context"`
}

// TokenInfo is the answer of POST /oauth/v2/private-apps/get/access-token-info.
type TokenInfo struct {
	UserID int64    `json:"userId"`
	HubID  int64    `json:"hubId"`
	AppID  int64    `json:"appId"`
	Scopes []string `json:"scopes"`
}

// NoteMarker is the token a note carries for its key, found again by a
// CONTAINS_TOKEN search of hs_note_body: one run of letters and digits,
// since HubSpot splits tokens at punctuation.
func NoteMarker(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "smsdesk" + hex.EncodeToString(sum[:10])
}

// FindNote searches the contact's notes for the key's marker. HubSpot's
// search index lags its writes by seconds; CRMSync's retry of a crashed
// delivery comes later than that (Pub/Sub's backoff starts at 10 s).
func (c *Client) FindNote(ctx context.Context, contactID, key string) (string, error) {
	req := SearchRequest{
		FilterGroups: []FilterGroup{{Filters: []Filter{
			{PropertyName: "hs_note_body", Operator: "CONTAINS_TOKEN", Value: NoteMarker(key)},
			{PropertyName: "associations.contact", Operator: "EQ", Value: contactID},
		}}},
		Properties: []string{"hs_timestamp"},
		Limit:      1,
	}
	var res SearchResponse
	if err := c.do(ctx, "search notes", http.MethodPost, "/crm/v3/objects/notes/search", req, &res); err != nil {
		return "", err
	}
	if len(res.Results) == 0 {
		return "", nil
	}
	return res.Results[0].ID, nil
}

// TestConnection reads one contact (the token, its read scope and
// HubSpot's reachability), then asks which scopes the token has and
// reports a missing one.
func (c *Client) TestConnection(ctx context.Context) error {
	if err := c.do(ctx, "read contacts", http.MethodGet, "/crm/v3/objects/contacts?limit=1", nil, nil); err != nil {
		return err
	}
	var info TokenInfo
	if err := c.do(ctx, "read the token's scopes", http.MethodPost, "/oauth/v2/private-apps/get/access-token-info", map[string]string{"tokenKey": c.Token}, &info); err != nil {
		return err
	}
	for _, want := range Scopes {
		if !slices.Contains(info.Scopes, want) {
			return &crm.Error{Op: "check scopes", Status: http.StatusForbidden, Message: "the private app lacks the scope " + want + " (it has " + strings.Join(info.Scopes, ", ") + ")"}
		}
	}
	return nil
}

// FindContactsByPhone searches phone and mobilephone for every format of
// e164 (one filter group per property: the groups are ORed).
func (c *Client) FindContactsByPhone(ctx context.Context, e164 string) ([]crm.Contact, error) {
	formats := crm.PhoneFormats(e164)
	req := SearchRequest{
		FilterGroups: []FilterGroup{
			{Filters: []Filter{{PropertyName: "phone", Operator: "IN", Values: formats}}},
			{Filters: []Filter{{PropertyName: "mobilephone", Operator: "IN", Values: formats}}},
		},
		Properties: contactProps,
		Limit:      20,
	}
	var res SearchResponse
	if err := c.do(ctx, "search contacts", http.MethodPost, "/crm/v3/objects/contacts/search", req, &res); err != nil {
		return nil, err
	}
	out := make([]crm.Contact, 0, len(res.Results))
	for _, o := range res.Results {
		out = append(out, contactOf(o))
	}
	return out, nil
}

// CreateContact creates a contact with c's phone and language.
func (c *Client) CreateContact(ctx context.Context, ct crm.Contact) (crm.Contact, error) {
	var o Object
	if err := c.do(ctx, "create contact", http.MethodPost, "/crm/v3/objects/contacts", PropertiesBody{Properties: propsOf(ct)}, &o); err != nil {
		return crm.Contact{}, err
	}
	return contactOf(o), nil
}

// UpdateContact writes ct's non-empty fields; with none it calls nothing.
func (c *Client) UpdateContact(ctx context.Context, ct crm.Contact) (crm.Contact, error) {
	if ct.ID == "" {
		return crm.Contact{}, errors.New("hubspot: update contact: no id")
	}
	props := propsOf(ct)
	if len(props) == 0 {
		return ct, nil
	}
	var o Object
	if err := c.do(ctx, "update contact "+ct.ID, http.MethodPatch, "/crm/v3/objects/contacts/"+url.PathEscape(ct.ID), PropertiesBody{Properties: props}, &o); err != nil {
		return crm.Contact{}, err
	}
	return contactOf(o), nil
}

// AddNote creates a note associated with the contact. HubSpot renders
// hs_note_body as HTML: the text is escaped and its lines kept. Each
// attachment is uploaded first through the Files API as a private file
// and attached (hs_attachment_ids), so it stays readable in HubSpot for
// its users, unlike a signed link.
func (c *Client) AddNote(ctx context.Context, contactID string, n crm.Note) (string, error) {
	at := n.At
	if at.IsZero() {
		at = time.Now()
	}
	body := noteHTML(n)
	if n.Key != "" {
		body = "<p>ref " + NoteMarker(n.Key) + "</p>" + body
	}
	var ids []string
	for _, a := range n.Attachments {
		folder := "/smsdesk"
		if n.Event != nil && n.Event.ChatID != "" {
			folder += "/chats/" + n.Event.ChatID
		}
		id, err := c.UploadFile(ctx, folder, a)
		if err != nil {
			return "", err
		}
		ids = append(ids, id)
	}
	props := map[string]string{"hs_timestamp": at.UTC().Format(time.RFC3339Nano), "hs_note_body": body}
	if len(ids) > 0 {
		props["hs_attachment_ids"] = strings.Join(ids, ";")
	}
	req := PropertiesBody{
		Properties: props,
		Associations: []Association{{
			To:    AssociationTo{ID: contactID},
			Types: []AssociationType{{AssociationCategory: "HUBSPOT_DEFINED", AssociationTypeID: AssocNoteToContact}},
		}},
	}
	var o Object
	if err := c.do(ctx, "add note to contact "+contactID, http.MethodPost, "/crm/v3/objects/notes", req, &o); err != nil {
		return "", err
	}
	return o.ID, nil
}

// ContactURL opens the contact in HubSpot's app.
func (c *Client) ContactURL(contactID string) string {
	if c.PortalID == "" || contactID == "" {
		return ""
	}
	return "https://app.hubspot.com/contacts/" + url.PathEscape(c.PortalID) + "/record/0-1/" + url.PathEscape(contactID)
}

func noteHTML(n crm.Note) string {
	var b strings.Builder
	for _, line := range strings.Split(n.Body, "\n") {
		b.WriteString("<p>" + html.EscapeString(line) + "</p>")
	}
	for _, a := range n.Attachments {
		b.WriteString("<p>Attached: " + html.EscapeString(a.Name) + "</p>")
	}
	s := b.String()
	if len(s) > MaxNoteBody {
		const cut = "<p>(cut: longer than HubSpot's note limit)</p>"
		s = strings.ToValidUTF8(s[:MaxNoteBody-len(cut)], "") + cut
	}
	return s
}

// FileOptions are the Files API upload's options.
type FileOptions struct {
	Access                      string `json:"access"`
	Overwrite                   bool   `json:"overwrite"`
	DuplicateValidationStrategy string `json:"duplicateValidationStrategy"`
	DuplicateValidationScope    string `json:"duplicateValidationScope"`
}

// File is the Files API's answer.
type File struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Extension string `json:"extension"`
	Access    string `json:"access"`
	Size      int64  `json:"size"`
	URL       string `json:"url,omitempty"`
}

// UploadFile uploads a private file (POST /files/v3/files, multipart) into
// folder and returns its id. The name is sent without its extension,
// which HubSpot keeps from the file part's name.
func (c *Client) UploadFile(ctx context.Context, folder string, a crm.Attachment) (string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, a.Name))
	h.Set("Content-Type", a.ContentType)
	fw, err := mw.CreatePart(h)
	if err != nil {
		return "", fmt.Errorf("hubspot: upload %s: %w", a.Name, err)
	}
	_, _ = fw.Write(a.Data)
	opts, _ := json.Marshal(FileOptions{Access: "PRIVATE", DuplicateValidationStrategy: "NONE", DuplicateValidationScope: "EXACT_FOLDER"})
	_ = mw.WriteField("options", string(opts))
	_ = mw.WriteField("folderPath", folder)
	_ = mw.WriteField("fileName", strings.TrimSuffix(a.Name, path.Ext(a.Name)))
	if err := mw.Close(); err != nil {
		return "", fmt.Errorf("hubspot: upload %s: %w", a.Name, err)
	}
	var f File
	if err := c.send(ctx, "upload "+a.Name, http.MethodPost, "/files/v3/files", mw.FormDataContentType(), &buf, &f); err != nil {
		return "", err
	}
	if f.ID == "" {
		return "", &crm.Error{Op: "upload " + a.Name, Message: "the Files API answered no id"}
	}
	return f.ID, nil
}

// hubspotLanguages are hs_language options the chat's languages map to;
// another language is not written (HubSpot refuses unknown options).
var hubspotLanguages = map[string]bool{"en": true, "es": true, "fr": true, "de": true, "it": true, "nl": true, "ja": true, "pt": true}

func propsOf(c crm.Contact) map[string]string {
	p := map[string]string{}
	for k, v := range map[string]string{"firstname": c.FirstName, "lastname": c.LastName, "email": c.Email, "phone": c.Phone, "mobilephone": c.MobilePhone} {
		if v != "" {
			p[k] = v
		}
	}
	if lang := strings.ToLower(strings.SplitN(c.Language, "-", 2)[0]); hubspotLanguages[lang] {
		p["hs_language"] = lang
	}
	return p
}

func contactOf(o Object) crm.Contact {
	p := o.Properties
	return crm.Contact{ID: o.ID, FirstName: p["firstname"], LastName: p["lastname"], Email: p["email"], Phone: p["phone"], MobilePhone: p["mobilephone"]}
}

// do sends one JSON request and decodes a 2xx answer into out; any other
// answer is a *crm.Error: 429 and 5xx retryable (with Retry-After), other
// 4xx permanent with HubSpot's message.
func (c *Client) do(ctx context.Context, op, method, path string, in, out any) error {
	var rd io.Reader
	contentType := ""
	if in != nil {
		body, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("hubspot: %s: encode: %w", op, err)
		}
		rd, contentType = bytes.NewReader(body), "application/json"
	}
	return c.send(ctx, op, method, path, contentType, rd, out)
}

// send sends one request with a body of contentType.
func (c *Client) send(ctx context.Context, op, method, path, contentType string, rd io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return fmt.Errorf("hubspot: %s: %w", op, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: Timeout}
	}
	return crm.Call(hc, req, op, "bad API URL "+c.BaseURL, out, func(raw []byte) string {
		var eb ErrorBody
		if json.Unmarshal(raw, &eb) != nil || eb.Message == "" {
			return ""
		}
		msg := eb.Message
		if eb.Category != "" {
			msg += " (" + eb.Category + ")"
		}
		for _, d := range eb.Errors {
			if len(d.Context.RequiredGranularScopes) > 0 {
				msg += "; required scopes: " + strings.Join(d.Context.RequiredGranularScopes, ", ")
			}
		}
		return msg
	})
}
