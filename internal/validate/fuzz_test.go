package validate

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/roux-go/roux/internal/verr"
)

type fuzzed struct {
	I     int8           `json:"i" minimum:"-5" exclusiveMaximum:"100" multipleOf:"3"`
	U     uint32         `json:"u" maximum:"1000" multipleOf:"7"`
	F     float64        `json:"f" minimum:"-1.5" multipleOf:"0.25"`
	F32   float32        `json:"f32" exclusiveMinimum:"0.1" multipleOf:"0.1"`
	S     string         `json:"s" minLength:"1" maxLength:"5" pattern:"^[a-z]*$"`
	Enum  string         `json:"enum" enum:"a,b"`
	DT    string         `json:"dt" format:"date-time"`
	Date  string         `json:"date" format:"date"`
	Time  string         `json:"time" format:"time"`
	Email string         `json:"email" format:"email"`
	UUID  string         `json:"uuid" format:"uuid"`
	URI   string         `json:"uri" format:"uri"`
	IPv4  string         `json:"ipv4" format:"ipv4"`
	IPv6  string         `json:"ipv6" format:"ipv6"`
	Host  string         `json:"host" format:"hostname"`
	Tags  []string       `json:"tags" uniqueItems:"true" maxLength:"3"`
	M     map[string]int `json:"m" minimum:"0"`
}

// FuzzValidate writes arbitrary values into a struct with every keyword
// and checks that validation never panics, that every failure is well
// formed, and that the length and date checks agree with independent
// implementations.
func FuzzValidate(f *testing.F) {
	f.Add(int64(3), uint64(14), 0.5, "abc")
	f.Add(int64(-128), uint64(1<<40), -1.75, "2024-02-29T23:59:60Z")
	f.Add(int64(99), uint64(0), 1e300, "héé,héé")
	f.Add(int64(0), uint64(7), 0.3, "2024-02-29")
	v := compileFor[fuzzed](&testing.T{})
	f.Fuzz(func(t *testing.T, i int64, u uint64, fl float64, s string) {
		x := fuzzed{
			I: int8(i), U: uint32(u), F: fl, F32: float32(fl), S: s, Enum: s, DT: s, Date: s, Time: s, Email: s,
			UUID: s, URI: s, IPv4: s, IPv6: s, Host: s, Tags: strings.Split(s, ","), M: map[string]int{s: int(i)},
		}
		var path verr.Path
		var errs verr.List
		path.SetBody()
		v.ValidateValue(&x, &path, &errs)
		failed := map[string]bool{}
		for _, e := range errs.Items {
			if e.Code == "" || e.Detail == "" || !strings.HasPrefix(e.Pointer, "/") {
				t.Fatalf("malformed failure %+v", e)
			}
			failed[e.Pointer+" "+e.Code] = true
		}
		n := utf8.RuneCountInString(s)
		if got, want := failed["/s maxLength"], n > 5; got != want {
			t.Errorf("maxLength 5 of %q: got failed=%v, want %v", s, got, want)
		}
		if got, want := failed["/s minLength"], n < 1; got != want {
			t.Errorf("minLength 1 of %q: got failed=%v, want %v", s, got, want)
		}
		_, err := time.Parse(time.DateOnly, s)
		if got, want := failed["/date format"], err != nil; got != want {
			t.Errorf("date %q: got failed=%v, want %v (time.Parse: %v)", s, got, want, err)
		}
	})
}
