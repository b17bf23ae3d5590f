package bind

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

// compileField compiles field name of struct type T.
func compileField[T any](t testing.TB, name string) *Param {
	t.Helper()
	sf, ok := reflect.TypeFor[T]().FieldByName(name)
	if !ok {
		t.Fatalf("no field %s", name)
	}
	p, err := Compile(sf, schema.NewRegistry())
	if err != nil {
		t.Fatalf("Compile(%s): %v", name, err)
	}
	return p
}

// bindField binds vals to field name of a fresh T and returns the field's
// value, Bind's result and the failures.
func bindField[T any](t testing.TB, name string, vals ...string) (any, bool, []verr.Error) {
	t.Helper()
	p := compileField[T](t, name)
	in := new(T)
	var path verr.Path
	var errs verr.List
	ok := p.Bind(vals, unsafe.Pointer(in), &path, &errs)
	return reflect.ValueOf(in).Elem().FieldByName(name).Interface(), ok, errs.Items
}

func codes(errs []verr.Error) []string {
	var cs []string
	for _, e := range errs {
		cs = append(cs, e.Code)
	}
	return cs
}
