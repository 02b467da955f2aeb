// Package api holds the HTTP contracts of smsdesk's JSON APIs as one OpenAPI
// 3.1 document (openapi.yaml): the paths of AdminAPI today, AgentAPI and
// OutboundAPI as they are built. Tests in this package keep the document and
// the code in step: every route a function serves is documented, and every
// schema's properties are the JSON names of the Go type it describes.
package api

import _ "embed"

// OpenAPI is the document, as served at GET /AdminAPI/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte

// ContentType is the media type of OpenAPI (RFC 9512).
const ContentType = "application/yaml"
