package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

// Test types covering every kind the decoder supports.

type (
	Name  string
	Level uint8
	Flag  bool
	Ratio float32
	Blob  []byte
)

// Color is a TextUnmarshaler of integer kind: "red" or "green".
type Color int

func (c *Color) UnmarshalText(b []byte) error {
	switch string(b) {
	case "red":
		*c = 1
	case "green":
		*c = 2
	default:
		return errors.New("unknown color " + strconv.Quote(string(b)))
	}
	return nil
}

// Temp is a json.Unmarshaler (v1) that takes a number or a string "21C".
type Temp float64

func (t *Temp) UnmarshalJSON(b []byte) error {
	var f float64
	if s, err := strconv.Unquote(string(b)); err == nil {
		var ok bool
		if s, ok = strings.CutSuffix(s, "C"); !ok {
			return errors.New("temperature must end in C")
		}
		b = []byte(s)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return errors.New("temperature must be a number")
	}
	*t = Temp(f)
	return nil
}

// OptInt is an integer whose schema admits null (a null leaves 0).
type OptInt int

func (OptInt) JSONSchema(*schema.Registry) *schema.Schema {
	return &schema.Schema{Type: schema.Types{"integer", "null"}}
}

type Base struct {
	ID      int64     `json:"id"`
	Created time.Time `json:"created,omitempty"`
}

type Node struct {
	Value    int     `json:"value"`
	Children []*Node `json:"children,omitempty"`
}

type Address struct {
	Street string `json:"street"`
	City   string `json:"city"`
}

// Rich has a member of every supported kind; only name is required.
type Rich struct {
	Base
	Name    Name              `json:"name"`
	I8      int8              `json:"i8,omitempty"`
	I16     int16             `json:"i16,omitempty"`
	I32     int32             `json:"i32,omitempty"`
	I       int               `json:"i,omitempty"`
	U8      Level             `json:"u8,omitempty"`
	U16     uint16            `json:"u16,omitempty"`
	U32     uint32            `json:"u32,omitempty"`
	U64     uint64            `json:"u64,omitempty"`
	UP      uintptr           `json:"up,omitempty"`
	F32     Ratio             `json:"f32,omitempty"`
	F64     float64           `json:"f64,omitempty"`
	OK      Flag              `json:"ok,omitempty"`
	Blob    Blob              `json:"blob,omitempty"`
	Color   Color             `json:"color,omitempty"`
	Temp    Temp              `json:"temp,omitempty"`
	Opt     OptInt            `json:"opt,omitempty"`
	Any     any               `json:"any,omitempty"`
	Tags    []string          `json:"tags,omitempty"`
	Grid    [2][2]int         `json:"grid,omitzero"`
	Counts  map[string]int    `json:"counts,omitempty"`
	ByColor map[Color]string  `json:"byColor,omitempty"`
	Ptr     *int              `json:"ptr"`
	Addr    *Address          `json:"addr,omitempty"`
	Addrs   []Address         `json:"addrs,omitempty"`
	Tree    *Node             `json:"tree,omitempty"`
	Nested  map[string][]bool `json:"nested,omitempty"`
	When    *time.Time        `json:"when,omitempty"`
}

// compileFor compiles a decoder for T with the schema a registry gives it.
func compileFor[T any](tb testing.TB) *Decoder {
	tb.Helper()
	d, err := compileType(reflect.TypeFor[T]())
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func compileType(t reflect.Type) (*Decoder, error) {
	reg := schema.NewRegistry()
	s, err := reg.Schema(t)
	if err != nil {
		return nil, err
	}
	return Compile(t, s, reg)
}

// decodeNew decodes body into a new value of d's type and returns a
// pointer to it (as any), the failures and the error.
func decodeNew(d *Decoder, body []byte) (any, []verr.Error, error) {
	v := reflect.New(d.Type())
	var path verr.Path
	path.SetBody()
	var errs verr.List
	err := d.Decode(bytes.NewReader(body), v.UnsafePointer(), &path, &errs)
	if p := path.Pointer(); p != "" {
		panic("path not restored: " + p)
	}
	return v.Interface(), errs.Items, err
}

// decodeAs decodes body into a T.
func decodeAs[T any](tb testing.TB, body string) (T, []verr.Error, error) {
	tb.Helper()
	var v T
	var path verr.Path
	path.SetBody()
	var errs verr.List
	err := compileFor[T](tb).Decode(strings.NewReader(body), unsafe.Pointer(&v), &path, &errs)
	return v, errs.Items, err
}
