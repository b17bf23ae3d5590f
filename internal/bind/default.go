package bind

import (
	"fmt"
	"strconv"
	"unsafe"
)

// compileDefault decodes the schema's default value v (as
// schema.ParseValue made it from the tag) with p's codec, once, so Bind
// only copies it.
func (p *Param) compileDefault(v any) error {
	var texts []string
	if p.slice {
		items, ok := v.([]any)
		if !ok {
			return fmt.Errorf("default %v: want a list for a slice parameter", v)
		}
		for _, item := range items {
			t, err := defaultText(item)
			if err != nil {
				return err
			}
			texts = append(texts, t)
		}
	} else {
		t, err := defaultText(v)
		if err != nil {
			return err
		}
		texts = []string{t}
	}
	p.def = p.c.newArray(len(texts))
	for i, t := range texts {
		if err := p.c.decode(t, unsafe.Add(p.def, uintptr(i)*p.c.size)); err != nil {
			_, detail := p.failure(err, t)
			return fmt.Errorf("default %q %s", t, detail)
		}
	}
	p.hasDef, p.defN, p.defTexts = true, len(texts), texts
	return nil
}

// defaultText turns one JSON value of a default back into parameter text.
func defaultText(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case uint64:
		return strconv.FormatUint(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil // 'f': integers stay integers
	}
	return "", fmt.Errorf("default %v cannot be a parameter value", v)
}
