package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/cli"
)

// A program's main registers its operations and hands the API to
// [cli.Main], which reads os.Args; here [cli.Run] gets the arguments of
// "greeter spec -format yaml" to show what spec prints.
func Example() {
	api := roux.New(roux.Config{Title: "Greeter", Version: "1.0.0"})
	roux.Get(api, "/hello", func(ctx context.Context, in *struct{}) (*struct {
		Text string `json:"text"`
	}, error) {
		return nil, nil
	}, roux.Summary("Say hello"))

	var out bytes.Buffer
	err := cli.Run(context.Background(), api, cli.Options{
		Args:   []string{"spec", "-format", "yaml"},
		Stdout: &out,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	lines := strings.Split(out.String(), "\n")
	fmt.Println(strings.Join(lines[:8], "\n"))
	// Output:
	// openapi: "3.1.0"
	// info:
	//   title: "Greeter"
	//   version: "1.0.0"
	// jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base"
	// paths:
	//   "/hello":
	//     get:
}

// Spec returns the document without a command line, for a build step
// that writes it to a file.
func ExampleSpec() {
	api := roux.New(roux.Config{Title: "Greeter", Version: "1.0.0"})
	doc, err := cli.Spec(api, "json", "3.1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.SplitN(string(doc), "\n", 3)[1])
	// Output:
	//   "openapi": "3.1.0",
}
