package wire_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/roux-go/roux/internal/wire"
)

func TestJSON(t *testing.T) {
	t.Parallel()
	type v struct {
		D    time.Duration `json:"d"`
		S    string        `json:"s"`
		Off  bool          `json:"off,omitempty"`
		Zero int           `json:"zero,omitempty"`
		None []int         `json:"none,omitempty"`
	}
	for _, tt := range []struct {
		name string
		in   v
		want string
	}{
		{"a duration is nanoseconds", v{D: 1500 * time.Millisecond}, `{"d":1500000000,"s":""}`},
		{"invalid UTF-8 is replaced", v{S: "a\xffb"}, "{\"d\":0,\"s\":\"a\ufffdb\"}"},
		{"omitempty omits false, 0 and empty", v{None: []int{}}, `{"d":0,"s":""}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.in, wire.JSON)
			if err != nil || string(b) != tt.want {
				t.Errorf("got %s (%v), want %s", b, err, tt.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	type v struct {
		D time.Duration `json:"d"`
		N int           `json:"n"`
	}
	for _, tt := range []struct {
		name    string
		opts    json.Options
		in      string
		want    v
		wantErr bool
	}{
		{"JSON: nanoseconds", wire.JSON, `{"d":2000000000}`, v{D: 2 * time.Second}, false},
		{"JSON: unknown members ignored", wire.JSON, `{"n":1,"x":2}`, v{N: 1}, false},
		{"JSON: a name twice", wire.JSON, `{"n":1,"n":2}`, v{}, true},
		{"Lenient: the last of a name twice", wire.Lenient, `{"n":1,"n":2}`, v{N: 2}, false},
		{"Lenient: nanoseconds", wire.Lenient, `{"d":3}`, v{D: 3}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got v
			err := json.Unmarshal([]byte(tt.in), &got, tt.opts)
			if (err != nil) != tt.wantErr || !tt.wantErr && got != tt.want {
				t.Errorf("got %+v (%v), want %+v (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// wireOption matches the setting of a JSON wire option.
var wireOption = regexp.MustCompile(`json\.JoinOptions\(|jsonv1\.(FormatDurationAsNano|OmitEmptyWithLegacySemantics)|jsontext\.(AllowInvalidUTF8|AllowDuplicateNames)\(`)

// TestOnePlace: no package of the module sets JSON wire options of its
// own. The strict request decoder (internal/codec) configures its
// tokenizer, which is not the json package's encoding or decoding.
func TestOnePlace(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // a nested module
				}
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			strings.HasPrefix(rel, "internal/wire/") || rel == "internal/codec/names.go" {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range wireOption.FindAllString(string(src), -1) {
			t.Errorf("%s sets JSON options (%s); use internal/wire's", rel, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
