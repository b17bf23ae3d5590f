package tagkeys_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/roux-go/roux/internal/tagkeys"
)

func TestSuggest(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		key, want string
	}{
		// One edit from a key of five letters or more.
		{"minimun", "minimum"},        // replaced
		{"minimm", "minimum"},         // removed
		{"minimuum", "minimum"},       // inserted
		{"maxLenght", "maxLength"},    // swapped
		{"mxaItems", "maxItems"},      // swapped at the start
		{"minlength", "minLength"},    // case
		{"MinLength", "minLength"},    // case
		{"MAXLENGTH", "maxLength"},    // case, all of it
		{"readonly", "readOnly"},      // case
		{"requried", "required"},      // swapped
		{"require", "required"},       // removed at the end
		{"requireds", "required"},     // inserted at the end
		{"defualt", "default"},        // swapped
		{"exampel", "example"},        // swapped at the end
		{"patttern", "pattern"},       // inserted
		{"qeury", "query"},            // swapped
		{"Query", "query"},            // case
		{"headr", "header"},           // removed
		{"cokie", "cookie"},           // removed
		{"explod", "explode"},         // removed
		{"contenType", "contentType"}, // removed
		{"maxbytes", "maxBytes"},      // case
		{"evnet", "event"},            // swapped
		{"multipleof", "multipleOf"},  // case
		{"exclusiveMinimun", "exclusiveMinimum"},
		{"uniqueitems", "uniqueItems"},
		// roux's own keys.
		{"minimum", ""}, {"maxLength", ""}, {"json", ""}, {"path", ""}, {"dep", ""}, {"event", ""},
		{"contentType", ""}, {"header", ""},
		// Foreign keys, even one edit from a keyword.
		{"db", ""}, {"env", ""}, {"gorm", ""}, {"bson", ""}, {"yaml", ""}, {"xml", ""},
		{"mapstructure", ""}, {"validate", ""}, {"toml", ""}, {"binding", ""}, {"msgpack", ""},
		{"examples", ""}, {"protobuf", ""}, {"envDefault", ""}, {"description", ""},
		// Within one edit of a key under five letters: too many real words.
		{"enums", ""}, {"paths", ""}, {"forms", ""}, {"docs", ""}, {"deps", ""}, {"jsn", ""},
		// Two edits from every keyword.
		{"minimal", ""}, {"maxLengths2", ""}, {"minumun", ""}, {"headerz1", ""},
		// Unrelated keys of other packages.
		{"custom", ""}, {"sortable", ""}, {"x", ""},
	} {
		if got := tagkeys.Suggest(tt.key); got != tt.want {
			t.Errorf("Suggest(%q): got %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestForeignNamesNoKeyword(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"db", "env", "gorm", "bson", "yaml", "xml", "mapstructure", "validate"} {
		if !tagkeys.Foreign(k) {
			t.Errorf("Foreign(%q): got false, want true", k)
		}
	}
	for _, k := range []string{"minimum", "json", "query", "minimun"} {
		if tagkeys.Foreign(k) {
			t.Errorf("Foreign(%q): got true, want false", k)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		tag  reflect.StructTag
		want string // a substring of the error; "" for none
	}{
		{`json:"n" minimum:"1"`, ""},
		{`json:"n" minimun:"1"`, `struct tag key "minimun" is not one roux reads: did you mean minimum?`},
		{`db:"n" yaml:"n,omitempty" validate:"required,min=1" gorm:"column:n"`, ""},
		{`json:"n" db:"n" maxlength:"3"`, "did you mean maxLength?"},
		{`doc:"a \"quoted\" minimun:\"1\" text" json:"n"`, ""}, // inside a value
		{`query:"q" requred:"true"`, "did you mean required?"},
		{``, ""},
		{`malformed minimun:"1"`, ""}, // left to go vet
		{`json:"n"  minimun:"1"`, "did you mean minimum?"},
	} {
		err := tagkeys.Check(tt.tag)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Check(`%s`): got %v, want nil", tt.tag, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Check(`%s`): got %v, want an error with %q", tt.tag, err, tt.want)
		}
	}
}

// FuzzCheck: Check never panics, and every key it names is one that
// reflect.StructTag.Lookup finds in the tag.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`json:"n" minimun:"1"`, `a:"\"" maxlength:"x"`, `minimun:"`, ` :"" x:"y"`, `requred:"true\\"`, `mAXleng\h:""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := tagkeys.Check(reflect.StructTag(s))
		if err == nil {
			return
		}
		// The key as Check quotes it (%q: a backslash in it is escaped).
		quoted, qerr := strconv.QuotedPrefix(strings.TrimPrefix(err.Error(), "struct tag key "))
		if qerr != nil {
			t.Fatalf("Check(`%s`): %v: the key is not quoted: %v", s, err, qerr)
		}
		key, _ := strconv.Unquote(quoted)
		if _, ok := reflect.StructTag(s).Lookup(key); !ok {
			t.Errorf("Check(`%s`) names key %q, which Lookup does not find: %v", s, key, err)
		}
	})
}
