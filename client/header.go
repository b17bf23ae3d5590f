package client

// Response headers of an envelope are read back as the server writes
// them (roux's headerFormatter): time.Time as an HTTP-date, other
// TextMarshalers (except string kinds) by their text, numbers in decimal,
// a []string as one value per header line. An absent header leaves the
// field's zero value, which is what the server sends none for.

import (
	"encoding"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"time"
	"unsafe"

	"github.com/roux-go/roux/internal/plan"
)

var (
	timeType            = reflect.TypeFor[time.Time]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkHeaders checks that every header field of p's output can be read
// back.
func checkHeaders(p *plan.Operation) error {
	for _, h := range p.Response.Headers {
		t := h.Type
		if t != timeType && t.Implements(textMarshalerType) && t.Kind() != reflect.String && !reflect.PointerTo(t).Implements(textUnmarshalerType) {
			return fmt.Errorf("client: %s: response header %s: %v implements encoding.TextMarshaler but not encoding.TextUnmarshaler, so the client cannot read it", p.ID, h.Name, t)
		}
	}
	return nil
}

// decodeHeader stores the header values vals in the field of type h.Type
// at field.
func decodeHeader(h plan.Header, vals []string, field unsafe.Pointer) error {
	if len(vals) == 0 {
		return nil
	}
	v := reflect.NewAt(h.Type, field).Elem()
	t := h.Type
	switch {
	case t == timeType:
		tm, err := http.ParseTime(vals[0])
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(tm))
		return nil
	case t.Implements(textMarshalerType) && t.Kind() != reflect.String:
		return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(vals[0]))
	}
	s := vals[0]
	switch t.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, t.Bits())
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(s, 10, t.Bits())
		if err != nil {
			return err
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, t.Bits())
		if err != nil {
			return err
		}
		v.SetFloat(f)
	case reflect.Slice: // of a string kind, one item per header line
		items := reflect.MakeSlice(t, len(vals), len(vals))
		for i, s := range vals {
			items.Index(i).SetString(s)
		}
		v.Set(items)
	}
	return nil
}
