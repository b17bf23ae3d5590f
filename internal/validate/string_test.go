package validate

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/roux-go/roux/internal/verr"
)

type color string

type strs struct {
	Short  string     `json:"short" maxLength:"3"`
	Long   string     `json:"long" minLength:"2"`
	Word   string     `json:"word" pattern:"^[a-z]+$"`
	Sub    string     `json:"sub" pattern:"b+"`
	Mode   string     `json:"mode" enum:"all,summary"`
	Color  color      `json:"color" enum:"red,green"`
	Secret string     `json:"secret" format:"password" minLength:"8"`
	Hidden string     `json:"hidden" writeOnly:"true" maxLength:"2"`
	When   time.Time  `json:"when" pattern:"^2024-"`
	Data   []byte     `json:"data" maxLength:"4"`
	Addr   netip.Addr `json:"addr" format:"ipv4"`
	PMode  *string    `json:"pmode,omitempty" enum:"a,b"`
	Codes  []*string  `json:"codes,omitempty" pattern:"^[A-Z]+$"`
}

func validStrs() strs {
	return strs{
		Short: "héé", Long: "ab", Word: "abc", Sub: "abbc", Mode: "all", Color: "red", Secret: "12345678",
		Hidden: "ab", When: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Data: []byte{1, 2, 3},
		Addr: netip.MustParseAddr("10.0.0.1"),
	}
}

func TestStrings(t *testing.T) {
	t.Parallel()
	v := compileFor[strs](t)
	for _, tt := range []struct {
		name string
		edit func(*strs)
		want []string
	}{
		{"valid (maxLength 3 holds héé, 5 bytes)", func(*strs) {}, nil},
		{"maxLength 3: héée fails", func(s *strs) { s.Short = "héée" }, []string{"/short maxLength"}},
		{"minLength 2: é (2 bytes) fails", func(s *strs) { s.Long = "é" }, []string{"/long minLength"}},
		{"minLength 2: 日本 passes", func(s *strs) { s.Long = "日本" }, nil},
		{"pattern: ABC fails", func(s *strs) { s.Word = "ABC" }, []string{"/word pattern"}},
		{"pattern is unanchored: xbx passes", func(s *strs) { s.Sub = "xbx" }, nil},
		{"pattern is unanchored: ac fails", func(s *strs) { s.Sub = "ac" }, []string{"/sub pattern"}},
		{"enum: none fails", func(s *strs) { s.Mode = "none" }, []string{"/mode enum"}},
		{"enum on named type", func(s *strs) { s.Color = "blue" }, []string{"/color enum"}},
		{"time checked on its text", func(s *strs) { s.When = s.When.AddDate(-1, 0, 0) }, []string{"/when pattern"}},
		{"bytes checked as base64: 4 bytes are 8 characters", func(s *strs) { s.Data = []byte{1, 2, 3, 4} }, []string{"/data maxLength"}},
		{"nullable enum: nil is skipped", func(s *strs) { s.PMode = nil }, nil},
		{"nullable enum: a passes", func(s *strs) { s.PMode = ptr("a") }, nil},
		{"nullable enum: c fails", func(s *strs) { s.PMode = ptr("c") }, []string{"/pmode enum"}},
		{"pointer elements", func(s *strs) { s.Codes = []*string{ptr("AB"), nil, ptr("x")} }, []string{"/codes/2 pattern"}},
		{"TextMarshaler checked on its text", func(s *strs) { s.Addr = netip.MustParseAddr("::1") }, []string{"/addr format"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := validStrs()
			tt.edit(&in)
			if diff := cmp.Diff(tt.want, where(failures(v, in))); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStringDetails(t *testing.T) {
	t.Parallel()
	v := compileFor[strs](t)
	in := validStrs()
	long := strings.Repeat("x", 201)
	in.Short, in.Word, in.Mode, in.Secret, in.Hidden = "abcd", "a1", long, "short", "abc"
	want := []verr.Error{
		{Detail: "must be at most 3 characters long", Pointer: "/short", Code: "maxLength", Value: "abcd", HasValue: true},
		{Detail: "must match pattern ^[a-z]+$", Pointer: "/word", Code: "pattern", Value: "a1", HasValue: true},
		{Detail: "must be one of: all, summary", Pointer: "/mode", Code: "enum"}, // over 200 bytes: not echoed
		{Detail: "must be at least 8 characters long", Pointer: "/secret", Code: "minLength"},
		{Detail: "must be at most 2 characters long", Pointer: "/hidden", Code: "maxLength"},
	}
	if diff := cmp.Diff(want, failures(v, in)); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
}

type formats struct {
	DateTime string    `json:"dateTime,omitempty" format:"date-time"`
	Date     string    `json:"date,omitempty" format:"date"`
	Time     string    `json:"time,omitempty" format:"time"`
	Email    string    `json:"email,omitempty" format:"email"`
	UUID     string    `json:"uuid,omitempty" format:"uuid"`
	URI      string    `json:"uri,omitempty" format:"uri"`
	IPv4     string    `json:"ipv4,omitempty" format:"ipv4"`
	IPv6     string    `json:"ipv6,omitempty" format:"ipv6"`
	Hostname string    `json:"hostname,omitempty" format:"hostname"`
	Regex    string    `json:"regex,omitempty" format:"regex"` // an annotation
	Stamp    time.Time `json:"stamp" format:"date-time"`       // always valid
}

func TestFormatDetail(t *testing.T) {
	t.Parallel()
	v := compileFor[formats](t)
	got := failures(v, formats{Email: "Joe <joe@example.com>", Regex: "(", Stamp: time.Time{}})
	want := []verr.Error{{Detail: "must be a valid email address", Pointer: "/email", Code: "format", Value: "Joe <joe@example.com>", HasValue: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
}
