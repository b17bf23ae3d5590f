// Package conformance checks roux's generated OpenAPI documents with
// tools nobody on the roux project wrote: every document the test suites
// write as golden files is loaded and validated by
// github.com/getkin/kin-openapi, and its YAML form is parsed by a YAML
// library and compared with the JSON form. It is a module of its own so
// that these dependencies stay out of roux's go.mod.
package conformance
