package verr

import (
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
