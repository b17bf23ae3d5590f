package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/cli"
)

// A program's main hands [cli.Main] the function that builds its API;
// Main reads os.Args. Here [cli.Run] gets the arguments of
// "greeter -greeting hi spec -format yaml" to show what spec prints. The
// program's own flag, -greeting (or GREETER_GREETING), is set by the
// time the API is built.
func Example() {
	var greeting string
	flags := func(fs *cli.FlagSet) {
		fs.StringVar(&greeting, "greeting", "hello", "what to greet with")
	}
	build := func(ctx context.Context, s cli.Setup) (*roux.API, error) {
		api := roux.New(s.Config(roux.Config{Title: "Greeter", Version: "1.0.0"}))
		roux.Get(api, "/hello", func(ctx context.Context, in *struct{}) (*string, error) {
			return &greeting, nil
		}, roux.Summary("Say "+greeting))
		return api, nil
	}

	var out bytes.Buffer
	err := cli.Run(context.Background(), build,
		cli.Flags("GREETER_", flags),
		cli.Args("-greeting", "hi", "spec", "-format", "yaml"),
		cli.Stdout(&out))
	if err != nil {
		fmt.Println(err)
		return
	}
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, "  title:") || strings.Contains(line, "summary: \"Say") {
			fmt.Print(line)
		}
	}
	// Output:
	// title: "Greeter"
	//       summary: "Say hi"
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
