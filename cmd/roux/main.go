// Command roux checks OpenAPI documents, such as the ones a roux program
// prints with its spec subcommand (see package
// github.com/roux-go/roux/cli):
//
//	roux lint FILE       report operations without summaries, without
//	                     documented 4xx/5xx responses, duplicate
//	                     operationIds, undeclared path parameters, ...
//	roux diff OLD NEW    report the changes from OLD to NEW that break
//	                     existing clients
//
// Both read JSON documents (OpenAPI 3.0 or 3.1) and exit with status 1
// when they report anything, 0 when they do not and 2 on a usage or
// input error, so a build can run them as a gate:
//
//	go run ./cmd/myapi spec > openapi.json
//	roux lint openapi.json
//	roux diff released/openapi.json openapi.json
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usageText = `usage:
  roux lint FILE      report problems in an OpenAPI document
  roux diff OLD NEW   report changes from OLD to NEW that break clients
Documents are JSON, OpenAPI 3.0 or 3.1. Exit status: 0 nothing to report,
1 findings or breaking changes, 2 usage or input error.
`

// run is main without the process: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return 2
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "lint":
		if len(rest) != 1 {
			fmt.Fprint(stderr, "roux lint: want one FILE\n"+usageText)
			return 2
		}
		doc, err := load(rest[0])
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		findings := lint(doc)
		for _, f := range findings {
			fmt.Fprintf(stdout, "%s: %s\n", rest[0], f)
		}
		if len(findings) > 0 {
			fmt.Fprintf(stdout, "%d %s\n", len(findings), plural(len(findings), "finding", "findings"))
			return 1
		}
		return 0
	case "diff":
		if len(rest) != 2 {
			fmt.Fprint(stderr, "roux diff: want OLD and NEW\n"+usageText)
			return 2
		}
		oldDoc, err := load(rest[0])
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		newDoc, err := load(rest[1])
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		changes := diff(oldDoc, newDoc)
		breaking := 0
		for _, c := range changes {
			fmt.Fprintln(stdout, c)
			if c.breaking {
				breaking++
			}
		}
		fmt.Fprintf(stdout, "%d breaking %s, %d other\n", breaking, plural(breaking, "change", "changes"), len(changes)-breaking)
		if breaking > 0 {
			return 1
		}
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText)
		return 0
	default:
		fmt.Fprintf(stderr, "roux: unknown command %q\n%s", cmd, usageText)
		return 2
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
