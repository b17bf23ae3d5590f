package roux_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

type User struct {
	Name  string
	Admin bool
}

type Tx struct{ id int }

// depsAPI builds an API where operations depend on a user (from a bearer
// token header), a tenant (from a query parameter) and a transaction with
// a cleanup; events records what ran, in order.
func depsAPI(events *[]string, mu *sync.Mutex) (*roux.API, *roux.Dep[User], *roux.Dep[Tx]) {
	record := func(e string) {
		mu.Lock()
		defer mu.Unlock()
		*events = append(*events, e)
	}
	token := roux.Depends(func(ctx context.Context, in *struct {
		Auth string `header:"Authorization" required:"true" pattern:"^Bearer "`
	}) (string, error) {
		record("token")
		return strings.TrimPrefix(in.Auth, "Bearer "), nil
	})
	user := roux.Depends(func(ctx context.Context, in *struct {
		Token string `dep:""`
	}) (User, error) {
		record("user")
		switch in.Token {
		case "ann":
			return User{Name: "ann", Admin: true}, nil
		case "bob":
			return User{Name: "bob"}, nil
		}
		return User{}, roux.NewError(http.StatusUnauthorized, "unknown token").WithHeader("WWW-Authenticate", "Bearer")
	})
	tx := roux.DependsCleanup(func(ctx context.Context, in *struct {
		Tenant string `query:"tenant" minLength:"2" default:"main"`
	}) (Tx, func(), error) {
		record("tx:" + in.Tenant)
		return Tx{id: 7}, func() { record("tx closed") }, nil
	})
	admin := roux.Depends(func(ctx context.Context, in *struct {
		User User `dep:""`
	}) (struct{}, error) {
		record("admin check")
		if !in.User.Admin {
			return struct{}{}, roux.NewError(http.StatusForbidden, "admins only")
		}
		return struct{}{}, nil
	})

	api := quietAPI()
	api.Provide(token, user)
	roux.RegisterWith(api, "GET", "/me", func(ctx context.Context, in *struct{}, s *struct {
		User User `dep:""`
		Tx   Tx   `dep:""`
	}) (*string, error) {
		record("handler")
		name := s.User.Name
		return &name, nil
	}, roux.Provide(tx), roux.Response(http.StatusUnauthorized, "Unknown token", nil))
	g := api.Group("/admin", roux.Requires(admin), roux.Response(http.StatusUnauthorized, "Unknown token", nil),
		roux.Response(http.StatusForbidden, "Not an admin", nil))
	roux.Delete(g, "/cache", func(ctx context.Context, in *struct{}) (*struct{}, error) {
		record("handler")
		return &struct{}{}, nil
	})
	return api, user, tx
}

func TestDependencies(t *testing.T) {
	t.Parallel()
	var events []string
	var mu sync.Mutex
	api, _, _ := depsAPI(&events, &mu)
	c := rouxtest.New(t, api)
	take := func() []string {
		mu.Lock()
		defer mu.Unlock()
		e := events
		events = nil
		return e
	}

	if got := rouxtest.JSON[string](c.Get("/me?tenant=acme", "Authorization: Bearer ann"), 200); got != "ann" {
		t.Errorf("got %q", got)
	}
	if want := []string{"token", "user", "tx:acme", "handler", "tx closed"}; !slices.Equal(take(), want) {
		t.Errorf("order: got %v, want %v", events, want)
	}

	r := c.Get("/me", "Authorization: Bearer eve")
	rouxtest.Problem(r, http.StatusUnauthorized)
	if r.Header.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("got WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
	}
	if got, want := take(), []string{"token", "user"}; !slices.Equal(got, want) {
		t.Errorf("a failing provider stops the request: got %v, want %v", got, want)
	}

	p := rouxtest.Problem(c.Get("/me?tenant=x", "Authorization: Basic abc"), http.StatusUnprocessableEntity)
	var params []string
	for _, e := range p.Errors {
		params = append(params, e.In+":"+e.Parameter+":"+e.Code)
	}
	if want := []string{"header:Authorization:pattern", "query:tenant:minLength"}; !slices.Equal(params, want) {
		t.Errorf("binding failures of every dependency together: got %v, want %v", params, want)
	}
	if got := take(); len(got) != 0 {
		t.Errorf("providers ran although binding failed: %v", got)
	}

	rouxtest.Problem(c.Delete("/admin/cache", "Authorization: Bearer bob"), http.StatusForbidden)
	if got, want := take(), []string{"token", "user", "admin check"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if r := c.Delete("/admin/cache", "Authorization: Bearer ann"); r.Status != 204 {
		t.Errorf("got %s", r)
	}
}

func TestDependencyDocumentation(t *testing.T) {
	t.Parallel()
	var events []string
	var mu sync.Mutex
	api, _, _ := depsAPI(&events, &mu)
	doc := api.OpenAPI()
	var names []string
	for _, p := range doc.Paths["/me"].Get.Parameters {
		names = append(names, p.In+":"+p.Name)
	}
	if want := []string{"header:Authorization", "query:tenant"}; !slices.Equal(names, want) {
		t.Errorf("got %v, want %v", names, want)
	}
	if got := doc.Paths["/admin/cache"].Delete.Parameters; len(got) != 1 || got[0].Name != "Authorization" || !got[0].Required {
		t.Errorf("a required dependency's parameters are published: got %+v", got)
	}
}

func TestDependencyOverride(t *testing.T) {
	t.Parallel()
	var events []string
	var mu sync.Mutex
	api, user, _ := depsAPI(&events, &mu)
	roux.Override(api, user, func(ctx context.Context) (User, error) { return User{Name: "test"}, nil })
	c := rouxtest.New(t, api)
	if got := rouxtest.JSON[string](c.Get("/me"), 200); got != "test" {
		t.Errorf("got %q, want the override's user, with no Authorization needed", got)
	}
	mu.Lock()
	ran := slices.Clone(events)
	mu.Unlock()
	if slices.Contains(ran, "token") || slices.Contains(ran, "user") {
		t.Errorf("the overridden provider or its inputs ran: %v", ran)
	}
	roux.Override(api, user, nil)
	rouxtest.Problem(c.Get("/me"), http.StatusUnprocessableEntity) // the header is required again
}

func TestDependencyAtMostOncePerRequest(t *testing.T) {
	t.Parallel()
	var calls int
	var mu sync.Mutex
	counter := roux.Depends(func(ctx context.Context, in *struct{}) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return calls, nil
	})
	a := roux.Depends(func(ctx context.Context, in *struct {
		N int `dep:""`
	}) (string, error) {
		return "a", nil
	})
	b := roux.Depends(func(ctx context.Context, in *struct {
		N int `dep:""`
	}) (bool, error) {
		return true, nil
	})
	api := quietAPI()
	roux.RegisterWith(api, "GET", "/x", func(ctx context.Context, in *struct{}, s *struct {
		A string `dep:""`
		B bool   `dep:""`
		N int    `dep:""`
	}) (*int, error) {
		return &s.N, nil
	}, roux.Provide(counter, a, b))
	c := rouxtest.New(t, api)
	c.Get("/x")
	if got := rouxtest.JSON[int](c.Get("/x"), 200); got != 2 {
		t.Errorf("got %d calls after two requests, want 2 (one per request)", got)
	}
}

func TestDependencyRegistrationErrors(t *testing.T) {
	t.Parallel()
	type A struct{ v int }
	type B struct{ v int }
	var depA *roux.Dep[A]
	depB := roux.Depends(func(ctx context.Context, in *struct {
		A A `dep:""`
	}) (B, error) {
		return B{}, nil
	})
	depA = roux.Depends(func(ctx context.Context, in *struct {
		B B `dep:""`
	}) (A, error) {
		return A{}, nil
	})
	for _, tt := range []struct {
		name string
		reg  func(api *roux.API)
		want string
	}{
		{"missing provider", func(api *roux.API) {
			roux.RegisterWith(api, "GET", "/a", func(ctx context.Context, in *struct{}, s *struct {
				U User `dep:""`
			}) (*struct{}, error) {
				return nil, nil
			})
		}, "none is provided"},
		{"cycle", func(api *roux.API) {
			roux.RegisterWith(api, "GET", "/a", func(ctx context.Context, in *struct{}, s *struct {
				A A `dep:""`
			}) (*struct{}, error) {
				return nil, nil
			}, roux.Provide(depA, depB))
		}, "dependency cycle"},
		{"bad parameter in a provider", func(api *roux.API) {
			bad := roux.Depends(func(ctx context.Context, in *struct {
				N int `query:"n" minLength:"1"`
			}) (User, error) {
				return User{}, nil
			})
			roux.RegisterWith(api, "GET", "/a", func(ctx context.Context, in *struct{}, s *struct {
				U User `dep:""`
			}) (*struct{}, error) {
				return nil, nil
			}, roux.Provide(bad))
		}, "minLength applies to strings"},
		{"same parameter, different schemas", func(api *roux.API) {
			p1 := roux.Depends(func(ctx context.Context, in *struct {
				K string `header:"X-Key" required:"true"`
			}) (A, error) {
				return A{}, nil
			})
			p2 := roux.Depends(func(ctx context.Context, in *struct {
				K string `header:"X-Key" maxLength:"3"`
			}) (B, error) {
				return B{}, nil
			})
			roux.RegisterWith(api, "GET", "/a", func(ctx context.Context, in *struct{}, s *struct {
				A A `dep:""`
				B B `dep:""`
			}) (*struct{}, error) {
				return nil, nil
			}, roux.Provide(p1, p2))
		}, "read twice with different schemas"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			re := registrationError(t, func() { tt.reg(quietAPI()) })
			if !strings.Contains(re.Error(), tt.want) || !strings.Contains(re.Error(), "depend_test.go:") {
				t.Errorf("got %q, want it to contain %q and this file's name", re, tt.want)
			}
		})
	}
}

func TestDependencyCleanupRunsAfterFailure(t *testing.T) {
	t.Parallel()
	var closed bool
	var mu sync.Mutex
	tx := roux.DependsCleanup(func(ctx context.Context, in *struct{}) (Tx, func(), error) {
		return Tx{}, func() { mu.Lock(); closed = true; mu.Unlock() }, nil
	})
	api := quietAPI()
	roux.RegisterWith(api, "GET", "/x", func(ctx context.Context, in *struct{}, s *struct {
		Tx Tx `dep:""`
	}) (*struct{}, error) {
		return nil, errors.New("boom")
	}, roux.Provide(tx))
	rouxtest.Problem(rouxtest.New(t, api).Get("/x"), 500)
	mu.Lock()
	defer mu.Unlock()
	if !closed {
		t.Errorf("the cleanup did not run after the handler failed")
	}
}

// TestDependenciesOverLoopback runs the dependency chain behind a real
// server: the header the user dependency reads, the cleanup after the
// response, and a 401 with its challenge.
func TestDependenciesOverLoopback(t *testing.T) {
	t.Parallel()
	var events []string
	var mu sync.Mutex
	api, _, _ := depsAPI(&events, &mu)
	srv := httptest.NewServer(api)
	defer srv.Close()
	for _, tt := range []struct {
		token  string
		status int
		body   string
	}{{"ann", 200, `"ann"`}, {"eve", 401, ""}} {
		req, _ := http.NewRequest("GET", srv.URL+"/me?tenant=acme", nil)
		req.Header.Set("Authorization", "Bearer "+tt.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status || tt.body != "" && string(body) != tt.body {
			t.Errorf("token %s: got %d %s, want %d %s", tt.token, res.StatusCode, body, tt.status, tt.body)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(events, "tx closed") {
		t.Errorf("the cleanup did not run: %v", events)
	}
}

func TestDependencyPanic(t *testing.T) {
	t.Parallel()
	var logs syncBuf
	api := roux.New(roux.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	boom := roux.Depends(func(ctx context.Context, in *struct{}) (int, error) { panic("provider exploded") })
	roux.RegisterWith(api, "GET", "/boom", func(ctx context.Context, in *struct{}, s *struct {
		N int `dep:""`
	}) (*int, error) {
		return &s.N, nil
	}, roux.Provide(boom))
	roux.Get(api, "/fine", func(ctx context.Context, in *struct{}) (*string, error) { s := "fine"; return &s, nil })
	c := rouxtest.New(t, api)
	r := c.Get("/boom")
	rouxtest.Problem(r, http.StatusInternalServerError)
	if strings.Contains(string(r.Body), "exploded") {
		t.Errorf("the panic value reached the client: %s", r.Body)
	}
	if !strings.Contains(logs.String(), "provider exploded") || !strings.Contains(logs.String(), "stack=") {
		t.Errorf("the panic was not logged with its stack:\n%s", logs.String())
	}
	if got := rouxtest.JSON[string](c.Get("/fine"), 200); got != "fine" {
		t.Errorf("serving did not go on: %q", got)
	}
}

// TestDependencyResponses: a response a dependency declares
// (Dep.Response) is published on every operation that uses it, directly,
// through another dependency or by Requires, and on no other; an
// operation's own Response option describes it; and a response the
// dependency sends passes the response check (CheckResponses).
func TestDependencyResponses(t *testing.T) {
	t.Parallel()
	type retry struct {
		RetryAfter string `header:"Retry-After"`
	}
	var down atomic.Bool
	db := roux.Depends(func(ctx context.Context, in *struct{}) (Tx, error) {
		if down.Load() {
			return Tx{}, roux.NewError(http.StatusServiceUnavailable, "the database is down").WithHeader("Retry-After", "3")
		}
		return Tx{id: 1}, nil
	}).Response(http.StatusServiceUnavailable, "The database is down", retry{})
	user := roux.Depends(func(ctx context.Context, in *struct {
		Tx Tx `dep:""`
	}) (User, error) {
		return User{Name: "ann"}, nil
	})
	api := roux.New(roux.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), CheckResponses: true})
	api.Provide(db, user)
	ok := func(ctx context.Context, in *struct{}) (*string, error) { s := "ok"; return &s, nil }
	roux.RegisterWith(api, "GET", "/direct", func(ctx context.Context, in *struct{}, s *struct {
		Tx Tx `dep:""`
	}) (*string, error) {
		return ok(ctx, in)
	})
	roux.RegisterWith(api, "GET", "/through", func(ctx context.Context, in *struct{}, s *struct {
		User User `dep:""`
	}) (*string, error) {
		return ok(ctx, in)
	}, roux.Response(http.StatusServiceUnavailable, "Described by the operation", nil))
	roux.Get(api, "/required", ok, roux.Requires(db))
	roux.Get(api, "/free", ok)

	doc := api.OpenAPI()
	for path, want := range map[string]string{"/direct": "The database is down", "/through": "Described by the operation", "/required": "The database is down", "/free": ""} {
		r := doc.Paths[path].Get.Responses["503"]
		switch {
		case want == "" && r != nil:
			t.Errorf("%s publishes a 503 (%q), but uses no dependency that declares one", path, r.Description)
		case want == "":
		case r == nil:
			t.Errorf("%s: no 503 published; want the dependency's", path)
		case r.Description != want:
			t.Errorf("%s: 503 described as %q, want %q", path, r.Description, want)
		case r.Headers["Retry-After"] == nil || r.Content["application/problem+json"] == nil:
			t.Errorf("%s: 503 without the Retry-After header or the problem body: %+v", path, r)
		}
	}

	c := rouxtest.New(t, api)
	down.Store(true)
	for _, path := range []string{"/direct", "/through", "/required"} {
		res := c.Get(path)
		if res.Status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "3" {
			t.Errorf("GET %s with the database down: %s (Retry-After %q), want the dependency's 503", path, res, res.Header.Get("Retry-After"))
		}
	}
}
