// Package openapi is the OpenAPI 3.1 document model that roux publishes.
// It holds types only: roux fills them from its operations, and users may
// read or extend a document before it is served (see roux.API.OpenAPI).
//
// Schemas are JSON Schema 2020-12 objects from package
// [github.com/roux-go/roux/schema]. Maps are published with sorted keys,
// so a document marshals to the same bytes every time.
package openapi

import (
	"encoding/json"
	"maps"
	"slices"
)

import "github.com/roux-go/roux/schema"

// Version is the OpenAPI version roux publishes.
const Version = "3.1.0"

// Document is the root of an OpenAPI document. Webhooks are the requests
// the API sends to others on its own initiative, by name (OpenAPI 3.1
// only: [Downgrade] drops them).
type Document struct {
	OpenAPI           string               `json:"openapi"`
	Info              Info                 `json:"info"`
	JSONSchemaDialect string               `json:"jsonSchemaDialect,omitempty"`
	Servers           []Server             `json:"servers,omitempty"`
	Paths             map[string]*PathItem `json:"paths"`
	Webhooks          map[string]*PathItem `json:"webhooks,omitempty"`
	Components        *Components          `json:"components,omitempty"`
	// Security is the requirement of operations that state none: nil
	// publishes nothing, an empty non-nil slice publishes "security": [],
	// which says that those operations need no credentials.
	Security     []map[string][]string `json:"security,omitzero"`
	Tags         []Tag                 `json:"tags,omitempty"`
	ExternalDocs *ExternalDocs         `json:"externalDocs,omitempty"`
	Extensions   map[string]any        `json:"-"`
}

// Info describes the API.
type Info struct {
	Title          string   `json:"title"`
	Summary        string   `json:"summary,omitempty"`
	Description    string   `json:"description,omitempty"`
	TermsOfService string   `json:"termsOfService,omitempty"`
	Contact        *Contact `json:"contact,omitempty"`
	License        *License `json:"license,omitempty"`
	Version        string   `json:"version"`
}

// Contact is the API's contact information.
type Contact struct {
	Name  string `json:"name,omitempty"`
	URL   string `json:"url,omitempty"`
	Email string `json:"email,omitempty"`
}

// License is the API's licence: an SPDX Identifier or a URL.
type License struct {
	Name       string `json:"name"`
	Identifier string `json:"identifier,omitempty"`
	URL        string `json:"url,omitempty"`
}

// Server is a base URL the API is served at.
type Server struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

// Tag groups operations in the docs.
type Tag struct {
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	ExternalDocs *ExternalDocs `json:"externalDocs,omitempty"`
}

// ExternalDocs points to documentation outside the document: of the
// API, of a tag or of an operation.
type ExternalDocs struct {
	Description string `json:"description,omitempty"`
	URL         string `json:"url"`
}

// Example is a named example of a body or a parameter: its Value, or
// the URL of a document holding it (ExternalValue); not both.
type Example struct {
	Summary       string `json:"summary,omitempty"`
	Description   string `json:"description,omitempty"`
	Value         any    `json:"value,omitempty"`
	ExternalValue string `json:"externalValue,omitempty"`
}

// PathItem holds the operations of one path.
type PathItem struct {
	Summary     string     `json:"summary,omitempty"`
	Description string     `json:"description,omitempty"`
	Get         *Operation `json:"get,omitempty"`
	Put         *Operation `json:"put,omitempty"`
	Post        *Operation `json:"post,omitempty"`
	Delete      *Operation `json:"delete,omitempty"`
	Options     *Operation `json:"options,omitempty"`
	Head        *Operation `json:"head,omitempty"`
	Patch       *Operation `json:"patch,omitempty"`
	Trace       *Operation `json:"trace,omitempty"`
}

// Set stores op under method (an uppercase HTTP method) and reports
// whether the method is one a path item can hold.
func (p *PathItem) Set(method string, op *Operation) bool {
	switch method {
	case "GET":
		p.Get = op
	case "PUT":
		p.Put = op
	case "POST":
		p.Post = op
	case "DELETE":
		p.Delete = op
	case "OPTIONS":
		p.Options = op
	case "HEAD":
		p.Head = op
	case "PATCH":
		p.Patch = op
	case "TRACE":
		p.Trace = op
	default:
		return false
	}
	return true
}

// Operation describes one method on one path. Callbacks are the requests
// the API may send back, out of band, after this operation, by name.
type Operation struct {
	OperationID  string               `json:"operationId,omitempty"`
	Summary      string               `json:"summary,omitempty"`
	Description  string               `json:"description,omitempty"`
	ExternalDocs *ExternalDocs        `json:"externalDocs,omitempty"`
	Tags         []string             `json:"tags,omitempty"`
	Parameters   []*Parameter         `json:"parameters,omitempty"`
	RequestBody  *RequestBody         `json:"requestBody,omitempty"`
	Responses    map[string]*Response `json:"responses"`
	Deprecated   bool                 `json:"deprecated,omitempty"`
	// Security lists the ways of authenticating of which a request must
	// satisfy one: nil publishes nothing (the document's Security
	// applies), an empty non-nil slice publishes "security": [], which
	// says that the operation needs no credentials.
	Security   []map[string][]string `json:"security,omitzero"`
	Callbacks  map[string]Callback   `json:"callbacks,omitempty"`
	Extensions map[string]any        `json:"-"`
}

// Callback holds the requests of one callback of an operation, by the
// runtime expression that gives their URL, such as
// "{$request.body#/callbackUrl}".
type Callback map[string]*PathItem

// Parameter is a path, query, header or cookie parameter.
type Parameter struct {
	Name        string `json:"name"`
	In          string `json:"in"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
	Deprecated  bool   `json:"deprecated,omitempty"`
	// AllowEmptyValue admits "?name=" for a query parameter.
	AllowEmptyValue bool           `json:"allowEmptyValue,omitempty"`
	Style           string         `json:"style,omitempty"`
	Explode         *bool          `json:"explode,omitempty"`
	Schema          *schema.Schema `json:"schema,omitempty"`
	// Example and Examples are exclusive: publish one example or named
	// ones.
	Example  any                 `json:"example,omitempty"`
	Examples map[string]*Example `json:"examples,omitempty"`
}

// RequestBody describes an operation's request body.
type RequestBody struct {
	Description string                `json:"description,omitempty"`
	Required    bool                  `json:"required,omitempty"`
	Content     map[string]*MediaType `json:"content"`
}

// MediaType is the body of one content type.
type MediaType struct {
	Schema *schema.Schema `json:"schema,omitempty"`
	// Example and Examples are exclusive: publish one example or named
	// ones.
	Example  any                 `json:"example,omitempty"`
	Examples map[string]*Example `json:"examples,omitempty"`
	// Encoding describes properties of a multipart/form-data or
	// application/x-www-form-urlencoded body, by property name.
	Encoding map[string]*Encoding `json:"encoding,omitempty"`
	// Extensions are specification extensions ("x-..."), published
	// inline, such as the x-ogen-raw-response of an event stream.
	Extensions map[string]any `json:"-"`
}

// Encoding describes how one property of a form body is sent.
type Encoding struct {
	// ContentType lists the media types the property's part may have,
	// comma-separated; a type may be a range such as image/*.
	ContentType string             `json:"contentType,omitempty"`
	Headers     map[string]*Header `json:"headers,omitempty"`
}

// Response describes one response of an operation.
type Response struct {
	Description string                `json:"description"`
	Headers     map[string]*Header    `json:"headers,omitempty"`
	Content     map[string]*MediaType `json:"content,omitempty"`
}

// Header describes a response header.
type Header struct {
	Description string         `json:"description,omitempty"`
	Required    bool           `json:"required,omitempty"`
	Schema      *schema.Schema `json:"schema,omitempty"`
}

// Components holds the reusable parts of a document.
type Components struct {
	Schemas         map[string]*schema.Schema  `json:"schemas,omitempty"`
	SecuritySchemes map[string]*SecurityScheme `json:"securitySchemes,omitempty"`
}

// SecurityScheme describes one way of authenticating.
type SecurityScheme struct {
	Type         string      `json:"type"` // apiKey, http, oauth2, openIdConnect or mutualTLS
	Description  string      `json:"description,omitempty"`
	Name         string      `json:"name,omitempty"` // apiKey: the header, query or cookie name
	In           string      `json:"in,omitempty"`   // apiKey: header, query or cookie
	Scheme       string      `json:"scheme,omitempty"`
	BearerFormat string      `json:"bearerFormat,omitempty"`
	Flows        *OAuthFlows `json:"flows,omitempty"` // oauth2
	// OpenIDConnectURL is an openIdConnect scheme's discovery document
	// (the issuer's /.well-known/openid-configuration).
	OpenIDConnectURL string `json:"openIdConnectUrl,omitempty"`
}

// OAuthFlows lists the OAuth 2 flows a scheme supports.
type OAuthFlows struct {
	Password          *OAuthFlow `json:"password,omitempty"`
	ClientCredentials *OAuthFlow `json:"clientCredentials,omitempty"`
	AuthorizationCode *OAuthFlow `json:"authorizationCode,omitempty"`
}

// OAuthFlow is one OAuth 2 flow. Scopes maps each scope to a description;
// it is always published, empty or not, as the specification requires.
type OAuthFlow struct {
	AuthorizationURL string            `json:"authorizationUrl,omitempty"`
	TokenURL         string            `json:"tokenUrl,omitempty"`
	RefreshURL       string            `json:"refreshUrl,omitempty"`
	Scopes           map[string]string `json:"scopes"`
}

// MarshalJSON publishes the document with its extensions inline.
func (d *Document) MarshalJSON() ([]byte, error) {
	type plain Document
	return withExtensions((*plain)(d), d.Extensions)
}

// MarshalJSON publishes the operation with its extensions inline.
func (o *Operation) MarshalJSON() ([]byte, error) {
	type plain Operation
	return withExtensions((*plain)(o), o.Extensions)
}

// MarshalJSON publishes the media type with its extensions inline.
func (m *MediaType) MarshalJSON() ([]byte, error) {
	type plain MediaType
	return withExtensions((*plain)(m), m.Extensions)
}

// withExtensions marshals v (which must encode as an object) and appends
// the members of ext in key order.
func withExtensions(v any, ext map[string]any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(ext) == 0 {
		return b, err
	}
	b = b[:len(b)-1]
	for _, k := range slices.Sorted(maps.Keys(ext)) {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(ext[k])
		if err != nil {
			return nil, err
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(append(append(b, kb...), ':'), vb...)
	}
	return append(b, '}'), nil
}
