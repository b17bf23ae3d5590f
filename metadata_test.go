package roux_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/rouxtest"
)

// MetaDish is the body of the metadata test API.
type MetaDish struct {
	Name  string   `json:"name" minLength:"1" maxLength:"20"`
	Price int      `json:"price" minimum:"1"`
	Tags  []string `json:"tags,omitempty" maxItems:"2"`
}

// MetaFilter is the input of the metadata test API's list.
type MetaFilter struct {
	Tags  []string `query:"tag" maxItems:"2" example:"vegan" doc:"Only dishes with these tags"`
	Limit int      `query:"limit" minimum:"1" maximum:"50" default:"10" doc:"Dishes per page"`
	Key   string   `header:"X-Key" doc:"A header"`
}

// metadataAPI has every piece of metadata roux publishes: the document's
// (Config) and the operations' (Public, ExternalDocs, named examples),
// with a secured operation beside public ones.
func metadataAPI() *roux.API {
	api := roux.New(roux.Config{
		Title: "Metadata", Version: "1.0.0", Description: "Every piece of metadata.",
		TermsOfService: "https://docs.test/terms",
		Contact:        &openapi.Contact{Name: "Kitchen team", URL: "https://docs.test/team", Email: "team@docs.test"},
		License:        &openapi.License{Name: "Apache 2.0", Identifier: "Apache-2.0"},
		Servers:        []openapi.Server{{URL: "/", Description: "This server"}, {URL: "https://api.docs.test/v1", Description: "Production"}},
		ExternalDocs:   &openapi.ExternalDocs{URL: "https://docs.test/guide", Description: "The guide"},
		Tags: []openapi.Tag{
			{Name: "staff", Description: "For the staff."},
			{Name: "menu", Description: "The dishes.", ExternalDocs: &openapi.ExternalDocs{URL: "https://docs.test/menu"}},
		},
		SchemeDescriptions: map[string]string{"staffKey": "The staff's key.", "unused": "No scheme has this name."},
	})
	staff := roux.APIKeyAuth("staffKey", roux.InHeader, "X-Staff-Key", func(ctx context.Context, key string) (string, error) {
		if roux.SecretEqual(key, "k") {
			return "staff", nil
		}
		return "", roux.ErrUnauthorized
	})
	menu := api.Group("/dishes", roux.Tags("menu"))
	roux.Get(menu, "", func(ctx context.Context, in *MetaFilter) (*[]MetaDish, error) {
		return &[]MetaDish{{Name: "Soup", Price: 5, Tags: in.Tags}}, nil
	}, roux.Summary("List dishes"), roux.Public(),
		roux.ParamExample("tag", "vegan", "Vegan dishes", []string{"vegan"}),
		roux.ParamExample("tag", "both", "Vegan starters", []string{"vegan", "starter"}),
		roux.ParamExample("limit", "few", "A short page", 3),
		roux.ParamExample("x-key", "lower", "Header names match in any case", "k"),
		roux.ResponseExample("one", "A page of one dish", []MetaDish{{Name: "Soup", Price: 5}}))
	roux.Post(menu, "", func(ctx context.Context, in *struct{ Body MetaDish }) (*MetaDish, error) {
		return &in.Body, nil
	}, roux.Summary("Add a dish"), roux.Tags("staff"), roux.Secure(staff), roux.Status(http.StatusCreated),
		roux.ExternalDocs("https://docs.test/menu/adding", "How to add a dish"),
		roux.RequestExample("soup", "A soup", MetaDish{Name: "Soup", Price: 5, Tags: []string{"vegan"}}),
		roux.RequestExample("json", "As JSON: any value that decodes", map[string]any{"name": "Salad", "price": 4}),
		roux.ResponseExample("soup", "The soup, added", &MetaDish{Name: "Soup", Price: 5, Tags: []string{"vegan"}}))
	api.Health("", "")
	roux.Get(api, "/about", func(ctx context.Context, in *struct{}) (*struct{}, error) { return &struct{}{}, nil },
		roux.Summary("No statement about security"), roux.Tags("about"))
	return api
}

func TestMetadataPublished(t *testing.T) {
	t.Parallel()
	doc := metadataAPI().OpenAPI()
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	list, add := doc.Paths["/dishes"].Get, doc.Paths["/dishes"].Post
	param := func(name string) *openapi.Parameter {
		for _, p := range list.Parameters {
			if p.Name == name {
				return p
			}
		}
		t.Fatalf("no parameter %s", name)
		return nil
	}
	for _, tt := range []struct {
		name      string
		got, want string
	}{
		{"info", js(doc.Info), `{"title":"Metadata","description":"Every piece of metadata.","termsOfService":"https://docs.test/terms",` +
			`"contact":{"name":"Kitchen team","url":"https://docs.test/team","email":"team@docs.test"},` +
			`"license":{"name":"Apache 2.0","identifier":"Apache-2.0"},"version":"1.0.0"}`},
		{"servers", js(doc.Servers), `[{"url":"/","description":"This server"},{"url":"https://api.docs.test/v1","description":"Production"}]`},
		{"external docs", js(doc.ExternalDocs), `{"description":"The guide","url":"https://docs.test/guide"}`},
		// Config's tags first, in its order, then the others in order of use.
		{"tags", js(doc.Tags), `[{"name":"staff","description":"For the staff."},` +
			`{"name":"menu","description":"The dishes.","externalDocs":{"url":"https://docs.test/menu"}},{"name":"health"},{"name":"about"}]`},
		{"scheme", js(doc.Components.SecuritySchemes), `{"staffKey":{"type":"apiKey","description":"The staff's key.","name":"X-Staff-Key","in":"header"}}`},
		{"public operation", js(list.Security), `[]`},
		{"public probes", js(doc.Paths["/livez"].Get.Security) + js(doc.Paths["/readyz"].Get.Security), `[][]`},
		{"secured operation", js(add.Security), `[{"staffKey":[]}]`},
		{"operation without a statement", js(doc.Paths["/about"].Get.Security), `null`},
		{"operation docs", js(add.ExternalDocs), `{"description":"How to add a dish","url":"https://docs.test/menu/adding"}`},
		{"request examples", js(add.RequestBody.Content["application/json"].Examples),
			`{"json":{"summary":"As JSON: any value that decodes","value":{"name":"Salad","price":4}},` +
				`"soup":{"summary":"A soup","value":{"name":"Soup","price":5,"tags":["vegan"]}}}`},
		{"response example", js(add.Responses["201"].Content["application/json"].Examples),
			`{"soup":{"summary":"The soup, added","value":{"name":"Soup","price":5,"tags":["vegan"]}}}`},
		{"response example of a slice", js(list.Responses["200"].Content["application/json"].Examples),
			`{"one":{"summary":"A page of one dish","value":[{"name":"Soup","price":5}]}}`},
		// Named examples replace the tag's example in the parameter.
		{"query examples", js(param("tag")), `{"name":"tag","in":"query","description":"Only dishes with these tags","allowEmptyValue":true,` +
			`"style":"form","explode":true,"schema":{"type":"array","examples":[["vegan"]],"items":{"type":"string"},"maxItems":2},` +
			`"examples":{"both":{"summary":"Vegan starters","value":["vegan","starter"]},"vegan":{"summary":"Vegan dishes","value":["vegan"]}}}`},
		{"integer example", js(param("limit").Examples), `{"few":{"summary":"A short page","value":3}}`},
		{"header example", js(param("X-Key").Examples), `{"lower":{"summary":"Header names match in any case","value":"k"}}`},
	} {
		if diff := cmp.Diff(tt.want, tt.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestMetadataDowngraded checks the metadata in the served 3.0 document.
func TestMetadataDowngraded(t *testing.T) {
	t.Parallel()
	c := rouxtest.New(t, metadataAPI())
	res := c.Get("/openapi-3.0.json")
	if res.Status != http.StatusOK {
		t.Fatalf("got %s", res)
	}
	var doc struct {
		Info struct {
			License map[string]string
		}
		Servers []openapi.Server
		Paths   map[string]map[string]struct {
			Security     []map[string][]string
			ExternalDocs *openapi.ExternalDocs
			Parameters   []struct {
				Name     string
				Example  any
				Examples map[string]openapi.Example
			}
			RequestBody struct {
				Content map[string]struct{ Examples map[string]openapi.Example }
			}
		}
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatal(err)
	}
	list, add := doc.Paths["/dishes"]["get"], doc.Paths["/dishes"]["post"]
	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"licence", doc.Info.License, map[string]string{"name": "Apache 2.0", "url": "https://spdx.org/licenses/Apache-2.0.html"}},
		{"servers", len(doc.Servers), 2},
		{"public", list.Security, []map[string][]string{}},
		{"secured", add.Security, []map[string][]string{{"staffKey": {}}}},
		{"operation docs", add.ExternalDocs, &openapi.ExternalDocs{URL: "https://docs.test/menu/adding", Description: "How to add a dish"}},
		{"parameter example", list.Parameters[0].Examples["vegan"], openapi.Example{Summary: "Vegan dishes", Value: []any{"vegan"}}},
		{"no single example beside named ones", list.Parameters[0].Example, nil},
		{"body example", add.RequestBody.Content["application/json"].Examples["json"],
			openapi.Example{Summary: "As JSON: any value that decodes", Value: map[string]any{"name": "Salad", "price": float64(4)}}},
	} {
		if diff := cmp.Diff(tt.want, tt.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestMetadataCopied checks that the document does not share the
// caller's Config values: changing them after New changes nothing.
func TestMetadataCopied(t *testing.T) {
	t.Parallel()
	servers := []openapi.Server{{URL: "/"}}
	tags := []openapi.Tag{{Name: "a", ExternalDocs: &openapi.ExternalDocs{URL: "https://docs.test/a"}}}
	contact := &openapi.Contact{Name: "c"}
	descs := map[string]string{"s": "d"}
	api := roux.New(roux.Config{Servers: servers, Tags: tags, Contact: contact, SchemeDescriptions: descs})
	servers[0].URL, tags[0].Name, tags[0].ExternalDocs.URL, contact.Name, descs["s"] = "/x", "b", "https://docs.test/b", "x", "x"
	doc := api.OpenAPI()
	doc.Servers[0].URL, doc.Info.Contact.Name = "/y", "y" // the returned document is the caller's to change
	doc = api.OpenAPI()
	got := []string{doc.Servers[0].URL, doc.Tags[0].Name, doc.Tags[0].ExternalDocs.URL, doc.Info.Contact.Name}
	if diff := cmp.Diff([]string{"/", "a", "https://docs.test/a", "c"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMetadataConfigErrors(t *testing.T) {
	t.Parallel()
	docs := func(u string) *openapi.ExternalDocs { return &openapi.ExternalDocs{URL: u} }
	for _, tt := range []struct {
		name string
		cfg  roux.Config
		want string
	}{
		{"licence without name", roux.Config{License: &openapi.License{Identifier: "MIT"}}, "Config.License: Name is required"},
		{"licence with both", roux.Config{License: &openapi.License{Name: "MIT", Identifier: "MIT", URL: "https://docs.test/l"}}, "not both"},
		{"licence URL", roux.Config{License: &openapi.License{Name: "MIT", URL: "https://docs.test/%zz"}}, "Config.License: URL:"},
		{"contact email", roux.Config{Contact: &openapi.Contact{Email: "Ann <ann@docs.test>"}}, "Config.Contact: Email"},
		{"contact not email", roux.Config{Contact: &openapi.Contact{Email: "ann"}}, "is not an email address"},
		{"contact URL", roux.Config{Contact: &openapi.Contact{URL: "://"}}, "Config.Contact: URL:"},
		{"terms", roux.Config{TermsOfService: "%"}, "Config.TermsOfService:"},
		{"server without URL", roux.Config{Servers: []openapi.Server{{Description: "d"}}}, `Config.Servers: server 0 has no URL`},
		{"server URL", roux.Config{Servers: []openapi.Server{{URL: "http://{host}/v1"}}}, "Config.Servers:"},
		{"docs without URL", roux.Config{ExternalDocs: &openapi.ExternalDocs{Description: "d"}}, "Config.ExternalDocs: URL is required"},
		{"tag without name", roux.Config{Tags: []openapi.Tag{{Description: "d"}}}, "Config.Tags: tag 0 has no name"},
		{"tag twice", roux.Config{Tags: []openapi.Tag{{Name: "a"}, {Name: "a"}}}, `Config.Tags: tag "a" is listed twice`},
		{"tag docs", roux.Config{Tags: []openapi.Tag{{Name: "a", ExternalDocs: docs("")}}}, `Config.Tags: tag "a": ExternalDocs: URL is required`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				err, _ := recover().(error)
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "roux: ") {
					t.Errorf("got panic %v, want an error containing %q", err, tt.want)
				}
			}()
			roux.New(tt.cfg)
		})
	}
}

func TestOptionErrors(t *testing.T) {
	t.Parallel()
	staff := roux.APIKeyAuth("staffKey", roux.InHeader, "X-Staff-Key", func(ctx context.Context, key string) (string, error) { return key, nil })
	type body struct{ Body MetaDish }
	post := func(opts ...roux.Option) func(*roux.API) {
		return func(api *roux.API) {
			roux.Post(api, "/dishes", func(ctx context.Context, in *body) (*MetaDish, error) { return &in.Body, nil }, opts...)
		}
	}
	list := func(opts ...roux.Option) func(*roux.API) {
		return func(api *roux.API) {
			roux.Get(api, "/dishes", func(ctx context.Context, in *MetaFilter) (*[]MetaDish, error) { return &[]MetaDish{}, nil }, opts...)
		}
	}
	soup := MetaDish{Name: "Soup", Price: 5}
	for _, tt := range []struct {
		name     string
		register func(*roux.API)
		want     string
	}{
		{"public and secured", post(roux.Public(), roux.Secure(staff)), "option Public: the operation is secured by staffKey"},
		{"public group, secured operation", func(api *roux.API) {
			g := api.Group("", roux.Public())
			roux.Post(g, "/dishes", func(ctx context.Context, in *body) (*MetaDish, error) { return &in.Body, nil }, roux.Secure(staff))
		}, "an operation is public or secured, not both"},
		{"docs without URL", post(roux.ExternalDocs("", "d")), "option ExternalDocs: URL is required"},
		{"docs with a bad URL", post(roux.ExternalDocs("%", "d")), "option ExternalDocs:"},
		{"example without name", post(roux.RequestExample("", "s", soup)), `option RequestExample(""): an example needs a name`},
		{"example twice", post(roux.RequestExample("a", "s", soup), roux.RequestExample("a", "t", soup)), `option RequestExample("a"): the name is given twice`},
		{"body example without body", list(roux.RequestExample("a", "s", soup)), "the operation has no JSON request body"},
		{"body example failing a keyword", post(roux.RequestExample("a", "s", MetaDish{Name: "Soup"})),
			`option RequestExample("a"): the example {"name":"Soup","price":0} fails its minimum keyword at /price`},
		{"body example with two failures", post(roux.RequestExample("a", "s", MetaDish{Price: 0, Tags: []string{"a", "b", "c"}})), "(and 2 more)"},
		{"body example with an unknown member", post(roux.RequestExample("a", "s", map[string]any{"name": "Soup", "price": 5, "spicy": true})),
			"at /spicy"},
		{"body example missing a member", post(roux.RequestExample("a", "s", map[string]any{"name": "Soup"})), "fails its required keyword"},
		{"body example of another type", post(roux.RequestExample("a", "s", []int{1})), `option RequestExample("a")`},
		{"body example not JSON", post(roux.RequestExample("a", "s", func() {})), "cannot be encoded as JSON"},
		{"response example of another type", post(roux.ResponseExample("a", "s", map[string]any{"name": "Soup"})),
			"give a roux_test.MetaDish, the response body's type"},
		{"response example nil", post(roux.ResponseExample("a", "s", nil)), "the example is a <nil>"},
		{"response example failing a keyword", post(roux.ResponseExample("a", "s", MetaDish{Name: "", Price: 1})), "fails its minLength keyword at /name"},
		{"response example without body", func(api *roux.API) {
			roux.Delete(api, "/dishes/{id}", func(ctx context.Context, in *struct {
				ID int `path:"id"`
			}) (*struct{}, error) {
				return &struct{}{}, nil
			}, roux.ResponseExample("a", "s", struct{}{}))
		}, "the operation's response has no JSON body"},
		{"param example of no param", list(roux.ParamExample("tags", "a", "s", "x")), `option ParamExample("tags", "a"): the operation has no parameter "tags"`},
		{"param example of the wrong type", list(roux.ParamExample("limit", "a", "s", "ten")), `the example "ten" does not fit the parameter's type int`},
		{"param example failing a keyword", list(roux.ParamExample("limit", "a", "s", 99)), "the example 99 fails its maximum keyword"},
		{"param example with too many items", list(roux.ParamExample("tag", "a", "s", []string{"a", "b", "c"})), "fails its maxItems keyword"},
		{"param example of a security header", post(roux.Secure(staff), roux.ParamExample("X-Staff-Key", "a", "s", "k")), `no parameter "X-Staff-Key"`},
		{"param examples twice", list(roux.ParamExample("limit", "a", "s", 1), roux.ParamExample("Limit", "a", "s", 2)), "the name is given twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				var re *roux.RegistrationError
				err, _ := recover().(error)
				if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got panic %v, want a *RegistrationError containing %q", err, tt.want)
				}
			}()
			tt.register(roux.New(roux.Config{}))
		})
	}
}

// TestOptionsInDeclarations checks that the documentation options are
// declaration options: NewOperation takes them, and Handle publishes
// them.
func TestOptionsInDeclarations(t *testing.T) {
	t.Parallel()
	type in struct{ Body MetaDish }
	decl := roux.NewOperation[in, MetaDish]("POST", "/dishes", roux.Public(),
		roux.ExternalDocs("https://docs.test/d", ""), roux.RequestExample("a", "s", MetaDish{Name: "A", Price: 1}))
	api := roux.New(roux.Config{})
	roux.Handle(api, decl, func(ctx context.Context, in *in) (*MetaDish, error) { return &in.Body, nil })
	op := api.OpenAPI().Paths["/dishes"].Post
	if op.Security == nil || len(op.Security) != 0 || op.ExternalDocs == nil || len(op.RequestBody.Content["application/json"].Examples) != 1 {
		t.Errorf("got security %v, docs %v, examples %v; want [], the docs and one example", op.Security, op.ExternalDocs, op.RequestBody.Content["application/json"].Examples)
	}
	if res := rouxtest.New(t, api).Post("/dishes", MetaDish{Name: "A", Price: 1}); res.Status != http.StatusOK {
		t.Errorf("got %s", res)
	}
}

// TestWebhookMetadata checks the documentation options on a webhook:
// ExternalDocs is published, and the options that describe a served
// operation are refused.
func TestWebhookMetadata(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{})
	api.Webhook(roux.NewWebhook[hookOrderReady]("docs", roux.ExternalDocs("https://docs.test/hooks", "Receiving webhooks")))
	if got := api.OpenAPI().Webhooks["docs"].Post.ExternalDocs; got == nil || got.URL != "https://docs.test/hooks" {
		t.Errorf("got external docs %v, want https://docs.test/hooks", got)
	}
	for _, tt := range []struct {
		name string
		opt  roux.Option
		want string
	}{
		{"public", roux.Public(), "describe a served operation"},
		{"request example", roux.RequestExample("a", "s", hookOrderReady{}), "describe a served operation"},
		{"param example", roux.ParamExample("p", "a", "s", 1), "describe a served operation"},
		{"docs without URL", roux.ExternalDocs("", "d"), "option ExternalDocs: URL is required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if re := registrationError(t, func() { roux.NewWebhook[hookOrderReady]("x", tt.opt) }); !strings.Contains(re.Error(), tt.want) {
				t.Errorf("got %v, want a registration error saying %q", re, tt.want)
			}
		})
	}
}

// TestUnusedSchemeDescriptionWarned: a name of Config.SchemeDescriptions
// that no scheme has (a misspelling, most likely) is logged by Start, and
// a name that a scheme has is not.
func TestUnusedSchemeDescriptionWarned(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	api := roux.New(roux.Config{
		Logger:             slog.New(slog.NewTextHandler(&log, nil)),
		SchemeDescriptions: map[string]string{"staffKey": "The staff's key.", "stafKey": "A misspelt name."},
	})
	staff := roux.APIKeyAuth("staffKey", roux.InHeader, "X-Staff-Key", func(ctx context.Context, key string) (string, error) {
		return "staff", nil
	})
	roux.Get(api, "/who", func(ctx context.Context, in *struct{}) (*string, error) { s := "staff"; return &s, nil }, roux.Secure(staff))
	if err := api.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := log.String()
	if !strings.Contains(got, "level=WARN") || !strings.Contains(got, "scheme=stafKey") {
		t.Errorf("log %q: want a warning naming stafKey", got)
	}
	if strings.Contains(got, "scheme=staffKey") {
		t.Errorf("log %q: warns about staffKey, which a scheme has", got)
	}
}
