// Package conformance checks roux's generated OpenAPI documents, and the
// example service's behaviour against its own, with tools nobody on the
// roux project wrote:
//
//   - every document the test suites write as golden files is loaded and
//     validated by github.com/getkin/kin-openapi, and its YAML form is
//     parsed by a YAML library and compared with the JSON form;
//   - TestContract builds examples/hello, runs it on a free loopback port
//     and takes the document it serves (3.1, and the 3.0.3 downgrade) as
//     the only truth: pgregory.net/rapid draws valid and invalid requests
//     from its schemas, and kin-openapi's openapi3filter confirms each
//     label and validates every response. Its seed is fixed; raise the
//     count with -contract.checks=N, or pick a seed with -contract.seed
//     (0 for a random one);
//   - TestGeneratedClient drives the same service through a client that
//     oapi-codegen generated from that document (package helloclient).
//
// .ci/steps/30-consumers.sh adds what needs tools from outside Go:
// regenerating the client to catch drift. It is a module of its own so
// that these dependencies stay out of roux's go.mod.
//
// .ci/steps/32-openapi-lint.sh lints the documents of examples/hello and
// examples/kitchen, 3.1 and 3.0, with Redocly CLI's recommended ruleset
// and Spectral's spectral:oas, every rule on (npm packages pinned by
// conformance/lint/package-lock.json): any error or warning fails it.
//
// .ci/steps/35-generators.sh runs client generators over the kitchen's
// document (examples/kitchen), its event stream included, and drives a
// live kitchen through what they generate: openapi-typescript with
// openapi-fetch and @hey-api/openapi-ts in conformance/typescript (npm
// packages pinned by its package-lock.json; tsc type-checks drivers that
// call every operation), and oapi-codegen and ogen in conformance/gogen
// (a module of its own, outside go.work, for ogen's dependencies).
package conformance
