package cli

import (
	"encoding/json"
	"flag"
	"fmt"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/yamlenc"
	"github.com/roux-go/roux/openapi"
)

// specFlags defines spec's flags on fs.
func (s *settings) specFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.format, "format", "json", "output `format`: json or yaml")
	fs.StringVar(&s.version, "version", "3.1", "OpenAPI `version`: 3.1 (what the API serves) or 3.0 (3.0.3, for older tools)")
}

// checkSpec checks spec's flags.
func (s *settings) checkSpec() error {
	if s.format != "json" && s.format != "yaml" {
		return usagef("-format must be json or yaml, not %q", s.format)
	}
	if s.version != "3.1" && s.version != "3.0" {
		return usagef("-version must be 3.1 or 3.0, not %q", s.version)
	}
	return nil
}

// runSpec prints api's document as s says.
func runSpec(api *roux.API, o *config, s *settings) error {
	out, err := Spec(api, s.format, s.version)
	if err != nil {
		return err
	}
	if _, err := o.stdout.Write(out); err != nil {
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
