package roux_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

// statusWriter records the status an operation answered with; Unwrap
// keeps http.NewResponseController working through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type idInput struct {
	ID int `path:"id" minimum:"1"`
}

type idOutput struct {
	ID int `json:"id"`
}

func echoID(ctx context.Context, in *idInput) (*idOutput, error) { return &idOutput{in.ID}, nil }

func TestWrapOperations(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{})
	mark := func(name string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("X-Through", name+":"+r.PathValue("id"))
				next.ServeHTTP(w, r)
			})
		}
	}
	g := api.Group("/v1", roux.Tags("v1"))
	roux.Get(g, "/before/{id}", echoID, roux.Tags("early"), roux.CPUBound(), roux.Middleware(mark("op")))

	var mu sync.Mutex
	var infos []roux.OperationInfo
	statuses := map[string][]int{}
	wrapper := func(name string) func(roux.OperationInfo, http.Handler) http.Handler {
		return func(op roux.OperationInfo, next http.Handler) http.Handler {
			if name == "outer" {
				mu.Lock()
				infos = append(infos, op)
				mu.Unlock()
			}
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("X-Through", name+":"+r.PathValue("id"))
				sw := &statusWriter{ResponseWriter: w}
				next.ServeHTTP(sw, r)
				if name == "outer" {
					mu.Lock()
					statuses[op.ID] = append(statuses[op.ID], sw.status)
					mu.Unlock()
				}
			})
		}
	}
	api.WrapOperations(wrapper("inner"))
	api.WrapOperations(wrapper("outer"))
	roux.Get(api, "/after/{id}", echoID, roux.OperationID("after"))
	c := rouxtest.New(t, api)

	for _, tt := range []struct {
		name, target string
		status       int
		through      []string
	}{
		{"registered before", "/v1/before/7", http.StatusOK, []string{"outer:7", "inner:7", "op:7"}},
		{"registered after", "/after/8", http.StatusOK, []string{"outer:8", "inner:8"}},
		{"invalid input", "/after/0", http.StatusUnprocessableEntity, []string{"outer:0", "inner:0"}},
		{"unknown route", "/nowhere", http.StatusNotFound, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Get(tt.target)
			if r.Status != tt.status {
				t.Errorf("got status %d, want %d", r.Status, tt.status)
			}
			if diff := cmp.Diff(tt.through, r.Header.Values("X-Through")); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
	if got := rouxtest.JSON[idOutput](c.Get("/v1/before/9"), http.StatusOK); got.ID != 9 {
		t.Errorf("got id %d, want 9", got.ID)
	}

	mu.Lock()
	defer mu.Unlock()
	want := []roux.OperationInfo{
		{ID: "get-v1-before-id", Method: "GET", Pattern: "/v1/before/{id}", Tags: []string{"v1", "early"}, CPUBound: true},
		{ID: "after", Method: "GET", Pattern: "/after/{id}"},
	}
	if diff := cmp.Diff(want, infos); diff != "" {
		t.Errorf("operation infos (-want +got):\n%s", diff)
	}
	wantStatus := map[string][]int{"get-v1-before-id": {200, 200}, "after": {200, 422}}
	if diff := cmp.Diff(wantStatus, statuses); diff != "" {
		t.Errorf("statuses seen by the wrapper (-want +got):\n%s", diff)
	}
}

// tickBody writes a line, flushes, and writes the next only once the
// client has read the first: it hangs unless the flush goes through every
// writer wrapped around it.
type tickBody struct{ read chan struct{} }

func (b tickBody) WriteResponse(rc *roux.ResponseContext) error {
	rc.W.Header().Set("Content-Type", "text/plain")
	rc.W.WriteHeader(rc.Status)
	io.WriteString(rc.W, "one\n")
	if err := http.NewResponseController(rc.W).Flush(); err != nil {
		return err
	}
	select {
	case <-b.read:
	case <-time.After(5 * time.Second):
		io.WriteString(rc.W, "timeout\n")
		return nil
	}
	_, err := io.WriteString(rc.W, "two\n")
	return err
}

func TestWrapOperationsStreams(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{})
	read := make(chan struct{})
	roux.Get(api, "/ticks", func(ctx context.Context, in *struct{}) (*struct{ Body tickBody }, error) {
		return &struct{ Body tickBody }{tickBody{read}}, nil
	})
	api.WrapOperations(func(op roux.OperationInfo, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(&statusWriter{ResponseWriter: w}, r)
		})
	})
	rouxtest.New(t, api)
	srv := httptest.NewServer(api)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/ticks", nil)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	first, err := br.ReadString('\n')
	if err != nil || first != "one\n" {
		t.Fatalf("got first line %q, %v; want \"one\\n\"", first, err)
	}
	close(read)
	rest, err := io.ReadAll(br)
	if err != nil || strings.TrimSpace(string(rest)) != "two" {
		t.Errorf("got the rest %q, %v; want \"two\\n\"", rest, err)
	}
}

// WrapOperations wraps every operation knowing which one it is: here a
// header names the operation and its route pattern, not the raw path.
func ExampleAPI_WrapOperations() {
	api := roux.New(roux.Config{})
	roux.Get(api, "/dishes/{id}", echoID)
	api.WrapOperations(func(op roux.OperationInfo, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Operation", op.ID+" "+op.Pattern)
			next.ServeHTTP(w, r)
		})
	})

	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/dishes/42", nil))
	fmt.Println(rec.Code, rec.Header().Get("X-Operation"), rec.Body.String())
	// Output:
	// 200 get-dishes-id /dishes/{id} {"id":42}
}
