package rule_test

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/internal/rule"
	"github.com/roux-go/roux/internal/verr"
)

// checks is made as roux.Checks is: a rule.Sink embedded under an
// unexported alias, with methods that report through rule.Of.
type checks struct{ sink }

type sink = rule.Sink

func (c *checks) fail(code string) {
	path, errs := rule.Of(&c.sink)
	errs.Report(path, code, "failed: "+code)
}

type ranged struct{ Min, Max int }

func (r *ranged) Validate(c *checks) {
	if r.Min > r.Max {
		c.fail("range")
	}
}

type byValue struct{ OK bool }

func (v byValue) Validate(c *checks) {
	if !v.OK {
		c.fail("value")
	}
}

type plain struct{ N int }

type other struct{}

func (other) Validate(*struct{}) {} // another Checks type: not a rule of checks

func TestFor(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		value any // a pointer to the value
		want  []string
	}{
		{"pointer receiver, passes", &ranged{1, 2}, nil},
		{"pointer receiver, fails", &ranged{3, 2}, []string{"range"}},
		{"value receiver, fails", &byValue{}, []string{"value"}},
		{"value receiver, passes", &byValue{OK: true}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := reflect.ValueOf(tt.value)
			check := rule.For[checks](v.Type().Elem())
			if check == nil {
				t.Fatalf("For(%v) = nil, want a check", v.Type().Elem())
			}
			var path verr.Path
			var errs verr.List
			path.SetBody()
			check(v.UnsafePointer(), &path, &errs)
			var got []string
			for _, e := range errs.Items {
				got = append(got, e.Code)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("codes (-want +got):\n%s", diff)
			}
		})
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[plain](), reflect.TypeFor[other](), reflect.TypeFor[int](), reflect.TypeFor[any]()} {
		if rule.For[checks](typ) != nil {
			t.Errorf("For(%v) is a check; want nil, it has no Validate(*checks)", typ)
		}
	}
}

func TestForAllocations(t *testing.T) {
	check := rule.For[checks](reflect.TypeFor[ranged]())
	v := &ranged{1, 2}
	var path verr.Path
	var errs verr.List
	if got := testing.AllocsPerRun(100, func() { check(unsafe.Pointer(v), &path, &errs) }); got != 1 {
		t.Errorf("got %v allocations per check, want 1 (the checks value)", got)
	}
}
