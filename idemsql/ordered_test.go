package idemsql_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/idemsql"
)

// oneWriter is the one writer of a SQLite file, as a service's group
// commit is: it runs every write in its open transaction, each in a
// savepoint, and commits the transaction when a write asks to be durable;
// an ordered write waits for nothing. crash ends it as kill -9 ends a
// process: what is not committed is lost, and every later write fails.
type oneWriter struct {
	mu      sync.Mutex
	db      *sql.DB
	tx      *sql.Tx
	dead    bool
	commits int
	asked   []bool // the durable argument of each call, in order
}

var errCrashed = errors.New("the writer's process has crashed")

// openWriter opens the writer of the SQLite file at path, with the
// store's table.
func openWriter(t *testing.T, path string) *oneWriter {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	w := &oneWriter{db: db}
	t.Cleanup(func() { w.crash() })
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS effects (id INTEGER PRIMARY KEY, idem_key TEXT UNIQUE NOT NULL)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	if err := idemsql.New(db, idemsql.SQLite).CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

// run is the writer's idemsql.OrderedWriteFunc.
func (w *oneWriter) run(ctx context.Context, durable bool, write func(idemsql.Conn) error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dead {
		return errCrashed
	}
	w.asked = append(w.asked, durable)
	if w.tx == nil {
		tx, err := w.db.BeginTx(context.Background(), nil) // it outlives this write
		if err != nil {
			return err
		}
		w.tx = tx
	}
	if _, err := w.tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
		return err
	}
	if err := write(w.tx); err != nil {
		_, rerr := w.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT w")
		_, uerr := w.tx.ExecContext(ctx, "RELEASE SAVEPOINT w")
		return errors.Join(err, rerr, uerr)
	}
	if _, err := w.tx.ExecContext(ctx, "RELEASE SAVEPOINT w"); err != nil {
		return err
	}
	if !durable {
		return nil
	}
	err := w.tx.Commit()
	w.tx = nil
	w.commits++
	if err != nil {
		w.dead = true // nothing after a failed commit is committed
	}
	return err
}

// crash loses what is not committed and fails every later write.
func (w *oneWriter) crash() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.tx != nil {
		w.tx.Rollback()
		w.tx = nil
	}
	w.dead = true
	w.db.Close()
}

// took returns the durable arguments of the calls since the last took.
func (w *oneWriter) took() []bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.asked
	w.asked = nil
	return out
}

// TestOrderedWrites: with an OrderedWriter, the writes of running
// requests are ordered (they do not wait for their commit), answers are
// durable unless they are successes of an OrderedAnswers store, and a
// replayed answer is committed first.
func TestOrderedWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := openWriter(t, filepath.Join(t.TempDir(), "idem.db"))
	plain := idemsql.New(w.db, idemsql.SQLite, idemsql.OrderedWriter(w.run))
	answers := plain.OrderedAnswers()
	entry := func(token string, status int) *roux.IdempotencyEntry {
		return &roux.IdempotencyEntry{Fingerprint: "f", Token: token, Expires: time.Now().Add(time.Hour), Done: status != 0, Status: status}
	}
	claim := func(s *idemsql.Store, key string) func() error {
		return func() error { _, err := s.Claim(ctx, key, entry("t", 0)); return err }
	}
	for _, tt := range []struct {
		name string
		call func() error
		want []bool // durable, for each write
	}{
		{"claim of a free key", claim(plain, "a"), []bool{false}},
		{"renewal", func() error { return plain.Update(ctx, "a", entry("t", 0)) }, []bool{false}},
		{"claim of a claimed key", claim(plain, "a"), []bool{false}},
		{"answer", func() error { return plain.Update(ctx, "a", entry("t", http.StatusCreated)) }, []bool{true}},
		{"claim of an answered key", claim(plain, "a"), []bool{false, true}},
		{"release", func() error { return plain.Release(ctx, "a", "t") }, []bool{false}},
		{"claim through OrderedAnswers", claim(answers, "b"), []bool{false}},
		{"success through OrderedAnswers", func() error { return answers.Update(ctx, "b", entry("t", http.StatusCreated)) }, []bool{false}},
		{"refusal through OrderedAnswers", func() error { return answers.Update(ctx, "b", entry("t", http.StatusUnprocessableEntity)) }, []bool{true}},
		{"DeleteExpired", func() error { _, err := plain.DeleteExpired(ctx); return err }, []bool{true}},
	} {
		if err := tt.call(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, w.took()); diff != "" {
			t.Errorf("%s: durable per write (-want +got):\n%s", tt.name, diff)
		}
	}
	// Without an OrderedWriter, OrderedAnswers changes nothing: every
	// write commits on its own.
	db := sqlite(t)
	own := idemsql.New(db, idemsql.SQLite)
	if err := own.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := own.OrderedAnswers().Claim(ctx, "c", entry("t", 0)); err != nil {
		t.Fatal(err)
	}
	if prev, err := own.Claim(ctx, "c", entry("u", 0)); err != nil || prev == nil || prev.Token != "t" {
		t.Errorf("the claim through OrderedAnswers without an OrderedWriter: got %+v, %v; want it committed, token t", prev, err)
	}
}

// TestOrderedClaimIsNotCommitted: an ordered claim returns before its
// commit — another connection does not see it — and the writer's next
// durable write commits it.
func TestOrderedClaimIsNotCommitted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "idem.db")
	w := openWriter(t, path)
	s := idemsql.New(w.db, idemsql.SQLite, idemsql.OrderedWriter(w.run))
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	count := func() int {
		var n int
		if err := other.QueryRow(`SELECT count(*) FROM ` + idemsql.Table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := s.Claim(ctx, "k", &roux.IdempotencyEntry{Fingerprint: "f", Token: "t", Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Errorf("%d entries committed after an ordered claim, want 0", n)
	}
	if err := w.run(ctx, true, func(idemsql.Conn) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("%d entries committed after the next durable write, want 1", n)
	}
}

// effectOut is the answer of the effect operation.
type effectOut struct {
	Body struct {
		ID int64 `json:"id"`
	}
}

// service is one run of a service on the SQLite file of a test: its
// writer, and its API in a loopback server.
type service struct {
	w   *oneWriter
	url string
	// gate, when set, holds the handler after its claim until closed.
	gate chan struct{}
}

// startService starts a service on the file at path. Its operation
// POST /effects records its key with its effect, through the writer,
// and answers with the effect that its key recorded if there is one;
// {"refuse":true} gets 422 and records nothing.
func startService(t *testing.T, path string, orderedAnswers bool, gate chan struct{}) *service {
	t.Helper()
	svc := &service{w: openWriter(t, path), gate: gate}
	store := idemsql.New(svc.w.db, idemsql.SQLite, idemsql.OrderedWriter(svc.w.run))
	if orderedAnswers {
		store = store.OrderedAnswers()
	}
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
	roux.Post(api, "/effects", func(ctx context.Context, in *struct {
		Body struct {
			Refuse bool `json:"refuse,omitempty"`
		}
	}) (*effectOut, error) {
		if svc.gate != nil {
			<-svc.gate
		}
		if in.Body.Refuse {
			return nil, roux.Errorf(http.StatusUnprocessableEntity, "refused")
		}
		key, _ := roux.IdempotencyKeyFrom(ctx)
		out := &effectOut{}
		err := svc.w.run(ctx, true, func(c idemsql.Conn) error {
			err := c.QueryRowContext(ctx, `SELECT id FROM effects WHERE idem_key = $1`, key).Scan(&out.Body.ID)
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			return c.QueryRowContext(ctx, `INSERT INTO effects (idem_key) VALUES ($1) RETURNING id`, key).Scan(&out.Body.ID)
		})
		return out, err
	}, roux.Status(http.StatusCreated), roux.Idempotent(store, 300*time.Millisecond),
		roux.Response(http.StatusUnprocessableEntity, "Refused", nil))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	svc.url = srv.URL
	return svc
}

// answer is what a request got.
type answer struct {
	Status   int
	Replayed bool
	ID       int64
}

// send posts body with key to the service.
func (svc *service) send(t *testing.T, key, body string) answer {
	t.Helper()
	status, h, b := postKeyed(t, svc.url+"/effects", key, body)
	a := answer{Status: status, Replayed: h.Get(roux.IdempotentReplayedHeader) == "true"}
	if status == http.StatusCreated {
		var out struct{ ID int64 }
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		a.ID = out.ID
	}
	return a
}

// postKeyed posts the JSON body to url with the Idempotency-Key key, and
// returns the answer's status, header and body.
func postKeyed(t *testing.T, url, key, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(roux.IdempotencyKeyHeader, key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

// retry sends body with key until the answer is not a 409 (the claim of
// a request lost in a crash lapses after its lease), and returns the
// answers, 409s included.
func (svc *service) retry(t *testing.T, key, body string) []answer {
	t.Helper()
	var got []answer
	deadline := time.Now().Add(10 * time.Second)
	for {
		a := svc.send(t, key, body)
		got = append(got, a)
		if a.Status != http.StatusConflict || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// effects counts the effects recorded in the file at path.
func effects(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM effects`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOrderedCrash kills a service (its writer loses what it has not
// committed, as kill -9 loses SQLite's open transaction) at each point
// of an idempotent request, restarts it on the same file and retries the
// request: the effect happens once, and the retry's answers are those
// the request's first answer allows.
func TestOrderedCrash(t *testing.T) {
	t.Parallel()
	conflict := answer{Status: http.StatusConflict}
	for _, tt := range []struct {
		name           string
		orderedAnswers bool
		body           string
		crashInHandler bool     // crash while the handler waits, after its claim
		first          answer   // the answer before the crash, when there is one
		retries        []answer // the answers of the retries, 409s while a claim lives
		effects        int
	}{
		// The answer is committed before it is sent: the retry replays it.
		{"success, answer committed", false, `{}`, false, answer{201, false, 1}, []answer{{201, true, 1}}, 1},
		// The answer was sent, then lost with the crash; the claim and
		// the effect were committed by the handler's write: 409 while
		// the claim lives, then the handler finds its effect.
		{"success, OrderedAnswers", true, `{}`, false, answer{201, false, 1}, []answer{conflict, {201, false, 1}}, 1},
		// A refusal records nothing: its answer is committed all the same.
		{"refusal, OrderedAnswers", true, `{"refuse":true}`, false, answer{422, false, 0}, []answer{{422, true, 0}}, 0},
		// The claim was never committed: the retry finds the key free at
		// once and runs the request, which the crash had ended.
		{"crash in the handler", true, `{}`, true, answer{}, []answer{{201, false, 1}}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "idem.db")
			var gate chan struct{}
			if tt.crashInHandler {
				gate = make(chan struct{})
			}
			svc := startService(t, path, tt.orderedAnswers, gate)
			key := `"` + tt.name + `"`
			if tt.crashInHandler {
				got := make(chan answer, 1)
				go func() { got <- svc.send(t, key, tt.body) }()
				waitClaimed(t, svc.w)
				svc.w.crash()
				close(gate) // the dead service's handler fails to write
				if a := <-got; a.Status != http.StatusInternalServerError {
					t.Errorf("the dead service answered %+v, want 500", a)
				}
			} else {
				if a := svc.send(t, key, tt.body); a != tt.first {
					t.Fatalf("first answer %+v, want %+v", a, tt.first)
				}
				svc.w.crash()
			}
			restarted := startService(t, path, tt.orderedAnswers, nil)
			got := restarted.retry(t, key, tt.body)
			// Any number of 409s while the lost request's claim lives.
			want := tt.retries
			if len(want) == 2 && want[0] == conflict {
				want = append(slices.Repeat([]answer{conflict}, len(got)-1), want[1])
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("retries (-want +got):\n%s", diff)
			}
			if n := effects(t, path); n != tt.effects {
				t.Errorf("%d effects, want %d", n, tt.effects)
			}
		})
	}
}

// waitClaimed waits until the writer has run a claim (the handler then
// waits at its gate).
func waitClaimed(t *testing.T, w *oneWriter) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		w.mu.Lock()
		n := len(w.asked)
		w.mu.Unlock()
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no claim within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
