package kitchen_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// answer is what a test receiver answers one message.
type answer struct {
	status     int
	retryAfter string
}

// message is a message a receiver got.
type message struct {
	at       time.Time
	id       string // webhook-id
	verified error  // roux.VerifyWebhook with the receiver's secret then
	body     []byte
	event    kitchenapi.OrderReadyEvent
	status   int // answered
}

// receiver is a webhook receiver on 127.0.0.1: it verifies each message
// with roux's verifier and answers as told, message after message (204
// when told nothing more).
type receiver struct {
	url     string
	mu      sync.Mutex
	secret  string
	answers []answer
	got     []message
}

func newReceiver(t *testing.T, answers ...answer) *receiver {
	rc := &receiver{answers: answers}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		m := message{at: time.Now(), id: r.Header.Get(roux.WebhookIDHeader), body: body,
			verified: roux.VerifyWebhook(rc.secret, r.Header, body, 0), status: http.StatusNoContent}
		if err := json.Unmarshal(body, &m.event); err != nil {
			m.verified = fmt.Errorf("decoding %s: %w", body, err)
		}
		if n := len(rc.got); n < len(rc.answers) {
			m.status = rc.answers[n].status
			if ra := rc.answers[n].retryAfter; ra != "" {
				w.Header().Set("Retry-After", ra)
			}
		}
		rc.got = append(rc.got, m)
		w.WriteHeader(m.status)
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/kitchen-hooks"
	return rc
}

func (rc *receiver) setSecret(s string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.secret = s
}

// messages returns the messages received, and those answered 2xx.
func (rc *receiver) messages() (all, accepted []message) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, m := range rc.got {
		if m.status/100 == 2 {
			accepted = append(accepted, m)
		}
	}
	return slices.Clone(rc.got), accepted
}

// hookConfig is config with webhooks sent to loopback only, tried at
// most twice.
func hookConfig(open func(ctx context.Context) (store.Store, error)) kitchen.Config {
	cfg := config(open)
	cfg.WebhookTo, cfg.WebhookAttempts = kitchen.Loopback, 2
	return cfg
}

// setWebhook registers url as the demo customer's webhook.
func (s *server) setWebhook(t *testing.T, url string) *kitchenapi.WebhookSet {
	t.Helper()
	return call(t, s.demo, kitchenapi.SetWebhook, &kitchenapi.SetWebhookInput{Body: kitchenapi.WebhookEndpoint{URL: url}}).ok()
}

// deliveries returns /metrics' counts of delivery attempts by outcome,
// and whether a delivery job is left in the queue.
func (s *server) deliveries(t *testing.T) (map[string]string, bool) {
	t.Helper()
	body := s.do("GET", kitchen.MetricsPath, "").want(t, 200, nil).body
	out := map[string]string{}
	for _, o := range []string{"delivered", "retried", "failed", "cancelled"} {
		out[o], _ = metric(t, body, "kitchen_webhook_deliveries_total", `outcome="`+o+`"`)
	}
	_, queued := metric(t, body, "kitchen_jobs", `kind="deliver_webhook"`)
	return out, queued
}

// waitDeliveries waits until /metrics counts want and no delivery is
// queued.
func (s *server) waitDeliveries(t *testing.T, want map[string]string) {
	t.Helper()
	var got map[string]string
	var queued bool
	deadline := time.Now().Add(15 * time.Second)
	for {
		if got, queued = s.deliveries(t); !queued && cmp.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries %v (one queued: %v), want %v", got, queued, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func outcomes(delivered, retried, failed, cancelled int) map[string]string {
	return map[string]string{"delivered": fmt.Sprint(delivered), "retried": fmt.Sprint(retried),
		"failed": fmt.Sprint(failed), "cancelled": fmt.Sprint(cancelled)}
}

// TestWebhook: a customer registers an endpoint and gets its secret;
// each of their orders that becomes ready is delivered there once,
// signed with the secret registered when it is sent, as roux's verifier
// checks; a cancelled order, and one that is ready while no endpoint is
// registered, have no message.
func TestWebhook(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		rc := newReceiver(t)
		s := start(t, hookConfig(b.db(t)))
		call(t, s.demo, kitchenapi.DeleteWebhook, &kitchenapi.DeleteWebhookInput{}).fails(404)
		in := &kitchenapi.SetWebhookInput{Body: kitchenapi.WebhookEndpoint{URL: rc.url}}
		call(t, s.anon, kitchenapi.SetWebhook, in).fails(401)

		set := s.setWebhook(t, rc.url)
		if set.Status != http.StatusCreated || set.Body.URL != rc.url || !strings.HasPrefix(set.Body.Secret, "whsec_") {
			t.Fatalf("registered: %+v", set)
		}
		rc.setSecret(set.Body.Secret)
		roast := call(t, s.staff, kitchenapi.CreateDish, &kitchenapi.CreateDishInput{Body: kitchenapi.DishInput{
			Name: "Roast", PriceCents: 3000, Station: kitchenapi.Oven, PrepSeconds: 3600}}).ok().Body
		cancelled := s.order(t, kitchenapi.OrderLine{DishID: roast.ID, Quantity: 1})
		call(t, s.demo, kitchenapi.CancelOrder, &kitchenapi.CancelOrderInput{ID: cancelled.ID}).ok()
		first := s.order(t, lines...)
		waitFor(t, "the first message", func() bool { _, ok := rc.messages(); return len(ok) == 1 })
		_, ok := rc.messages()
		m := ok[0]
		ready := s.getOrder(t, first.ID)
		if m.verified != nil || m.id != fmt.Sprint("order-", first.ID, "-ready") || m.event.Type != "order.ready" ||
			!m.event.Timestamp.Equal(ready.UpdatedAt) {
			t.Fatalf("message %s %q (verified: %v): %s", m.id, m.event.Type, m.verified, m.body)
		}
		if diff := cmp.Diff(ready, m.event.Data); diff != "" {
			t.Fatalf("the message's order (-GET +message):\n%s", diff)
		}

		// A new PUT replaces the endpoint and its secret.
		again := s.setWebhook(t, rc.url)
		if again.Status != http.StatusOK || again.Body.Secret == set.Body.Secret {
			t.Fatalf("replaced: %+v (first secret %s)", again, set.Body.Secret)
		}
		rc.setSecret(again.Body.Secret)
		second := s.order(t, lines...)
		waitFor(t, "the second message", func() bool { _, ok := rc.messages(); return len(ok) == 2 })
		_, ok = rc.messages()
		if m := ok[1]; m.verified != nil || m.event.Data.ID != second.ID {
			t.Fatalf("second message, of order %d: %v", m.event.Data.ID, m.verified)
		}
		h := http.Header{}
		h.Set(roux.WebhookIDHeader, ok[1].id)
		if roux.VerifyWebhook(set.Body.Secret, h, ok[1].body, 0) == nil {
			t.Error("the replaced secret verifies a message")
		}

		// No endpoint: no message; a new one gets the orders ready since.
		call(t, s.demo, kitchenapi.DeleteWebhook, &kitchenapi.DeleteWebhookInput{}).ok()
		call(t, s.demo, kitchenapi.DeleteWebhook, &kitchenapi.DeleteWebhookInput{}).fails(404)
		unhooked := s.order(t, lines...)
		waitFor(t, "an order ready without an endpoint", func() bool { return s.getOrder(t, unhooked.ID).Status == "ready" })
		third := s.setWebhook(t, rc.url)
		if third.Status != http.StatusCreated {
			t.Fatalf("registered after a DELETE: %d", third.Status)
		}
		rc.setSecret(third.Body.Secret)
		last := s.order(t, lines...)
		s.waitDeliveries(t, outcomes(3, 0, 0, 0))
		all, _ := rc.messages()
		var orders []int64
		for _, m := range all {
			if m.verified != nil {
				t.Errorf("message of order %d: %v", m.event.Data.ID, m.verified)
			}
			orders = append(orders, m.event.Data.ID)
		}
		if want := []int64{first.ID, second.ID, last.ID}; !slices.Equal(orders, want) {
			t.Errorf("messages of orders %v, want %v (not the cancelled %d, nor %d, ready without an endpoint)", orders, want, cancelled.ID, unhooked.ID)
		}
	})
}

// TestWebhookAnswers: the receiver's answer decides what becomes of the
// message — a 503 with Retry-After is sent again after it, a 409 with
// the queue's backoff, a 410 is not sent again, a 500 is tried until its
// last attempt — and /metrics counts each attempt by outcome.
func TestWebhookAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		answers  []answer
		messages int
		accepted int
		want     map[string]string
		wait     time.Duration // between the first two messages, at least
	}{
		{"503 with Retry-After, then 200", []answer{{503, "1"}, {200, ""}}, 2, 1, outcomes(1, 1, 0, 0), time.Second},
		{"409, then 204", []answer{{409, ""}}, 2, 1, outcomes(1, 1, 0, 0), 0},
		{"410", []answer{{410, ""}}, 1, 0, outcomes(0, 0, 0, 1), 0},
		{"500 on every attempt", []answer{{500, ""}, {500, ""}, {500, ""}}, 2, 0, outcomes(0, 1, 1, 0), 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachBackend(t, func(t *testing.T, b backend) {
				rc := newReceiver(t, tt.answers...)
				s := start(t, hookConfig(b.db(t)))
				rc.setSecret(s.setWebhook(t, rc.url).Body.Secret)
				o := s.order(t, lines...)
				s.waitDeliveries(t, tt.want)
				all, accepted := rc.messages()
				if len(all) != tt.messages || len(accepted) != tt.accepted {
					t.Fatalf("%d messages, %d accepted; want %d and %d", len(all), len(accepted), tt.messages, tt.accepted)
				}
				for i, m := range all {
					if m.verified != nil || m.id != all[0].id || m.event.Data.ID != o.ID {
						t.Errorf("message %d, %s of order %d: %v", i, m.id, m.event.Data.ID, m.verified)
					}
				}
				// Its Retry-After is honoured (the delay is the queue's
				// own schedule: never shorter, up to the ms its clock keeps).
				if gap := all[1%len(all)].at.Sub(all[0].at); len(all) > 1 && gap < tt.wait-10*time.Millisecond {
					t.Errorf("sent again after %v, want %v at least", gap, tt.wait)
				}
			})
		})
	}
}

// TestWebhookGuard: a kitchen that sends webhooks to public addresses
// only refuses to register an endpoint whose host is another kind of
// address (here), and, for a name, refuses to connect to what it
// resolves to (when it sends): an endpoint at localhost, put in the
// store past the registration's check, gets no request and is not tried
// again.
func TestWebhookGuard(t *testing.T) {
	t.Parallel()
	t.Run("registration", func(t *testing.T) {
		t.Parallel()
		s := start(t, config(backends[0].db(t))) // public only, the default
		for _, tt := range []struct {
			url    string
			status int
		}{
			{"http://127.0.0.1:9000/hook", 422},
			{"http://[::1]:9000/hook", 422},
			{"http://[::ffff:127.0.0.1]/hook", 422},
			{"http://localhost:9000/hook", 422},
			{"http://10.1.2.3/hook", 422},
			{"http://192.168.0.10/hook", 422},
			{"http://169.254.169.254/latest/meta-data", 422},
			{"http://0.0.0.0/hook", 422},
			{"https://user:secret@example.com/hook", 422},
			{"ftp://example.com/hook", 422},
			{"https://example.com:99999/hook", 422},
			{"https://example.com/hooks", 201},
			{"https://93.184.215.14/hooks", 200},
		} {
			r := s.do("PUT", "/customers/me/webhook", `{"url":"`+tt.url+`"}`, bearer(token)...)
			if tt.status != 422 {
				r.want(t, tt.status, nil)
				continue
			}
			p := r.wantProblem(t, 422)
			if len(p.Errors) != 1 || p.Errors[0].Pointer != "/url" {
				t.Errorf("%s: %+v", tt.url, p)
			}
		}
		// No order is placed: nothing is sent to the public endpoints.
	})
	forEachBackend(t, func(t *testing.T, b backend) {
		rc := newReceiver(t)
		open := b.db(t)
		s := start(t, config(open))
		db, err := open(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		sum := sha256.Sum256([]byte(token))
		demo, err := db.CustomerByToken(t.Context(), hex.EncodeToString(sum[:]))
		if err != nil {
			t.Fatal(err)
		}
		port := rc.url[strings.LastIndexByte(rc.url, ':'):]
		if _, err := db.SetWebhook(t.Context(), demo.ID, store.Webhook{URL: "http://localhost" + port, Secret: "whsec_c2VjcmV0"}); err != nil {
			t.Fatal(err)
		}
		s.order(t, lines...)
		s.waitDeliveries(t, outcomes(0, 0, 0, 1))
		if all, _ := rc.messages(); len(all) != 0 {
			t.Errorf("the receiver got %d messages", len(all))
		}
	})
}

// TestPublished: both documents publish the webhook as the callback of
// the operation that registers its URL, the 3.1 document in its webhooks
// too (3.0 has none), and the idempotency of POST /orders: its
// Idempotency-Key parameter and its 409 and 422.
func TestPublished(t *testing.T) {
	t.Parallel()
	s := start(t, config(backends[0].db(t)))
	type operation struct {
		OperationID string `json:"operationId"`
		Parameters  []struct {
			Name, In string
		}
		RequestBody *struct{ Content map[string]any }    `json:"requestBody"`
		Responses   map[string]any                       `json:"responses"`
		Callbacks   map[string]map[string]map[string]any `json:"callbacks"`
	}
	type document struct {
		Webhooks map[string]map[string]operation `json:"webhooks"`
		Paths    map[string]map[string]operation `json:"paths"`
	}
	for _, tt := range []struct {
		path     string
		webhooks bool
	}{{"/openapi.json", true}, {"/openapi-3.0.json", false}} {
		var doc document
		s.do("GET", tt.path, "").want(t, 200, &doc)
		hook, ok := doc.Webhooks["orderReady"]["post"]
		if ok != tt.webhooks || ok && (hook.OperationID != "orderReady" || hook.RequestBody == nil) {
			t.Errorf("%s: webhooks %+v", tt.path, doc.Webhooks)
		}
		cb := doc.Paths["/customers/me/webhook"]["put"].Callbacks["orderReady"]["{$request.body#/url}"]["post"]
		if cb == nil {
			t.Errorf("%s: PUT /customers/me/webhook has no callback orderReady: %+v", tt.path, doc.Paths["/customers/me/webhook"]["put"].Callbacks)
		}
		create := doc.Paths["/orders"]["post"]
		if !slices.ContainsFunc(create.Parameters, func(p struct{ Name, In string }) bool { return p.Name == "Idempotency-Key" && p.In == "header" }) ||
			create.Responses["409"] == nil || create.Responses["422"] == nil {
			t.Errorf("%s: POST /orders publishes no idempotency: %+v", tt.path, create)
		}
	}
}
