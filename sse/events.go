package sse

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/roux-go/roux/internal/wire"
)

// eventSet is what an event union type E declares: one event per field.
type eventSet struct {
	typ    reflect.Type
	events []event // in field order
	byName map[string]int
}

// event is one field of an event union.
type event struct {
	name  string       // the event tag
	field int          // field index in E
	data  reflect.Type // the type the pointer field points to
}

// sets caches the eventSet (or the error) of each union type; it is
// filled once per type and never changed.
var sets sync.Map // reflect.Type -> *eventSet or error

// eventsOf returns the events that the union type t declares, or an
// error saying why t is not an event union.
func eventsOf(t reflect.Type) (*eventSet, error) {
	if v, ok := sets.Load(t); ok {
		if err, isErr := v.(error); isErr {
			return nil, err
		}
		return v.(*eventSet), nil
	}
	set, err := compileEvents(t)
	if err != nil {
		sets.Store(t, err)
		return nil, err
	}
	sets.Store(t, set)
	return set, nil
}

func compileEvents(t reflect.Type) (*eventSet, error) {
	const how = "declare each event as a pointer field tagged with its name, such as Progress *Progress `event:\"progress\"`"
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("sse: event type %v must be a struct of pointer fields; %s", t, how)
	}
	if t.NumField() == 0 {
		return nil, fmt.Errorf("sse: event type %v declares no event; %s", t, how)
	}
	set := &eventSet{typ: t, byName: make(map[string]int, t.NumField())}
	for i := range t.NumField() {
		f := t.Field(i)
		name, tagged := f.Tag.Lookup("event")
		switch {
		case !tagged:
			return nil, fmt.Errorf("sse: field %s of event type %v has no event tag; %s", f.Name, t, how)
		case !f.IsExported() || f.Anonymous:
			return nil, fmt.Errorf("sse: field %s of event type %v must be an exported, named field", f.Name, t)
		case f.Type.Kind() != reflect.Pointer:
			return nil, fmt.Errorf("sse: field %s of event type %v must be a pointer (*%v), so that the one event sent is the one field set", f.Name, t, f.Type)
		}
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("sse: field %s of event type %v: %w", f.Name, t, err)
		}
		if j, dup := set.byName[name]; dup {
			return nil, fmt.Errorf("sse: fields %s and %s of event type %v are both tagged event:%q; event names must be unique", t.Field(set.events[j].field).Name, f.Name, t, name)
		}
		// Encoding the zero value finds the types the encoder refuses now
		// rather than on the first event.
		if err := json.MarshalWrite(io.Discard, reflect.New(f.Type.Elem()).Interface(), wire.JSON); err != nil {
			return nil, fmt.Errorf("sse: field %s of event type %v: %v cannot be encoded as JSON: %w", f.Name, t, f.Type.Elem(), err)
		}
		set.byName[name] = len(set.events)
		set.events = append(set.events, event{name: name, field: i, data: f.Type.Elem()})
	}
	return set, nil
}

// checkName reports whether name can be sent as an event type: the
// event-stream format ends a field at CR or LF, drops one leading space
// of a value and decodes the stream as UTF-8.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New(`the event tag is empty; name the event, such as event:"progress"`)
	case !utf8.ValidString(name):
		return fmt.Errorf("event name %q is not valid UTF-8", name)
	case strings.HasPrefix(name, " ") || strings.HasSuffix(name, " "):
		return fmt.Errorf("event name %q starts or ends with a space", name)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("event name %q contains a control character", name)
	}
	return nil
}

// which returns the one event set in the union value v.
func (s *eventSet) which(v reflect.Value) (*event, error) {
	var found *event
	for i := range s.events {
		if v.Field(s.events[i].field).IsNil() {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("sse: %v has both %s and %s set; send one event at a time", s.typ, s.typ.Field(found.field).Name, s.typ.Field(s.events[i].field).Name)
		}
		found = &s.events[i]
	}
	if found == nil {
		return nil, fmt.Errorf("sse: %v has no event set; set exactly one of its fields", s.typ)
	}
	return found, nil
}
