package bind

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
)

type fuzzInput struct {
	I8  int8        `query:"i8"`
	I64 int64       `query:"i64"`
	U16 uint16      `query:"u16"`
	U64 uint64      `query:"u64"`
	F32 float32     `query:"f32"`
	F64 float64     `query:"f64"`
	T   time.Time   `query:"t"`
	S   []int32     `query:"s" explode:"false"`
	H   []string    `header:"X-H"`
	TS  []time.Time `query:"ts"`
}

// compileFuzz compiles the named fields of fuzzInput.
func compileFuzz(f *testing.F, fields ...string) []*Param {
	var ps []*Param
	for _, name := range fields {
		ps = append(ps, compileField[fuzzInput](f, name))
	}
	return ps
}

// fuzzBind binds s with each of ps into a fresh fuzzInput.
func fuzzBind(t *testing.T, s string, ps []*Param) (*fuzzInput, []bool, [][]verr.Error) {
	t.Helper()
	in := new(fuzzInput)
	var oks []bool
	var fails [][]verr.Error
	for _, p := range ps {
		var path verr.Path
		var errs verr.List
		ok := p.Bind([]string{s}, unsafe.Pointer(in), &path, &errs)
		if ok != (errs.Len() == 0) {
			t.Fatalf("%s: got ok=%v with failures %v", p.Name, ok, errs.Items)
		}
		oks, fails = append(oks, ok), append(fails, errs.Items)
	}
	return in, oks, fails
}

// FuzzBindInt checks that signed integers succeed exactly when
// strconv.ParseInt does, with the same value, and fail "maximum" or
// "minimum" exactly on ErrRange; and that unsigned ones agree with
// strconv.ParseUint once a sign is allowed for (a "+" is accepted, a
// negative number fails "minimum", "-0" is zero).
func FuzzBindInt(f *testing.F) {
	for _, s := range []string{"0", "127", "128", "-129", "-1", "+5", "-0", "65536", "18446744073709551616", "9223372036854775808", "", "1e3", "0x1"} {
		f.Add(s)
	}
	ps := compileFuzz(f, "I8", "I64", "U16", "U64")
	f.Fuzz(func(t *testing.T, s string) {
		in, oks, fails := fuzzBind(t, s, ps)
		for i, bits := range []int{8, 64} {
			want, err := strconv.ParseInt(s, 10, bits)
			if oks[i] != (err == nil) {
				t.Fatalf("int%d %q: got ok=%v, want err %v", bits, s, oks[i], err)
			}
			got := []int64{int64(in.I8), in.I64}[i]
			if err == nil && got != want {
				t.Fatalf("int%d %q: got %v, want %v", bits, s, got, want)
			}
			// strconv reports "700A" out of range at 8 bits; roux says
			// "type" unless the text is a decimal integer.
			_, decimal := new(big.Int).SetString(s, 10)
			if (errors.Is(err, strconv.ErrRange) && decimal) != isRangeFailure(fails[i]) {
				t.Fatalf("int%d %q: got %v, want range %v", bits, s, codes(fails[i]), err)
			}
		}
		for i, bits := range []int{16, 64} {
			u := strings.TrimPrefix(s, "+")
			want, err := strconv.ParseUint(u, 10, bits)
			if neg, nerr := strconv.ParseInt(s, 10, 64); len(s) > 1 && s[0] == '-' && nerr == nil && neg == 0 {
				want, err = 0, nil
			}
			if len(s) > 1 && s[0] == '+' && s[1] == '+' {
				err = strconv.ErrSyntax
			}
			if oks[2+i] != (err == nil) {
				t.Fatalf("uint%d %q: got ok=%v, want err %v", bits, s, oks[2+i], err)
			}
			got := []uint64{uint64(in.U16), in.U64}[i]
			if err == nil && got != want {
				t.Fatalf("uint%d %q: got %v, want %v", bits, s, got, want)
			}
		}
	})
}

func isRangeFailure(errs []verr.Error) bool {
	return len(errs) == 1 && (errs[0].Code == "maximum" || errs[0].Code == "minimum")
}

// FuzzBindFloat checks that floats succeed exactly when strconv.ParseFloat
// gives a finite value from text without "_" or hex digits, with that
// value.
func FuzzBindFloat(f *testing.F) {
	for _, s := range []string{"0", "1.5", "-2e-3", "3.5e38", "1e309", "NaN", "inf", "0x1p-2", "1_0", ""} {
		f.Add(s)
	}
	ps := compileFuzz(f, "F32", "F64")
	f.Fuzz(func(t *testing.T, s string) {
		in, oks, _ := fuzzBind(t, s, ps)
		for i, bits := range []int{32, 64} {
			want, err := strconv.ParseFloat(s, bits)
			finite := err == nil && !math.IsInf(want, 0) && !math.IsNaN(want) &&
				!strings.ContainsAny(s, "_xX") // roux refuses Go's hex and 1_000 forms
			if oks[i] != finite {
				t.Fatalf("float%d %q: got ok=%v, want %v (%v)", bits, s, oks[i], finite, err)
			}
			if got := []float64{float64(in.F32), in.F64}[i]; finite && got != want {
				t.Fatalf("float%d %q: got %v, want %v", bits, s, got, want)
			}
		}
	})
}

// FuzzBindTime checks that time.Time succeeds exactly when time.Parse
// with RFC 3339 does, with the same instant.
func FuzzBindTime(f *testing.F) {
	for _, s := range []string{"2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123+02:00", "2024-13-02T03:04:05Z", "", "2024-01-02"} {
		f.Add(s)
	}
	ps := compileFuzz(f, "T")
	f.Fuzz(func(t *testing.T, s string) {
		in, oks, _ := fuzzBind(t, s, ps)
		want, err := time.Parse(time.RFC3339, s)
		if oks[0] != (err == nil) || err == nil && !in.T.Equal(want) {
			t.Fatalf("%q: got %v %v, want %v %v", s, oks[0], in.T, want, err)
		}
	})
}

// FuzzBindSlice checks that comma-separated slices have one item per
// comma-separated part and fail exactly when a part is empty or does not
// parse.
func FuzzBindSlice(f *testing.F) {
	for _, s := range []string{"", "1", "1,2,3", "1,,2", ",", "a,b", " 1 , 2", "2024-01-02T03:04:05Z"} {
		f.Add(s)
	}
	ps := compileFuzz(f, "S", "H", "TS")
	f.Fuzz(func(t *testing.T, s string) {
		in, oks, _ := fuzzBind(t, s, ps)
		parts := strings.Split(s, ",")
		if s == "" {
			parts = nil
		}
		wantOK := true
		for _, p := range parts {
			_, err := strconv.ParseInt(p, 10, 32)
			wantOK = wantOK && err == nil
		}
		if oks[0] != wantOK || wantOK && len(in.S) != len(parts) {
			t.Fatalf("S %q: got %v %v, want %v with %d items", s, oks[0], in.S, wantOK, len(parts))
		}
		wantOK = true
		for _, p := range parts {
			wantOK = wantOK && strings.Trim(p, " \t") != ""
		}
		if oks[1] != wantOK || wantOK && len(in.H) != len(parts) {
			t.Fatalf("H %q: got %v %v, want %v with %d items", s, oks[1], in.H, wantOK, len(parts))
		}
		if oks[2] && (len(in.TS) != 1 || !strings.Contains(s, "T")) {
			t.Fatalf("TS %q: got %v", s, in.TS)
		}
	})
}
