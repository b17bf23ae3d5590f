package roux_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

type hookOrderReady struct {
	OrderID int64     `json:"orderId" minimum:"1"`
	Dishes  []string  `json:"dishes"`
	ReadyAt time.Time `json:"readyAt"`
}

var hookReady = roux.NewWebhook[hookOrderReady]("orderReady", roux.Summary("An order is ready"), roux.Tags("orders"))

// receiver is a webhook receiver over loopback: it verifies each message
// with VerifyWebhook, records it, and answers as answer says.
type receiver struct {
	url    string
	secret string
	mu     sync.Mutex
	got    []received
	answer func(w http.ResponseWriter)
}

type received struct {
	id      string
	payload hookOrderReady
	err     error // of VerifyWebhook
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{secret: roux.NewWebhookSecret(), answer: func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
			return
		}
		m := received{id: r.Header.Get(roux.WebhookIDHeader), err: roux.VerifyWebhook(rc.secret, r.Header, body, 0)}
		if m.err == nil {
			if err := json.Unmarshal(body, &m.payload); err != nil {
				t.Errorf("payload %s: %v", body, err)
			}
		}
		rc.mu.Lock()
		rc.got = append(rc.got, m)
		answer := rc.answer
		rc.mu.Unlock()
		if m.err != nil {
			http.Error(w, m.err.Error(), http.StatusUnauthorized)
			return
		}
		answer(w)
	}))
	t.Cleanup(srv.Close)
	rc.url = srv.URL + "/hooks"
	return rc
}

func (rc *receiver) messages() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func TestWebhookSendVerified(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	payload := &hookOrderReady{OrderID: 7, Dishes: nil, ReadyAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	res, err := hookReady.Send(context.Background(), nil, roux.WebhookEndpoint{URL: rc.url, Secret: rc.secret}, "evt_1", payload)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != http.StatusNoContent {
		t.Errorf("status %d, want 204", res.Status)
	}
	// Encoded as roux encodes bodies: a nil slice is [].
	want := []received{{id: "evt_1", payload: hookOrderReady{OrderID: 7, Dishes: []string{}, ReadyAt: payload.ReadyAt}}}
	if diff := cmp.Diff(want, rc.messages(), cmp.AllowUnexported(received{})); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
	// Signed with another secret: the receiver refuses it, permanently.
	_, err = hookReady.Send(context.Background(), nil, roux.WebhookEndpoint{URL: rc.url, Secret: roux.NewWebhookSecret()}, "evt_2", payload)
	var we *roux.WebhookError
	if !errors.As(err, &we) || we.Status != http.StatusUnauthorized || we.Retryable {
		t.Errorf("wrong secret: got %v, want a permanent 401", err)
	}
	if m := rc.messages(); len(m) != 2 || !errors.Is(m[1].err, roux.ErrWebhookSignature) {
		t.Errorf("the receiver's verdict on the wrong secret: %+v", m)
	}
}

func TestWebhookSendOutcomes(t *testing.T) {
	t.Parallel()
	later := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	for _, tt := range []struct {
		name       string
		answer     func(w http.ResponseWriter)
		status     int
		retryable  bool
		retryAfter time.Duration // at least; an HTTP-date loses a little to the clock
	}{
		{"ok", func(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }, 200, false, 0},
		{"unavailable, retry after seconds", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusServiceUnavailable)
		}, 503, true, 7 * time.Second},
		{"too many, retry after a date", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", later)
			w.WriteHeader(http.StatusTooManyRequests)
		}, 429, true, 80 * time.Second},
		{"request timeout", func(w http.ResponseWriter) { w.WriteHeader(http.StatusRequestTimeout) }, 408, true, 0},
		{"server error", func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) }, 500, true, 0},
		{"bad request", func(w http.ResponseWriter) { w.WriteHeader(http.StatusBadRequest) }, 400, false, 0},
		{"gone", func(w http.ResponseWriter) { w.WriteHeader(http.StatusGone) }, 410, false, 0},
		{"redirect, not followed", func(w http.ResponseWriter) {
			w.Header().Set("Location", "http://127.0.0.1:1/elsewhere")
			w.WriteHeader(http.StatusFound)
		}, 302, false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t)
			rc.answer = tt.answer
			res, err := hookReady.Send(context.Background(), nil, roux.WebhookEndpoint{URL: rc.url, Secret: rc.secret}, "evt", &hookOrderReady{OrderID: 1})
			if res == nil || res.Status != tt.status || res.RetryAfter < tt.retryAfter || res.RetryAfter > tt.retryAfter+15*time.Second {
				t.Fatalf("got %+v, %v; want status %d, retry after %v", res, err, tt.status, tt.retryAfter)
			}
			var we *roux.WebhookError
			switch {
			case tt.status/100 == 2 && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.status/100 != 2 && (!errors.As(err, &we) || we.Status != tt.status || we.Retryable != tt.retryable || we.RetryAfter != res.RetryAfter):
				t.Errorf("got %#v, want a WebhookError with status %d, retryable %v", err, tt.status, tt.retryable)
			}
		})
	}
}

func TestWebhookSendNoAnswer(t *testing.T) {
	t.Parallel()
	stuck := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-stuck }))
	t.Cleanup(func() { close(stuck); slow.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/hooks"
	ln.Close()
	secret := roux.NewWebhookSecret()
	for _, tt := range []struct {
		name      string
		url       string
		secret    string
		id        string
		retryable bool
		is        error
	}{
		{"timeout", slow.URL, secret, "evt", true, context.DeadlineExceeded},
		{"refused", closed, secret, "evt", true, nil},
		{"not a URL", "ftp://example.com/x", secret, "evt", false, nil},
		{"no secret", slow.URL, "", "evt", false, nil},
		{"secret not base64", slow.URL, "whsec_!!", "evt", false, nil},
		{"no id", slow.URL, secret, "", false, nil},
		{"id with a line break", slow.URL, secret, "a\nb", false, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &roux.WebhookSender{Timeout: 200 * time.Millisecond}
			res, err := hookReady.Send(context.Background(), s, roux.WebhookEndpoint{URL: tt.url, Secret: tt.secret}, tt.id, &hookOrderReady{OrderID: 1})
			var we *roux.WebhookError
			if res != nil || !errors.As(err, &we) || we.Status != 0 || we.Retryable != tt.retryable || tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("got %+v, %v; want no answer and a WebhookError, retryable %v", res, err, tt.retryable)
			}
		})
	}
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	secret, other := roux.NewWebhookSecret(), roux.NewWebhookSecret()
	body := []byte(`{"orderId":1}`)
	now := time.Now()
	sign := func(secret, id string, at time.Time, body []byte) string {
		s, err := roux.SignWebhook(secret, id, at, body)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	headers := func(id string, at time.Time, sig string) http.Header {
		h := http.Header{}
		for k, v := range map[string]string{roux.WebhookIDHeader: id, roux.WebhookTimestampHeader: strconv.FormatInt(at.Unix(), 10), roux.WebhookSignatureHeader: sig} {
			if v != "" {
				h.Set(k, v)
			}
		}
		return h
	}
	good := sign(secret, "m1", now, body)
	for _, tt := range []struct {
		name   string
		secret string
		header http.Header
		body   []byte
		ok     bool
	}{
		{"valid", secret, headers("m1", now, good), body, true},
		{"raw secret", "plain-secret", headers("m1", now, sign("plain-secret", "m1", now, body)), body, true},
		{"one of two signatures (rotation)", secret, headers("m1", now, sign(other, "m1", now, body)+" "+good), body, true},
		{"other schemes ignored", secret, headers("m1", now, "v1a,AAAA "+good), body, true},
		{"within tolerance", secret, headers("m1", now.Add(-4*time.Minute), sign(secret, "m1", now.Add(-4*time.Minute), body)), body, true},
		{"body changed", secret, headers("m1", now, good), []byte(`{"orderId":2}`), false},
		{"id changed", secret, headers("m2", now, good), body, false},
		{"other secret", other, headers("m1", now, good), body, false},
		{"too old", secret, headers("m1", now.Add(-6*time.Minute), sign(secret, "m1", now.Add(-6*time.Minute), body)), body, false},
		{"from the future", secret, headers("m1", now.Add(6*time.Minute), sign(secret, "m1", now.Add(6*time.Minute), body)), body, false},
		{"no signature", secret, headers("m1", now, ""), body, false},
		{"no id", secret, headers("", now, good), body, false},
		{"v2 only", secret, headers("m1", now, "v2,"+strings.TrimPrefix(good, "v1,")), body, false},
		{"not base64", secret, headers("m1", now, "v1,***"), body, false},
		{"timestamp not a number", secret, http.Header{"Webhook-Id": {"m1"}, "Webhook-Timestamp": {"+17e8"}, "Webhook-Signature": {good}}, body, false},
	} {
		err := roux.VerifyWebhook(tt.secret, tt.header, tt.body, 0)
		if tt.ok && err != nil || !tt.ok && !errors.Is(err, roux.ErrWebhookSignature) {
			t.Errorf("%s: got %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func FuzzVerifyWebhook(f *testing.F) {
	secret := "whsec_" + "c2VjcmV0LWtleS1vZi10aGUtZnV6emVy"
	body := []byte(`{"a":1}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	good, err := roux.SignWebhook(secret, "m", time.Now(), body)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("m", ts, good, body)
	f.Add("m", ts, "v1,"+good+" v1,", body)
	f.Add("m", "-1", "v1,,", body)
	f.Add("", "", "", []byte(nil))
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{}
		h.Set(roux.WebhookIDHeader, id)
		h.Set(roux.WebhookTimestampHeader, ts)
		h.Set(roux.WebhookSignatureHeader, sig)
		err := roux.VerifyWebhook(secret, h, body, 0)
		if err != nil {
			if !errors.Is(err, roux.ErrWebhookSignature) {
				t.Errorf("an error not wrapping ErrWebhookSignature: %v", err)
			}
			return
		}
		// Accepted: then some signature in the header is the message's own.
		secs, perr := strconv.ParseInt(ts, 10, 64)
		if perr != nil {
			t.Fatalf("accepted the timestamp %q", ts)
		}
		want, serr := roux.SignWebhook(secret, id, time.Unix(secs, 0), body)
		if serr != nil {
			t.Fatal(serr)
		}
		wantMAC, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(want, "v1,"))
		if !slices.ContainsFunc(strings.Fields(sig), func(f string) bool {
			mac, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(f, "v1,"))
			return strings.HasPrefix(f, "v1,") && err == nil && bytes.Equal(mac, wantMAC)
		}) {
			t.Errorf("accepted %q for id %q, ts %q, body %q; its signature is %s", sig, id, ts, body, want)
		}
	})
}

func TestWebhookDocument(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{CheckResponses: true})
	api.Webhook(hookReady)
	api.Webhook(roux.NewWebhook[hookOrderReady]("orderCancelled", roux.OperationID("order-cancelled"), roux.Tags("billing"),
		roux.Response(http.StatusAccepted, "Taken", nil), roux.Response(http.StatusGone, "Unsubscribe", nil)))
	rouxtest.New(t, api)
	doc := api.OpenAPI()
	ready := doc.Webhooks["orderReady"].Post
	if ready == nil || ready.OperationID != "orderReady" || ready.Summary != "An order is ready" {
		t.Fatalf("webhook orderReady: got %+v", ready)
	}
	if ref := ready.RequestBody.Content["application/json"].Schema.Ref; !ready.RequestBody.Required || !strings.HasSuffix(ref, "/HookOrderReady") {
		t.Errorf("payload: got %+v, want the required component schema HookOrderReady", ready.RequestBody)
	}
	if doc.Components.Schemas["HookOrderReady"] == nil {
		t.Error("the payload's schema is not among the components")
	}
	var params []string
	for _, p := range ready.Parameters {
		params = append(params, p.In+" "+p.Name+" "+strconv.FormatBool(p.Required))
	}
	if diff := cmp.Diff([]string{"header webhook-id true", "header webhook-timestamp true", "header webhook-signature true"}, params); diff != "" {
		t.Errorf("parameters (-want +got):\n%s", diff)
	}
	if got := slices.Sorted(maps.Keys(ready.Responses)); !cmp.Equal(got, []string{"2XX", "4XX", "5XX"}) {
		t.Errorf("responses of orderReady: got %v, want 2XX, 4XX, 5XX", got)
	}
	cancelled := doc.Webhooks["orderCancelled"].Post
	if got := slices.Sorted(maps.Keys(cancelled.Responses)); !cmp.Equal(got, []string{"202", "410", "5XX"}) || cancelled.OperationID != "order-cancelled" {
		t.Errorf("orderCancelled: id %q, responses %v; want order-cancelled, [202 410 5XX]", cancelled.OperationID, got)
	}
	var tags []string
	for _, tg := range doc.Tags {
		tags = append(tags, tg.Name)
	}
	if diff := cmp.Diff([]string{"orders", "billing"}, tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	// The 3.0 document has no webhooks, nor the schemas only they used.
	js30 := fetchDocument(t, api, "/openapi-3.0.json")
	if _, ok := js30["webhooks"]; ok {
		t.Error("the 3.0 document has webhooks")
	}
	if schemas, _ := js30["components"].(map[string]any)["schemas"].(map[string]any); schemas["HookOrderReady"] != nil {
		t.Error("the 3.0 document keeps HookOrderReady, which only webhooks used")
	}
}

func fetchDocument(t *testing.T, api *roux.API, path string) map[string]any {
	t.Helper()
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return doc
}

type hookSubscribeInput struct {
	Tenant string `header:"X-Tenant"`
	Body   struct {
		CallbackURL string `json:"callbackUrl" format:"uri"`
		Dish        string `json:"dish"`
	}
}

type hookSubscribed struct {
	Location string `header:"Location"`
	Body     struct {
		ID int `json:"id"`
	}
}

func TestCallbackDocument(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{CheckResponses: true})
	roux.Post(api, "/orders", func(context.Context, *hookSubscribeInput) (*hookSubscribed, error) { return &hookSubscribed{}, nil },
		roux.Callback("ready", "{$request.body#/callbackUrl}", hookReady),
		roux.Callback("audit", "https://audit.example.com/{$request.header.x-tenant}/orders/{$response.body#/id}?from={$method}", hookReady))
	rouxtest.New(t, api)
	op := api.OpenAPI().Paths["/orders"].Post
	for name, expr := range map[string]string{"ready": "{$request.body#/callbackUrl}", "audit": "https://audit.example.com/{$request.header.x-tenant}/orders/{$response.body#/id}?from={$method}"} {
		item := op.Callbacks[name][expr]
		if item == nil || item.Post == nil || item.Post.OperationID != "post-orders-"+name {
			t.Errorf("callback %s: got %+v, want a POST with operationId post-orders-%s under %s", name, op.Callbacks[name], name, expr)
		}
	}
	// Callbacks are in the 3.0 document too, their schemas downgraded.
	js30 := fetchDocument(t, api, "/openapi-3.0.json")
	cb := js30["paths"].(map[string]any)["/orders"].(map[string]any)["post"].(map[string]any)["callbacks"].(map[string]any)
	if _, ok := cb["ready"].(map[string]any)["{$request.body#/callbackUrl}"]; !ok {
		t.Errorf("3.0 callbacks: got %v", cb)
	}
	if schemas := js30["components"].(map[string]any)["schemas"].(map[string]any); schemas["HookOrderReady"] == nil {
		t.Error("the 3.0 document lost the payload schema its callbacks use")
	}
}

func TestWebhookRegistrationErrors(t *testing.T) {
	t.Parallel()
	handler := func(context.Context, *hookSubscribeInput) (*hookSubscribed, error) { return nil, nil }
	for _, tt := range []struct {
		name string
		do   func(api *roux.API)
		want string
	}{
		{"bad name", func(*roux.API) { roux.NewWebhook[hookOrderReady]("order ready") }, "letters, digits"},
		{"server option", func(*roux.API) {
			roux.NewWebhook[hookOrderReady]("x", roux.Middleware(func(h http.Handler) http.Handler { return h }))
		}, "server option"},
		{"status", func(*roux.API) { roux.NewWebhook[hookOrderReady]("x", roux.Status(201)) }, "roux.Response"},
		{"published twice", func(api *roux.API) { api.Webhook(hookReady); api.Webhook(hookReady) }, "published already"},
		{"operationId taken", func(api *roux.API) {
			roux.Post(api, "/orders", handler)
			api.Webhook(roux.NewWebhook[hookOrderReady]("x", roux.OperationID("post-orders")))
		}, "already used"},
		{"payload not describable", func(api *roux.API) { api.Webhook(roux.NewWebhook[chan int]("x")) }, "payload"},
		{"unknown body member", func(api *roux.API) {
			roux.Post(api, "/orders", handler, roux.Callback("c", "{$request.body#/callback}", hookReady))
		}, "no member /callback"},
		{"unknown header", func(api *roux.API) {
			roux.Post(api, "/orders", handler, roux.Callback("c", "{$request.header.X-Other}", hookReady))
		}, "no such header parameter"},
		{"unknown response member", func(api *roux.API) {
			roux.Post(api, "/orders", handler, roux.Callback("c", "http://x/{$response.body#/nope}", hookReady))
		}, "no member /nope"},
		{"bad expression", func(api *roux.API) {
			roux.Post(api, "/orders", handler, roux.Callback("c", "{$request.cookie.a}", hookReady))
		}, "must name"},
		{"unbalanced", func(api *roux.API) {
			roux.Post(api, "/orders", handler, roux.Callback("c", "http://x/{$method", hookReady))
		}, "without its '}'"},
		{"not a URL", func(api *roux.API) {
			roux.Post(api, "/orders", handler, roux.Callback("c", "somewhere", hookReady))
		}, "neither"},
		{"two of a name", func(api *roux.API) {
			roux.Post(api, "/orders", handler, roux.Callback("c", "{$url}", hookReady), roux.Callback("c", "{$url}", hookReady))
		}, "another callback of that name"},
		{"nil webhook", func(api *roux.API) {
			roux.Post(api, "/orders", handler, roux.Callback("c", "{$url}", nil))
		}, "nil"},
		{"nil *Webhook", func(api *roux.API) {
			var w *roux.Webhook[hookOrderReady]
			roux.Post(api, "/orders", handler, roux.Callback("c", "{$url}", w))
		}, "nil"},
		{"publish nil", func(api *roux.API) { api.Webhook(nil) }, "nil"},
		{"merge patch", func(*roux.API) { roux.NewWebhook[hookOrderReady]("x", roux.MergePatch()) }, "roux.Response"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if re := registrationError(t, func() { tt.do(roux.New(roux.Config{})) }); !strings.Contains(re.Error(), tt.want) {
				t.Errorf("got %v, want a registration error saying %q", re, tt.want)
			}
		})
	}
}

// webhooksAPI publishes webhooks and callbacks, and an idempotent
// operation, for the golden documents (3.1 and 3.0), which the
// conformance module validates with kin-openapi.
func webhooksAPI() *roux.API {
	api := roux.New(roux.Config{Title: "Webhooks", Version: "1.0.0"})
	api.Webhook(hookReady)
	api.Webhook(roux.NewWebhook[hookOrderReady]("orderCancelled", roux.Summary("An order was cancelled"), roux.Description("The order was cancelled before it was ready."),
		roux.Response(http.StatusNoContent, "Taken", nil), roux.Response(http.StatusGone, "The receiver wants no more messages", nil)))
	roux.Post(api, "/orders", func(context.Context, *hookSubscribeInput) (*hookSubscribed, error) { return &hookSubscribed{}, nil },
		roux.Status(http.StatusCreated), roux.Summary("Place an order"), roux.Tags("orders"),
		roux.Description("Places an order; the kitchen calls the order's callbackUrl back when it is ready."),
		roux.Callback("ready", "{$request.body#/callbackUrl}", hookReady),
		roux.Idempotent(roux.NewMemoryIdempotencyStore(0), time.Hour))
	return api
}

// TestWebhookStandardVector checks signing and verifying against the
// example of the Standard Webhooks reference libraries' tests, so that
// receivers using those libraries accept roux's messages and roux
// accepts theirs.
func TestWebhookStandardVector(t *testing.T) {
	t.Parallel()
	const (
		secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		id     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		want   = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	at, body := time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`)
	got, err := roux.SignWebhook(secret, id, at, body)
	if err != nil || got != want {
		t.Errorf("SignWebhook: got %q, %v; want %q", got, err, want)
	}
	h := http.Header{}
	h.Set(roux.WebhookIDHeader, id)
	h.Set(roux.WebhookTimestampHeader, "1614265330")
	h.Set(roux.WebhookSignatureHeader, want)
	if err := roux.VerifyWebhook(secret, h, body, time.Since(at)+time.Hour); err != nil {
		t.Errorf("VerifyWebhook: %v", err)
	}
	if err := roux.VerifyWebhook(secret, h, body, 0); !errors.Is(err, roux.ErrWebhookSignature) {
		t.Errorf("VerifyWebhook of a message from 2021 with the default tolerance: got %v, want it refused", err)
	}
}
