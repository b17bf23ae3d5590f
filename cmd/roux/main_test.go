package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestLint(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		file string
		code int
		want []string // stdout lines, without the file name prefix
	}{
		{"clean", "clean.json", 0, nil},
		{"findings", "findings.json", 1, []string{
			"GET /items: operation has no summary [summary]",
			"GET /items: operation documents no 4xx, 5xx or default response [error-response]",
			`POST /items: operationId "list-items" is also used by GET /items [operation-id-unique]`,
			`DELETE /items/{id}: path parameter "id" is not marked required [path-parameter]`,
			"GET /orders/{orderId}/lines/{line}: operation has no operationId [operation-id]",
			"GET /orders/{orderId}/lines/{line}: operation documents no 2xx or 3xx response [success-response]",
			`GET /orders/{orderId}/lines/{line}: query parameter "q" is declared twice [parameter-unique]`,
			"GET /orders/{orderId}/lines/{line}: path parameter {line} is not declared [path-parameter]",
			`GET /orders/{orderId}/lines/{line}: path parameter "lineNo" is not in the path template [path-parameter]`,
			`#/paths/~1orders~1{orderId}~1lines~1{line}/get/responses/500/content/application~1json/schema: $ref "#/components/schemas/Missing" does not resolve [ref]`,
			"10 findings",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join("testdata", "lint", tt.file)
			code, out, errOut := runArgs(t, "lint", file)
			if code != tt.code {
				t.Errorf("got exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			var got []string
			for line := range strings.Lines(out) {
				got = append(got, strings.TrimPrefix(strings.TrimSuffix(line, "\n"), file+": "))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		old, new string
		code     int
		want     []string // every stdout line, in order
	}{
		{"identical", "base.json", "base.json", 0, []string{"0 breaking changes, 0 other"}},
		{"removed operation", "base.json", "removed-operation.json", 1, []string{
			"breaking  DELETE /items/{id}: operation removed",
			"1 breaking change, 0 other",
		}},
		{"narrowed request values", "base.json", "narrowed.json", 1, []string{
			`breaking  GET /items: query parameter "limit": upper bound lowered from 100 to 50`,
			`breaking  POST /items: request body application/json at /kind: enum values removed: ["b"]`,
			`breaking  POST /items: request body application/json at /name: maxLength lowered from 80 to 60`,
			`breaking  POST /items: request body application/json at /price: lower bound raised from exclusive 0 to 1`,
			`breaking  POST /items: request body application/json at /tags: maxItems lowered from 10 to 5`,
			`breaking  POST /items: request body application/json at /tags/*: pattern changed from none to "^[a-z]+$"`,
			`breaking  GET /items/{id}: path parameter "id": enum restriction added: [1,2,3]`,
			"7 breaking changes, 0 other",
		}},
		{"new required inputs", "base.json", "required.json", 1, []string{
			`breaking  GET /items: new required header parameter "X-Tenant"`,
			`breaking  GET /items: query parameter "limit" became required`,
			`breaking  POST /items: request body application/json: new required member "category"`,
			`breaking  POST /items: request body application/json: member "price" became required`,
			"4 breaking changes, 0 other",
		}},
		{"responses", "base.json", "response.json", 1, []string{
			`breaking  GET /items: response 200 application/json at /*/id: type changed from integer to string`,
			`breaking  GET /items: response 200 application/json at /*: member "kind" is no longer always present`,
			`breaking  GET /items: response 200 application/json at /*/kind: may now be one of the new enum values ["c"]`,
			`breaking  GET /items: response 200 application/json at /*: member "name" removed`,
			`breaking  POST /items: response 201 application/json at /id: type changed from integer to string`,
			`breaking  POST /items: response 201 application/json: member "kind" is no longer always present`,
			`breaking  POST /items: response 201 application/json at /kind: may now be one of the new enum values ["c"]`,
			`breaking  POST /items: response 201 application/json: member "name" removed`,
			`breaking  GET /items/{id}: response 200 removed`,
			`          GET /items/{id}: response 203 added`,
			"9 breaking changes, 1 other",
		}},
		{"additions only", "base.json", "additive.json", 0, []string{
			`          GET /items: new optional query parameter "tag"`,
			`          GET /items: response 200 application/json at /*: new member "note"`,
			`          POST /items: request body application/json: new optional member "note"`,
			`          POST /items: response 201 application/json: new member "note"`,
			`          GET /items/{id}: response 200 application/json: new member "note"`,
			`          PUT /items/{id}: operation added`,
			"0 breaking changes, 6 other",
		}},
		{"additions reversed are breaking", "additive.json", "base.json", 1, []string{
			`breaking  GET /items: query parameter "limit": upper bound lowered from 500 to 100`,
			`          GET /items: query parameter "tag" removed`,
			`breaking  GET /items: response 200 application/json at /*: member "note" removed`,
			`breaking  POST /items: request body application/json at /kind: enum values removed: ["c"]`,
			`breaking  POST /items: request body application/json at /name: minLength raised from 0 to 1`,
			`breaking  POST /items: request body application/json: member "note" no longer accepted`,
			`breaking  POST /items: request body application/json at /price: type narrowed from null|number to number`,
			`breaking  POST /items: response 201 application/json: member "note" removed`,
			`breaking  GET /items/{id}: response 200 application/json: member "note" removed`,
			`breaking  PUT /items/{id}: operation removed`,
			"9 breaking changes, 1 other",
		}},
		{"3.0 boolean exclusiveMinimum", "v30-old.json", "v30-new.json", 1, []string{
			`breaking  POST /items: request body application/json at /price: lower bound raised from 0 to exclusive 0`,
			"1 breaking change, 0 other",
		}},
		{"3.0 and 3.1 forms of one bound", "v30-new.json", "base.json", 0, []string{"0 breaking changes, 0 other"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runArgs(t, "diff", filepath.Join("testdata", "diff", tt.old), filepath.Join("testdata", "diff", tt.new))
			if code != tt.code {
				t.Errorf("got exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if diff := cmp.Diff(tt.want, strings.Split(strings.TrimSuffix(out, "\n"), "\n")); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no command", nil, 2, "usage:"},
		{"unknown command", []string{"bake"}, 2, `unknown command "bake"`},
		{"lint without file", []string{"lint"}, 2, "want one FILE"},
		{"diff with one file", []string{"diff", "a.json"}, 2, "want OLD and NEW"},
		{"missing file", []string{"lint", "testdata/none.json"}, 2, "no such file"},
		{"YAML", []string{"lint", "testdata/lint/not-json.yaml"}, 2, "YAML is not read"},
		{"Swagger 2", []string{"diff", "testdata/lint/swagger2.json", "testdata/diff/base.json"}, 2, "not an OpenAPI 3 document"},
		{"help", []string{"help"}, 0, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := runArgs(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("got exit %d, stderr %q; want %d containing %q", code, errOut, tt.code, tt.stderr)
			}
		})
	}
}
