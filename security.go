package roux

// This file holds security schemes: dependencies that authenticate a
// request and are published as components.securitySchemes, with a
// security requirement on every operation that uses them.

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"unsafe"

	"github.com/roux-go/roux/openapi"
)

// ErrUnauthorized is what a credential check returns to reject the
// credentials it was given; roux answers 401 with the scheme's
// WWW-Authenticate challenge. A check may also return an *[Error] to
// choose another answer, or any other error for a 500.
var ErrUnauthorized = errors.New("roux: invalid credentials")

// SecretEqual reports whether a and b are equal, in time that depends
// only on their lengths: compare keys, passwords and tokens with it.
func SecretEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// securityInfo is what a security scheme adds to a dependency.
type securityInfo struct {
	name      string
	scheme    *openapi.SecurityScheme
	challenge string                                // WWW-Authenticate of a 401
	granted   func(val unsafe.Pointer) []string     // scopes of a resolved value; nil without scopes
	box       func(v unsafe.Pointer) unsafe.Pointer // wraps an override's *T as a resolved value
	scoped    bool                                  // Secure may require scopes of it (TokenAuth)
}

func (s *securityInfo) unauthorized(detail string) *Error {
	return NewError(http.StatusUnauthorized, detail).WithHeader("WWW-Authenticate", s.challenge)
}

// APIKeyIn says where an API key is sent.
type APIKeyIn string

// Where an API key may be sent.
const (
	InHeader APIKeyIn = "header"
	InQuery  APIKeyIn = "query"
	InCookie APIKeyIn = "cookie"
)

// APIKeyAuth is a security scheme called scheme: an API key sent in the
// header, query parameter or cookie called name, checked by verify, whose
// result is the dependency's value. A request without the key gets 401.
//
// A browser sends a cookie with every request to its site, whichever page
// asks, so operations secured by an InCookie key are protected against
// cross-site request forgery: an unsafe request (not GET, HEAD or
// OPTIONS) that a page of another origin sent is refused with 403 before
// the key is read (http.CrossOriginProtection: Sec-Fetch-Site, or Origin
// against Host). Requests without those headers (programs, not browsers)
// pass; [Config.TrustedOrigins] admits named origins.
func APIKeyAuth[T any](scheme string, in APIKeyIn, name string, verify func(ctx context.Context, key string) (T, error)) *Dep[T] {
	info := &securityInfo{
		name:      scheme,
		scheme:    &openapi.SecurityScheme{Type: "apiKey", Name: name, In: string(in)},
		challenge: fmt.Sprintf("APIKey realm=%q, %s=%q", scheme, in, name),
	}
	return newSecurityDep(info, reflect.StructTag(fmt.Sprintf(`%s:%q`, in, name)),
		func(ctx context.Context, raw string) (T, []string, error) {
			v, err := verify(ctx, raw)
			return v, nil, err
		})
}

// BearerAuth is an HTTP bearer security scheme called scheme: the token
// of an "Authorization: Bearer <token>" header, checked by verify.
func BearerAuth[T any](scheme string, verify func(ctx context.Context, token string) (T, error)) *Dep[T] {
	info := &securityInfo{
		name:      scheme,
		scheme:    &openapi.SecurityScheme{Type: "http", Scheme: "bearer"},
		challenge: fmt.Sprintf("Bearer realm=%q", scheme),
	}
	return newSecurityDep(info, `header:"Authorization"`, func(ctx context.Context, raw string) (T, []string, error) {
		token, ok := authParam(raw, "Bearer")
		if !ok {
			var zero T
			return zero, nil, ErrUnauthorized
		}
		v, err := verify(ctx, token)
		return v, nil, err
	})
}

// BasicAuth is an HTTP basic security scheme called scheme, for realm:
// the user and password of an "Authorization: Basic ..." header, checked
// by verify (compare the password with [SecretEqual]).
func BasicAuth[T any](scheme, realm string, verify func(ctx context.Context, user, password string) (T, error)) *Dep[T] {
	info := &securityInfo{
		name:      scheme,
		scheme:    &openapi.SecurityScheme{Type: "http", Scheme: "basic"},
		challenge: fmt.Sprintf("Basic realm=%q, charset=\"UTF-8\"", realm),
	}
	return newSecurityDep(info, `header:"Authorization"`, func(ctx context.Context, raw string) (T, []string, error) {
		var zero T
		encoded, ok := authParam(raw, "Basic")
		if !ok {
			return zero, nil, ErrUnauthorized
		}
		b, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			return zero, nil, ErrUnauthorized
		}
		user, password, ok := strings.Cut(string(b), ":")
		if !ok {
			return zero, nil, ErrUnauthorized
		}
		v, err := verify(ctx, user, password)
		return v, nil, err
	})
}

// OAuth2PasswordAuth is an OAuth 2 security scheme called scheme using
// the password flow: clients get a token from tokenURL and send it as a
// bearer token; verify checks it and returns the value and the scopes it
// grants. scopes describes every scope; [Secure] lists those an operation
// needs, and a token without them gets 403.
func OAuth2PasswordAuth[T any](scheme, tokenURL string, scopes map[string]string, verify func(ctx context.Context, token string) (T, []string, error)) *Dep[T] {
	if scopes == nil {
		scopes = map[string]string{}
	}
	info := &securityInfo{
		name: scheme,
		scheme: &openapi.SecurityScheme{Type: "oauth2", Flows: &openapi.OAuthFlows{
			Password: &openapi.OAuthFlow{TokenURL: tokenURL, Scopes: scopes},
		}},
		challenge: fmt.Sprintf("Bearer realm=%q", scheme),
	}
	return newSecurityDep(info, `header:"Authorization"`, func(ctx context.Context, raw string) (T, []string, error) {
		token, ok := authParam(raw, "Bearer")
		if !ok {
			var zero T
			return zero, nil, ErrUnauthorized
		}
		return verify(ctx, token)
	})
}

// authParam returns the credentials of an Authorization header value for
// auth scheme want (compared case-insensitively, RFC 9110 §11.1).
func authParam(header, want string) (string, bool) {
	scheme, param, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, want) {
		return "", false
	}
	param = strings.TrimSpace(param)
	return param, param != ""
}

// newSecurityDep builds the dependency of a scheme. Its input is one
// string field bound by tag, made at run time because the tag (the
// header name of an API key) is only known then; it is not published as
// a parameter, the scheme describes it.
func newSecurityDep[T any](info *securityInfo, tag reflect.StructTag, check func(ctx context.Context, raw string) (T, []string, error)) *Dep[T] {
	type result struct {
		v      T // first: a pointer to the result is a pointer to v
		scopes []string
	}
	in := reflect.StructOf([]reflect.StructField{{Name: "Credential", Type: reflect.TypeFor[string](), Tag: tag}})
	info.granted = func(val unsafe.Pointer) []string { return (*result)(val).scopes }
	var all []string
	if f := info.scheme.Flows; f != nil && f.Password != nil {
		all = slices.Sorted(maps.Keys(f.Password.Scopes))
	}
	info.box = func(v unsafe.Pointer) unsafe.Pointer { return unsafe.Pointer(&result{*(*T)(v), all}) }
	return &Dep[T]{def: &depDef{
		name:     "security scheme " + info.name,
		site:     callerSite(),
		in:       in,
		out:      reflect.TypeFor[T](),
		newIn:    func() unsafe.Pointer { return reflect.New(in).UnsafePointer() },
		security: info,
		call: func(ctx context.Context, p unsafe.Pointer) (unsafe.Pointer, func(), error) {
			raw := *(*string)(p)
			if raw == "" {
				return nil, nil, info.unauthorized("this operation needs credentials (" + info.name + ")")
			}
			v, scopes, err := check(ctx, raw)
			if errors.Is(err, ErrUnauthorized) {
				return nil, nil, info.unauthorized("the credentials are not valid")
			}
			if err != nil {
				return nil, nil, err
			}
			return unsafe.Pointer(&result{v, scopes}), nil, nil
		},
		assign: func(dst, src unsafe.Pointer) { *(*T)(dst) = *(*T)(src) },
	}}
}

// Secure requires the security scheme dep for an operation, or every
// operation of a group, and the scopes given (OAuth 2 schemes only): a
// request without valid credentials gets 401, one whose token lacks a
// scope 403, and one that sends a scheme's credentials more than once
// (two Authorization headers, two cookies of the key's name) 400, since a
// proxy in front may have checked another copy than the one the scheme
// would read. Operations that merely ask for the scheme's value with a
// dep field are secured by it too, without scopes.
func Secure(dep Provider, scopes ...string) Option {
	return serverOption{"Secure", func(c *opConfig) {
		c.provides = append(c.provides, dep)
		c.requires = append(c.requires, dep)
		c.secure = append(c.secure, securityReq{dep.provider(), scopes})
	}}
}

type securityReq struct {
	def    *depDef
	scopes []string
}

// opSecurity is a compiled scope requirement: the node and its scopes.
type opSecurity struct {
	node   int
	scopes []string
}

// compileSecurity resolves the operation's Secure options, checks scheme
// names are unique in the API, and hides scheme inputs from the document.
func (op *operation) compileSecurity(cfg opConfig, dc *depCompiler) error {
	for _, req := range cfg.secure {
		if req.def.security == nil {
			return fmt.Errorf("roux.Secure(%s): not a security scheme; use roux.Requires for other dependencies", req.def.name)
		}
		if len(req.scopes) > 0 && req.def.security.scheme.Type != "oauth2" && !req.def.security.scoped {
			return fmt.Errorf("roux.Secure(%s, %q): only OAuth 2 schemes have scopes, and those of TokenAuth", req.def.name, req.scopes)
		}
		i, err := dc.node(req.def)
		if err != nil {
			return err
		}
		op.security = append(op.security, opSecurity{i, req.scopes})
	}
	for i, n := range op.deps.nodes {
		s := n.def.security
		if s == nil {
			continue
		}
		op.secNodes = append(op.secNodes, i)
		if s.scheme.Type == "apiKey" && s.scheme.In == string(InCookie) {
			switch op.method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
			default:
				op.crossOrigin = true
			}
		}
		if prev, ok := op.api.deps.schemes[s.name]; ok && prev != n.def {
			return fmt.Errorf("security scheme %q is defined twice (at %s and %s); give each its own name", s.name, prev.site, n.def.site)
		}
		if op.api.deps.schemes == nil {
			op.api.deps.schemes = map[string]*depDef{}
		}
		op.api.deps.schemes[s.name] = n.def
		for i := range n.params {
			n.params[i].hidden = true
		}
	}
	return nil
}

// scopeProblem is the 403 of a resolved token that lacks a required
// scope, or nil.
func (op *operation) scopeProblem(st *state) *Error {
	for _, s := range op.security {
		n := op.deps.nodes[s.node]
		granted := n.def.security.granted(st.depVals[s.node])
		for _, want := range s.scopes {
			if !slices.Contains(granted, want) {
				return NewError(http.StatusForbidden, fmt.Sprintf("the token lacks the scope %q", want)).
					WithHeader("WWW-Authenticate", fmt.Sprintf("Bearer error=%q, scope=%q", "insufficient_scope", strings.Join(s.scopes, " ")))
			}
		}
	}
	return nil
}

// describeSecurity adds the operation's security requirement: every
// scheme it uses, with the scopes Secure gave.
func (op *operation) describeSecurity(d *openapi.Operation) {
	req := map[string][]string{}
	for i, n := range op.deps.nodes {
		if n.def.security == nil {
			continue
		}
		scopes := []string{}
		for _, s := range op.security {
			if s.node == i {
				scopes = append(scopes, s.scopes...)
			}
		}
		req[n.def.security.name] = scopes
	}
	if len(req) > 0 {
		d.Security = []map[string][]string{req}
	}
}

// securitySchemes returns the schemes the API's operations use.
func (a *API) securitySchemes() map[string]*openapi.SecurityScheme {
	if len(a.deps.schemes) == 0 {
		return nil
	}
	m := make(map[string]*openapi.SecurityScheme, len(a.deps.schemes))
	for name, d := range a.deps.schemes {
		m[name] = d.security.scheme
	}
	return m
}

// TokenAuth is a security scheme called scheme for bearer tokens that
// carry their own scopes, such as JWTs (module github.com/roux-go/roux/jwt
// builds one): verify checks the token of an "Authorization: Bearer
// <token>" header and returns the dependency's value and the scopes the
// token grants, which [Secure] may require (403 without them). desc is
// how the document describes the scheme: an http bearer scheme (with
// BearerFormat "JWT", say) or an openIdConnect scheme with its
// OpenIDConnectURL; TokenAuth panics on any other. An [Override] of the
// scheme grants the scopes listed in scopes.
func TokenAuth[T any](scheme string, desc openapi.SecurityScheme, scopes []string, verify func(ctx context.Context, token string) (T, []string, error)) *Dep[T] {
	bearer := desc.Type == "http" && strings.EqualFold(desc.Scheme, "bearer")
	if !bearer && (desc.Type != "openIdConnect" || desc.OpenIDConnectURL == "") {
		panic(fmt.Sprintf("roux.TokenAuth(%q): describe the scheme as type http with scheme bearer, or as type openIdConnect with its OpenIDConnectURL", scheme))
	}
	granted := make(map[string]string, len(scopes))
	for _, s := range scopes {
		granted[s] = ""
	}
	// Built as an OAuth 2 scheme, whose checks and scopes it shares; only
	// its description differs.
	d := OAuth2PasswordAuth(scheme, "", granted, verify)
	d.def.security.scheme = &desc
	d.def.security.scoped = true
	return d
}
