package verr

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPathPointer(t *testing.T) {
	t.Parallel()
	var p Path
	p.SetBody()
	p.Push("items")
	p.PushIndex(3)
	p.Push("a/b~c")
	if got, want := p.Pointer(), "/items/3/a~1b~0c"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	p.Pop()
	p.Pop()
	if got, want := p.Pointer(), "/items"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var l List
	l.Report(&p, "minItems", "too few")
	p.SetParam("limit", "query")
	l.ReportValue(&p, "minimum", "too small", 0)
	want := []Error{
		{Detail: "too few", Pointer: "/items", Code: "minItems"},
		{Detail: "too small", Parameter: "limit", In: "query", Code: "minimum", Value: 0, HasValue: true},
	}
	if diff := cmp.Diff(want, l.Items); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestListCap(t *testing.T) {
	t.Parallel()
	var l List
	var p Path
	for range MaxItems + 5 {
		l.Report(&p, "type", "bad")
	}
	if len(l.Items) != MaxItems || l.Dropped != 5 || l.Len() != MaxItems+5 {
		t.Errorf("got %d items, %d dropped, Len %d; want %d, 5, %d", len(l.Items), l.Dropped, l.Len(), MaxItems, MaxItems+5)
	}
	l.Reset()
	if l.Len() != 0 {
		t.Errorf("got Len %d after Reset, want 0", l.Len())
	}
}

func TestPathAllocs(t *testing.T) {
	var p Path
	p.Push("warm")
	p.Pop()
	if n := testing.AllocsPerRun(100, func() {
		p.SetBody()
		p.Push("a")
		p.PushIndex(1)
		p.Pop()
		p.Pop()
	}); n != 0 {
		t.Errorf("got %v allocs, want 0", n)
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcdef", 3, "abc…"},
		{"héllo", 2, "h…"},  // not inside the é
		{"/a~1b", 3, "/a…"}, // not between "~" and its digit
		{"/a~1b", 4, "/a~1…"},
		{"", 0, ""},
	} {
		if got := Clip(tt.s, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

// TestEchoBounded checks that what a failure repeats of the request is
// clipped: a member name, a pointer thousands of levels deep, a
// parameter name.
func TestEchoBounded(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("n", 500<<10)
	var p Path
	p.SetBody()
	p.Push("items")
	p.Push(long)
	if got := p.Pointer(); len(got) > MaxEcho+len("…") || !strings.HasPrefix(got, "/items/nnn") || !strings.HasSuffix(got, "…") {
		t.Errorf("pointer of a 500 KB name: %d bytes, %.20q...%q", len(got), got, got[max(0, len(got)-10):])
	}
	p.SetBody()
	for range 5000 {
		p.PushIndex(0)
	}
	if got := p.Pointer(); len(got) > MaxEcho+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("pointer 5,000 deep: %d bytes", len(got))
	}
	var l List
	p.SetParam(long, "form")
	l.Report(&p, "additionalProperties", "unknown")
	if got := l.Items[0].Parameter; len(got) > MaxEcho+len("…") {
		t.Errorf("parameter name of %d bytes", len(got))
	}
}

func TestWithin(t *testing.T) {
	t.Parallel()
	var l List
	l.Add(Error{Pointer: "/items/1/name"})
	l.Add(Error{Parameter: "limit", In: "query"})
	for _, tt := range []struct {
		name   string
		at     func(p *Path)
		within bool
	}{
		{"root", func(p *Path) { p.SetBody() }, true},
		{"ancestor", func(p *Path) { p.SetBody(); p.Push("items") }, true},
		{"itself", func(p *Path) { p.SetBody(); p.Push("items"); p.PushIndex(1); p.Push("name") }, true},
		{"sibling", func(p *Path) { p.SetBody(); p.Push("items"); p.PushIndex(0) }, false},
		{"prefix of a name is not an ancestor", func(p *Path) { p.SetBody(); p.Push("item") }, false},
		{"below", func(p *Path) { p.SetBody(); p.Push("items"); p.PushIndex(1); p.Push("name"); p.Push("x") }, false},
		{"that parameter", func(p *Path) { p.SetParam("limit", "query") }, true},
		{"another location", func(p *Path) { p.SetParam("limit", "header") }, false},
	} {
		var p Path
		tt.at(&p)
		if got := l.Within(&p); got != tt.within {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.within)
		}
	}
	var empty List
	if empty.Within(&Path{}) {
		t.Error("an empty list: got true")
	}
	empty.Dropped = 1
	if !empty.Within(&Path{}) {
		t.Error("a list that dropped failures: got false")
	}
}
