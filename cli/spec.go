package cli

import (
	"encoding/json"
	"fmt"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/yamlenc"
	"github.com/roux-go/roux/openapi"
)

func runSpec(api *roux.API, o Options, args []string) error {
	fs := newFlags(o, "spec")
	format := fs.String("format", "json", "output `format`: json or yaml")
	version := fs.String("version", "3.1", "OpenAPI `version`: 3.1 (what the API serves) or 3.0 (3.0.3, for older tools)")
	if done, err := parse(fs, args); done {
		return err
	}
	if *format != "json" && *format != "yaml" {
		fmt.Fprintf(o.Stderr, "%s: -format must be json or yaml, not %q\n", fs.Name(), *format)
		return fmt.Errorf("%w: -format %q", ErrUsage, *format)
	}
	if *version != "3.1" && *version != "3.0" {
		fmt.Fprintf(o.Stderr, "%s: -version must be 3.1 or 3.0, not %q\n", fs.Name(), *version)
		return fmt.Errorf("%w: -version %q", ErrUsage, *version)
	}
	out, err := Spec(api, *format, *version)
	if err != nil {
		return err
	}
	if _, err := o.Stdout.Write(out); err != nil {
		return fmt.Errorf("cli: spec: %w", err)
	}
	return nil
}

// Spec returns api's OpenAPI document in format ("json" or "yaml") and
// OpenAPI version ("3.1" or "3.0"), ending in a newline. It is byte for
// byte what the API serves at /openapi.json, /openapi.yaml,
// /openapi-3.0.json or /openapi-3.0.yaml, plus that newline for JSON.
func Spec(api *roux.API, format, version string) ([]byte, error) {
	js, err := json.MarshalIndent(api.OpenAPI(), "", "  ")
	switch {
	case err != nil:
	case version == "3.0":
		// The same steps as the API's own /openapi-3.0.json route.
		js, err = openapi.DowngradeJSON(js)
	case version != "3.1":
		return nil, fmt.Errorf("cli: unknown OpenAPI version %q (want 3.1 or 3.0)", version)
	}
	if err != nil {
		return nil, fmt.Errorf("cli: building the OpenAPI %s document: %w", version, err)
	}
	switch format {
	case "json":
		return append(js, '\n'), nil
	case "yaml":
		y, err := yamlenc.FromJSON(js)
		if err != nil {
			return nil, fmt.Errorf("cli: %w", err)
		}
		return y, nil
	default:
		return nil, fmt.Errorf("cli: unknown format %q (want json or yaml)", format)
	}
}
