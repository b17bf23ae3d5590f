// Command hello is a small roux service: an in-memory menu of dishes.
// It shows operations, parameters, bodies, validation, problems, groups
// and the OpenAPI document. Run it with
//
//	go run ./examples/hello -addr 127.0.0.1:8080
//
// and open http://127.0.0.1:8080/openapi.json, or print the document
// without serving:
//
//	go run ./examples/hello spec -format yaml
package main

import (
	"context"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/cli"
)

func main() { cli.Main(build) }

// build builds the API that spec prints and serve serves.
func build(ctx context.Context, s cli.Setup) (*roux.API, error) {
	return NewAPI(NewStore(), s.Config(roux.Config{})), nil
}
