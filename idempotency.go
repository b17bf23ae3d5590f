package roux

// This file holds idempotency keys for unsafe requests, after the IETF
// httpapi draft "The Idempotency-Key HTTP Header Field"
// (draft-ietf-httpapi-idempotency-key-header): a client that lost the
// answer to a POST sends it again with the same key, and gets the first
// answer instead of a second effect.
//
// The approach: after the request's credentials are checked, its key is
// scoped by them (a hash of the credentials the operation's security
// schemes read, and of the Authorization header), so two clients'
// keys never meet; its body is hashed as it is read. Once the input is
// valid and just before the handler runs, the operation claims the key
// in the store with a fingerprint of the request (method, target, body
// hash). A key held by another request is answered without running the
// handler: 422 when the fingerprint differs, 409 while the first request
// runs, and the stored answer once it has completed. A claimed request
// runs; its answer — status, the headers roux wrote and the body — is
// recorded as it is written and stored for the key's lifetime, unless it
// is one worth retrying (5xx, 408, 425, 429, no answer), in which case
// the claim is released. A claim is a lease: a running handler renews
// it, so a crashed instance's claims lapse within a lease and the key
// can be retried.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/roux-go/roux/internal/bind"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// The headers of idempotent requests.
const (
	// IdempotencyKeyHeader is the request header that carries the key.
	IdempotencyKeyHeader = "Idempotency-Key"
	// IdempotentReplayedHeader is set to "true" on an answer replayed
	// from the store rather than produced by the handler.
	IdempotentReplayedHeader = "Idempotent-Replayed"
)

// The problem types of the answers to a key that is already taken.
const (
	// IdempotencyKeyInUseType is the type of the 409 answering a request
	// whose key is held by a request still running. Retry after the
	// Retry-After delay.
	IdempotencyKeyInUseType = "urn:roux:problem:idempotency-key-in-use"
	// IdempotencyKeyReusedType is the type of the 422 answering a request
	// whose key was used before with another request (another method,
	// target or body). Use a new key for a new request.
	IdempotencyKeyReusedType = "urn:roux:problem:idempotency-key-reused"
)

// maxIdempotencyKey is the longest key accepted, in bytes.
const maxIdempotencyKey = 255

// idempotencyKeyPattern is what ParseIdempotencyKey accepts, as the
// document publishes it: a bare key of visible ASCII but '"', ',' and
// '\', or a string in quotes of visible ASCII and spaces, '"' and '\'
// escaped; 1 to 255 characters either way.
const idempotencyKeyPattern = `^(?:[!#-+\--\[\]-~]{1,255}|"(?:[ !#-\[\]-~]|\\["\\]){1,255}")$`

// maxIdempotentBody is the largest answer body stored; a larger answer
// is sent but not stored, and its key released.
const maxIdempotentBody = 1 << 20

// A claim lasts as long as the key's ttl without renewal, within these
// bounds; it is renewed every third of that.
const (
	minIdempotencyLease = 30 * time.Millisecond
	maxIdempotencyLease = 30 * time.Second
)

// IdempotencyEntry is what an [IdempotencyStore] keeps under a key: a
// claim by a running request, or the answer of a completed one.
type IdempotencyEntry struct {
	// Fingerprint identifies the request: a hash of its method, target
	// and body. A request with the same key and another fingerprint is
	// refused.
	Fingerprint string
	// Token identifies the claim: the request that holds the key.
	Token string
	// Expires is when the entry lapses: the end of a claim's lease, or of
	// a completed answer's lifetime. A lapsed entry is as good as absent.
	Expires time.Time
	// Done says the request completed and its answer follows.
	Done bool
	// Status, Header and Body are the answer, when Done.
	Status int
	Header http.Header
	Body   []byte
}

// IdempotencyStore keeps the entries of idempotency keys. roux calls it
// with keys it derived (hex SHA-256 hashes, never a client's raw key or
// credentials) and times from its own clock. Implementations must be
// safe for concurrent use and make Claim atomic: of two concurrent
// claims of a key, one wins. [NewMemoryIdempotencyStore] keeps entries in
// process; package github.com/roux-go/roux/idemsql keeps them in a
// database/sql database (SQLite or PostgreSQL), shared by every instance
// of a service.
//
// roux does not change an entry after passing it to the store, nor one
// the store returned. It calls Claim with the request's context, and
// Update and Release, once the answer is sent, with a context that the
// client's departure does not cancel (a client that went away is the one
// that will retry): a store that does I/O bounds those calls itself.
type IdempotencyStore interface {
	// Claim stores e under key unless an entry that has not lapsed is
	// there; then it leaves that entry and returns it. It returns nil
	// when e was stored.
	Claim(ctx context.Context, key string, e *IdempotencyEntry) (*IdempotencyEntry, error)
	// Update replaces the entry under key with e when the stored entry has
	// e's Token (a renewed claim, or the completed answer), and otherwise
	// does nothing.
	Update(ctx context.Context, key string, e *IdempotencyEntry) error
	// Release deletes the entry under key when it has token.
	Release(ctx context.Context, key, token string) error
}

// idemPlan is an operation's idempotency, from [Idempotent].
type idemPlan struct {
	op    *operation
	store IdempotencyStore
	ttl   time.Duration
	lease time.Duration
	creds []credential // where the operation's credentials are read
}

// credential is a place a credential is read from.
type credential struct {
	in   bind.In
	name string // canonical for a header
}

// Idempotent makes an unsafe operation (POST, PATCH; PUT and DELETE
// too) answer retries once: a request that carries an Idempotency-Key
// header claims the key in store, and a later request with the same key
// and the same credentials gets the first one's answer — status,
// headers roux wrote, body — with Idempotent-Replayed: true, for ttl (0
// means 24 hours), instead of running the handler again. The same key
// with another method, target or body gets 422, and a retry while the
// first request runs 409 with Retry-After. A malformed key gets 400, and
// a store that fails 503. A request without the header runs as usual.
//
// Keys are scoped by the request's credentials — those the operation's
// security schemes read, and the Authorization header — so two clients
// never share one; a client that changes credentials between retries (a
// refreshed token) starts afresh. Answers worth retrying (5xx, 408, 425,
// 429) are not stored, nor those over 1 MiB; their key is released. The
// handler can read the key's scoped form with [IdempotencyKeyFrom] and
// record it with its own writes, in its own transaction, to stay exact
// even if the process dies between its commit and the store's update.
//
// All of it is published: the optional Idempotency-Key parameter, the
// 409, 422 and 503 answers and the Idempotent-Replayed header.
// Idempotent is a server option. It does nothing on a safe method (GET,
// HEAD), idempotent already; an output that writes itself (a stream) and
// an input that binds the Idempotency-Key header are registration errors.
func Idempotent(store IdempotencyStore, ttl time.Duration) Option {
	return serverOption{"Idempotent", func(c *opConfig) { c.idem = &idemPlan{store: store, ttl: ttl} }}
}

// compileIdempotency checks the operation's [Idempotent] option and
// finds where its credentials are read.
func (op *operation) compileIdempotency(cfg opConfig) error {
	if cfg.idem == nil {
		return nil
	}
	p := *cfg.idem
	switch {
	case p.store == nil:
		return errors.New("roux.Idempotent: the store is nil")
	case p.ttl < 0:
		return fmt.Errorf("roux.Idempotent: the ttl %v is negative", p.ttl)
	case op.method == http.MethodGet || op.method == http.MethodHead || op.method == http.MethodOptions || op.method == http.MethodTrace:
		return nil // safe already: nothing to do, in a group of mixed methods say
	case op.resp.kind == bodyCustom:
		return fmt.Errorf("roux.Idempotent: the output %v writes the response itself, which cannot be stored and replayed", op.resp.bodyType)
	}
	for _, prm := range op.params {
		if prm.In == bind.Header && prm.Key == IdempotencyKeyHeader {
			return errors.New("roux.Idempotent reads the Idempotency-Key header, and the input binds it too; remove the input field (the handler gets the key with roux.IdempotencyKeyFrom)")
		}
	}
	if p.ttl == 0 {
		p.ttl = 24 * time.Hour
	}
	p.lease = min(max(p.ttl, minIdempotencyLease), maxIdempotencyLease)
	p.op = op
	p.creds = []credential{{bind.Header, "Authorization"}}
	for _, i := range op.secNodes {
		for _, prm := range op.deps.nodes[i].params {
			c := credential{prm.In, prm.Name}
			if prm.In == bind.Header {
				c.name = prm.Key
			}
			if !slices.Contains(p.creds, c) {
				p.creds = append(p.creds, c)
			}
		}
	}
	op.idem = &p
	return nil
}

// describeIdempotency publishes the operation's idempotency.
func (op *operation) describeIdempotency(d *openapi.Operation, problems map[string]*openapi.MediaType) {
	if op.idem == nil {
		return
	}
	d.Parameters = append(d.Parameters, &openapi.Parameter{Name: IdempotencyKeyHeader, In: "header",
		Description: "A key unique to this request, such as a UUID, that makes retrying it safe: a retry with the same key, " +
			"credentials and request gets the first answer again, for " + spell(op.idem.ttl) + ". " +
			"A Structured Field string (\"...\") or a bare value, of 1 to 255 visible ASCII characters.",
		Schema: &schema.Schema{Type: schema.Types{"string"}, MinLength: ptrTo(1), MaxLength: ptrTo(maxIdempotencyKey + 2), Pattern: idempotencyKeyPattern}})
	replayed := &openapi.Header{Description: "true when the answer is the stored answer to an earlier request with the same Idempotency-Key.",
		Schema: &schema.Schema{Type: schema.Types{"string"}, Enum: []any{"true"}}}
	for code, r := range d.Responses {
		if code < "2" || code >= "5" {
			continue
		}
		c := *r
		c.Headers = maps.Clone(r.Headers)
		if c.Headers == nil {
			c.Headers = map[string]*openapi.Header{}
		}
		c.Headers[IdempotentReplayedHeader] = replayed
		d.Responses[code] = &c
	}
	// roux's own answers, merged into the operation's own of the same
	// status: there, Retry-After is optional.
	for _, x := range []struct {
		code, desc string
		retry      bool
	}{
		{"409", "A request with the same Idempotency-Key is still running; retry after the Retry-After delay", true},
		{"422", "The Idempotency-Key was used with another request", false},
		{"503", "The store of idempotency keys is unavailable; retry after the Retry-After delay", true},
	} {
		r := &openapi.Response{Description: x.desc, Content: problems}
		if x.retry {
			r.Headers = map[string]*openapi.Header{"Retry-After": retryAfterDoc()}
		}
		prev := d.Responses[x.code]
		if prev != nil {
			c := *prev
			c.Description += "; or " + strings.ToLower(x.desc[:1]) + x.desc[1:]
			c.Headers = maps.Clone(prev.Headers)
			if x.retry && c.Headers["Retry-After"] == nil {
				if c.Headers == nil {
					c.Headers = map[string]*openapi.Header{}
				}
				h := *retryAfterDoc()
				h.Required = false
				c.Headers["Retry-After"] = &h
			}
			r = &c
		}
		d.Responses[x.code] = r
	}
}

// spell writes a duration for people: "24 hours", "90 seconds".
func spell(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		if d%u.d == 0 {
			n := int64(d / u.d)
			if n == 1 {
				return "1 " + u.name
			}
			return strconv.FormatInt(n, 10) + " " + u.name + "s"
		}
	}
	return d.String()
}

// idemKey is the request's context key of [IdempotencyKeyFrom].
type idemKey struct{}

// IdempotencyKeyFrom returns the scoped idempotency key of the request
// ctx belongs to — a hex SHA-256 hash of the client's Idempotency-Key and
// its credentials — and true, when the request carries a key and its
// operation is [Idempotent]. A handler that records it with its own
// writes (a unique column) can find what an earlier attempt did.
func IdempotencyKeyFrom(ctx context.Context) (string, bool) {
	k, ok := ctx.Value(idemKey{}).(string)
	return k, ok
}

// idemRequest is the idempotency of one request that carries a key.
type idemRequest struct {
	p     *idemPlan
	key   string // scoped
	body  hashingBody
	entry *IdempotencyEntry
	rec   idemWriter

	mu    sync.Mutex // holds off finish while a lease is renewed
	done  bool
	timer *time.Timer
}

// start reads the request's key, scopes it and hashes the body from now
// on. It returns nil when the operation is not idempotent (p is nil) or
// the request has no key; it writes a 400 and reports false for a
// malformed key.
func (p *idemPlan) start(w http.ResponseWriter, r *http.Request, st *state) (*idemRequest, bool) {
	if p == nil {
		return nil, true
	}
	vals := r.Header[IdempotencyKeyHeader]
	if len(vals) == 0 {
		return nil, true
	}
	key, err := ParseIdempotencyKey(vals)
	if err != nil {
		refuseEarly(w, r)
		p.op.api.writeProblem(w, r, &Error{Status: http.StatusBadRequest, Detail: err.Error()})
		return nil, false
	}
	ik := &idemRequest{p: p, key: p.scope(r, st, key)}
	if r.Body != nil && r.Body != http.NoBody {
		ik.body = hashingBody{ReadCloser: r.Body, h: sha256.New()}
		r.Body = &ik.body
	}
	return ik, true
}

// scope returns the key as the store knows it: a hash of the client's key
// and the credentials the request carries, each with its place and
// length, so that no two different sets run together.
func (p *idemPlan) scope(r *http.Request, st *state, key string) string {
	var scratch [256]byte
	b := scratch[:0]
	for _, c := range p.creds {
		var vals []string
		switch c.in {
		case bind.Header:
			vals = r.Header[c.name]
		case bind.Query:
			if st.parsedQ || st.parseQuery(r.URL.RawQuery) {
				vals = st.queryValues(c.name)
			}
		case bind.Cookie:
			for _, ck := range r.CookiesNamed(c.name) {
				vals = append(vals, ck.Value)
			}
		}
		for _, v := range vals {
			b = appendField(append(append(b, c.in...), ' '), c.name)
			b = appendField(b, v)
		}
	}
	b = appendField(append(b, "key "...), key)
	return hexSum(b)
}

// appendField appends s and its length, so that fields cannot run into
// each other.
func appendField(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	return append(append(append(b, ':'), s...), '\n')
}

// hexSum returns the SHA-256 of b, in hex.
func hexSum(b []byte) string {
	sum := sha256.Sum256(b)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

// hashingBody hashes a request body as it is read.
type hashingBody struct {
	io.ReadCloser
	h   hash.Hash
	sum [sha256.Size]byte
}

func (b *hashingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.h.Write(p[:n])
	return n, err
}

// fingerprint identifies the request: its method, target and body.
func (ik *idemRequest) fingerprint(r *http.Request) string {
	var scratch [256]byte
	b := appendField(scratch[:0], r.Method)
	b = appendField(b, r.URL.EscapedPath())
	b = appendField(b, r.URL.RawQuery)
	if ik.body.h != nil {
		b = append(b, ik.body.h.Sum(ik.body.sum[:0])...)
	}
	return hexSum(b)
}

// claim claims the key for the request, just before its handler runs.
// It returns the writer that records the answer and the request whose
// context carries the key; or a nil writer when it answered itself (the
// stored answer, 409, 422 or 503). When the client went away meanwhile,
// it aborts the handler (abandoned).
func (ik *idemRequest) claim(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request) {
	p, api := ik.p, ik.p.op.api
	// The token tells one claim of the key from another, here or on
	// another instance; it is no secret.
	token := strconv.FormatUint(rand.Uint64(), 36)
	ik.entry = &IdempotencyEntry{Fingerprint: ik.fingerprint(r), Token: token, Expires: time.Now().Add(p.lease)}
	prev, err := p.store.Claim(r.Context(), ik.key, ik.entry)
	switch {
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		abandoned() // the client went away; the store did not fail
	case err != nil:
		api.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "roux: idempotency store failed", attrOp(p.op.id), attrErr(err))
		api.writeProblem(w, r, (&Error{Status: http.StatusServiceUnavailable, Detail: "the idempotency key cannot be checked now"}).WithHeader("Retry-After", "1"))
		return nil, r
	case prev == nil:
	case prev.Fingerprint != ik.entry.Fingerprint:
		api.writeProblem(w, r, &Error{Status: http.StatusUnprocessableEntity, Type: IdempotencyKeyReusedType, Title: "Idempotency key reused",
			Detail: "this Idempotency-Key was used with another request; send a new key with a new request"})
		return nil, r
	case !prev.Done:
		api.writeProblem(w, r, (&Error{Status: http.StatusConflict, Type: IdempotencyKeyInUseType, Title: "Idempotency key in use",
			Detail: "a request with this Idempotency-Key is still running; retry later"}).WithHeader("Retry-After", "1"))
		return nil, r
	default:
		replay(w, r, prev, api)
		return nil, r
	}
	ik.mu.Lock() // renew waits until the timer is known
	ik.timer = time.AfterFunc(p.lease/3, ik.renew)
	ik.mu.Unlock()
	ik.rec = idemWriter{ResponseWriter: w, header: http.Header{}}
	return &ik.rec, r.WithContext(context.WithValue(r.Context(), idemKey{}, ik.key))
}

// replay writes a stored answer.
func replay(w http.ResponseWriter, r *http.Request, e *IdempotencyEntry, api *API) {
	h := w.Header()
	for k, vs := range e.Header {
		h[k] = slices.Clone(vs)
	}
	h.Set(IdempotentReplayedHeader, "true")
	w.WriteHeader(e.Status)
	if len(e.Body) == 0 {
		return
	}
	if _, err := w.Write(e.Body); err != nil {
		api.cfg.Logger.LogAttrs(r.Context(), slogDebug, "roux: writing a replayed answer", attrErr(err))
	}
}

// renew extends the claim's lease while the handler runs.
func (ik *idemRequest) renew() {
	ik.mu.Lock()
	defer ik.mu.Unlock()
	if ik.done {
		return
	}
	p := ik.p
	e := *ik.entry
	e.Expires = time.Now().Add(p.lease)
	ctx, cancel := context.WithTimeout(context.Background(), p.lease/3)
	defer cancel()
	if err := p.store.Update(ctx, ik.key, &e); err != nil {
		p.op.api.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "roux: renewing an idempotency key's claim", attrOp(p.op.id), attrErr(err))
	}
	ik.timer.Reset(p.lease / 3)
}

// finish stores the answer the handler gave, or releases the key when
// there is none worth keeping. It runs after the answer is written.
func (ik *idemRequest) finish(r *http.Request) {
	ik.mu.Lock()
	ik.done = true
	ik.timer.Stop()
	ik.mu.Unlock()
	p, rec := ik.p, &ik.rec
	ctx := context.WithoutCancel(r.Context())
	var err error
	if storable(rec.status) && !rec.over {
		e := *ik.entry
		e.Expires, e.Done, e.Status, e.Header, e.Body = time.Now().Add(p.ttl), true, rec.status, rec.header, rec.body
		err = p.store.Update(ctx, ik.key, &e)
	} else {
		if rec.over {
			p.op.api.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "roux: answer too large to store for its idempotency key; a retry runs the operation again",
				attrOp(p.op.id), slog.Int("limit", maxIdempotentBody))
		}
		err = p.store.Release(ctx, ik.key, ik.entry.Token)
	}
	if err != nil {
		p.op.api.cfg.Logger.LogAttrs(ctx, slog.LevelError, "roux: idempotency store failed", attrOp(p.op.id), attrErr(err))
	}
}

// storable reports whether an answer is stored for its key: one that
// came, and that a retry would not hope to change.
func storable(status int) bool {
	switch status {
	case 0, http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return false
	}
	return status < 500
}

// idemWriter records the answer as it is written through: the status,
// the headers set on it (not those of middleware outside the operation)
// and the body, up to maxIdempotentBody.
type idemWriter struct {
	http.ResponseWriter
	header http.Header
	status int
	body   []byte
	over   bool
}

func (w *idemWriter) Header() http.Header { return w.header }

func (w *idemWriter) WriteHeader(code int) {
	dst := w.ResponseWriter.Header()
	for k, vs := range w.header {
		dst[k] = vs
	}
	if w.status == 0 && code >= 200 {
		w.status = code
		if n, err := strconv.Atoi(w.header.Get("Content-Length")); err == nil && n > 0 && n <= maxIdempotentBody {
			w.body = make([]byte, 0, n)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *idemWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.over {
		if len(w.body)+len(b) > maxIdempotentBody {
			w.over, w.body = true, nil
		} else {
			w.body = append(w.body, b...)
		}
	}
	return w.ResponseWriter.Write(b)
}

// Flush sends buffered data.
func (w *idemWriter) Flush() {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // not every writer flushes
}

// Unwrap returns the writer it wraps, for http.ResponseController.
func (w *idemWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ParseIdempotencyKey parses the values of an Idempotency-Key header: one
// Structured Field string (RFC 8941), as the draft defines it, such as
// "8e03978e-40d5-43e8-bc93-6894a57f9324" in quotes, or, as many clients
// send it, the bare key. A key has 1 to 255 visible ASCII characters (or
// spaces, inside quotes). It returns the key, or an error that says what
// is wrong.
func ParseIdempotencyKey(vals []string) (string, error) {
	if len(vals) != 1 {
		return "", errors.New("send one Idempotency-Key header, not " + strconv.Itoa(len(vals)))
	}
	v := strings.Trim(vals[0], " \t")
	if v == "" {
		return "", errors.New("the Idempotency-Key header is empty")
	}
	var key string
	if v[0] == '"' && strings.IndexByte(v[1:], '\\') < 0 {
		// No escapes: the key is what the quotes hold.
		end := strings.IndexByte(v[1:], '"') + 1
		if end == 0 {
			return "", errors.New(`the Idempotency-Key string has no closing '"'`)
		}
		if end != len(v)-1 {
			return "", errors.New(`the Idempotency-Key has something after its string; send one string such as "4f9c..."`)
		}
		key = v[1:end]
		for _, c := range []byte(key) {
			if c < 0x20 || c > 0x7e {
				return "", errors.New("the Idempotency-Key string has a character that is not visible ASCII")
			}
		}
	} else if v[0] == '"' {
		var b strings.Builder
		i := 1
		for ; i < len(v) && v[i] != '"'; i++ {
			c := v[i]
			if c == '\\' {
				if i++; i == len(v) || v[i] != '"' && v[i] != '\\' {
					return "", errors.New(`the Idempotency-Key string has a '\' that escapes neither '"' nor '\'`)
				}
				c = v[i]
			} else if c < 0x20 || c > 0x7e {
				return "", errors.New("the Idempotency-Key string has a character that is not visible ASCII")
			}
			b.WriteByte(c)
		}
		if i >= len(v) {
			return "", errors.New(`the Idempotency-Key string has no closing '"'`)
		}
		if i != len(v)-1 {
			return "", errors.New(`the Idempotency-Key has something after its string; send one string such as "4f9c..."`)
		}
		key = b.String()
	} else {
		for _, c := range []byte(v) {
			if c <= 0x20 || c > 0x7e || c == '"' || c == ',' || c == '\\' {
				return "", errors.New(`the Idempotency-Key has a character that needs quoting; send it as a string such as "4f9c..."`)
			}
		}
		key = v
	}
	if key == "" || len(key) > maxIdempotencyKey {
		return "", fmt.Errorf("the Idempotency-Key must have 1 to %d characters, not %d", maxIdempotencyKey, len(key))
	}
	return key, nil
}
