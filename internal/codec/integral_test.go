package codec

import (
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

func TestIntegral(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, want string // want: the plain form, "fraction" or "big"
	}{
		{"1.0", "1"},
		{"1e2", "100"},
		{"1E+2", "100"},
		{"-1.50e1", "-15"},
		{"100e-2", "1"},
		{"0.05e2", "5"},
		{"10.5e1", "105"},
		{"0.0", "0"},
		{"-0.0e-7", "-0"},
		{"0e999999", "0"},
		{"1.5", "fraction"},
		{"15e-1", "fraction"},
		{"1e-999999", "fraction"},
		{"1.0000000000000000000001e1", "fraction"},
		{"18446744073709551615.0", "18446744073709551615"},
		{"1e19", "10000000000000000000"},
		{"1e20", "big"},
		{"1e999999", "big"},
		{"-1e99999999999999999999999", "big"},
		{"1." + strings.Repeat("0", 3000) + "1e4000", "big"},
		{"1" + strings.Repeat("0", 3000) + "e-3000", "1"},
	} {
		got, big, ok := integral(nil, jsontext.Value(tt.in))
		s := string(got)
		switch {
		case !ok:
			s = "fraction"
		case big:
			s = "big"
		}
		if s != tt.want {
			t.Errorf("integral(%.40q) = %q, want %q", tt.in, s, tt.want)
		}
	}
}

// FuzzIntegral checks integral against math/big's exact reading of the
// number, for exponents small enough for math/big to be quick.
func FuzzIntegral(f *testing.F) {
	for _, s := range []string{"1.0", "1e2", "-1.5e1", "100e-2", "0.0", "1e20", "9.99e19", "123.456e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v := jsontext.Value(in)
		if v.Kind() != '0' || !v.IsValid() || strings.TrimSpace(in) != in || !strings.ContainsAny(in, ".eE") {
			t.Skip()
		}
		if i := strings.IndexAny(in, "eE"); i >= 0 {
			if e, err := strconv.Atoi(in[i+1:]); err != nil || e > 400 || e < -400 {
				t.Skip()
			}
		}
		r, ok := new(big.Rat).SetString(in)
		if !ok {
			t.Fatalf("math/big cannot read %q", in)
		}
		got, isBig, isInt := integral(nil, v)
		switch {
		case isInt != r.IsInt():
			t.Fatalf("integral(%q) reports integer %v, math/big %v", in, isInt, r.IsInt())
		case !isInt:
		case isBig:
			if n := len(new(big.Int).Abs(r.Num()).String()); n <= maxIntegralDigits {
				t.Fatalf("integral(%q) reports big, but it has %d digits", in, n)
			}
		default:
			want := r.Num().String()
			if r.Sign() == 0 && in[0] == '-' {
				want = "-0"
			}
			if string(got) != want {
				t.Fatalf("integral(%q) = %q, want %q", in, got, want)
			}
		}
	})
}
