package client

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/plan"
)

// IdempotencyKeys sends an Idempotency-Key header with every call of a
// POST or PATCH operation — a new random key (a UUID) per call, the same
// on each of its attempts — and makes [Retry] retry those calls as it
// retries idempotent ones: a server whose operation is roux.Idempotent
// answers a retry of a request that took effect with the first answer
// instead of acting twice. It also retries the 409 of a key whose first
// request is still running (problem type
// roux.IdempotencyKeyInUseType), after its Retry-After. A key set with
// [Header] is kept, for a caller that keeps its own key across
// restarts. Give it only for servers that honour the header: one that
// ignores it acts on every retry.
func IdempotencyKeys() Option {
	return optionFunc(func(c *config) { c.idempotencyKey = true })
}

// idempotencyKey gives the request of a call of p an Idempotency-Key
// when the call is configured for one and p's method is unsafe, and
// reports whether it carries one: then its attempts may be retried.
func idempotencyKey(cfg *config, p *plan.Operation, r *request) bool {
	if !cfg.idempotencyKey || p.Method != http.MethodPost && p.Method != http.MethodPatch {
		return false
	}
	if r.header.Get(roux.IdempotencyKeyHeader) == "" && cfg.header.Get(roux.IdempotencyKeyHeader) == "" {
		r.header.Set(roux.IdempotencyKeyHeader, `"`+newUUID()+`"`) // a Structured Field string
	}
	return true
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	hex.Encode(s[9:13], b[4:6])
	hex.Encode(s[14:18], b[6:8])
	hex.Encode(s[19:23], b[8:10])
	hex.Encode(s[24:], b[10:])
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	return string(s[:])
}

// keyInUse reports whether resp is the 409 of a key whose first request
// is still running. It reads the body of a 409 and puts it back.
func keyInUse(resp *http.Response) bool {
	if resp.StatusCode != http.StatusConflict {
		return false
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), resp.Body), resp.Body}
	if err != nil {
		return false
	}
	var p struct {
		Type string `json:"type"`
	}
	return json.Unmarshal(b, &p) == nil && p.Type == roux.IdempotencyKeyInUseType
}
