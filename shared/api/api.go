// Package api holds the HTTP contracts of smsdesk's JSON APIs as one OpenAPI
// 3.1 document (openapi.yaml): AdminAPI, AgentAPI and OutboundAPI. Tests in
// this package keep the document and the code in step: every route a
// function serves is documented, every schema's properties are the JSON
// names of the Go type it describes, and request schemas require what the
// server requires.
package api

import _ "embed"

// OpenAPI is the document, as every API serves it at GET /{API}/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte

// ContentType is the media type of OpenAPI (RFC 9512).
const ContentType = "application/yaml"
