package bind

import (
	"strconv"
	"strings"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
)

// maxEcho is the length from which a raw value is no longer echoed in a
// failure (nor a decoder's error text, which usually quotes it).
const maxEcho = 100

// maxItemReports caps the failures one slice parameter reports, so a long
// query of bad items cannot multiply into a huge error response.
const maxItemReports = 10

// sliceHeader is the memory layout of every Go slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// Bind decodes vals, all the values given for p in order (nil or empty when
// the parameter is absent), into p's field of the struct at base. vals is
// only read; a string field keeps the string as given.
//
// When p is absent and Required, Bind reports a "required" failure; when
// absent and not required it copies in the default, if there is one, and
// otherwise leaves the field alone. Failures are added to errs at
// path.SetParam(p.Name, p.In).
//
// Bind returns whether the field now holds a value the validator should
// check: true when a value was present and decoded or the default was
// applied, false when the parameter was absent without default or a value
// failed to decode (that failure is already in errs).
func (p *Param) Bind(vals []string, base unsafe.Pointer, path *verr.Path, errs *verr.List) bool {
	field := unsafe.Add(base, p.Offset)
	switch {
	case len(vals) == 0 && p.Required:
		path.SetParam(p.Name, string(p.In))
		errs.Report(path, "required", p.missing)
		return false
	case len(vals) == 0 && p.hasDef:
		p.setDefault(field)
		return true
	case len(vals) == 0:
		return false
	case p.slice:
		return p.bindSlice(vals, field, path, errs)
	}
	dst := field
	if p.pointer {
		dst = p.c.newArray(1)
	}
	if err := p.c.decode(vals[0], dst); err != nil {
		p.report(err, 0, vals[0], path, errs)
		return false
	}
	if p.pointer {
		*(*unsafe.Pointer)(field) = dst
	}
	return true
}

// bindSlice decodes every item of vals into a new backing array and, if
// all succeed, stores the slice in field.
func (p *Param) bindSlice(vals []string, field unsafe.Pointer, path *verr.Path, errs *verr.List) bool {
	n := len(vals)
	if !p.Explode {
		n = 0
		if len(vals) > 1 || vals[0] != "" { // one empty value is the empty slice
			for _, v := range vals {
				n += strings.Count(v, ",") + 1
			}
		}
	}
	data := p.c.newArray(n)
	bad, i := 0, 0
	for _, v := range vals {
		if p.Explode {
			p.item(v, i, data, &bad, path, errs)
			i++
			continue
		}
		for more := n > 0; more; i++ {
			var item string
			item, v, more = strings.Cut(v, ",")
			if p.trim {
				item = strings.Trim(item, " \t")
			}
			p.item(item, i, data, &bad, path, errs)
		}
	}
	if bad > 0 {
		return false
	}
	p.storeSlice(field, data, n)
	return true
}

// item decodes item i of a slice into data, counting and reporting a
// failure.
func (p *Param) item(s string, i int, data unsafe.Pointer, bad *int, path *verr.Path, errs *verr.List) {
	err := errEmpty
	if s != "" || p.Explode {
		err = p.c.decode(s, unsafe.Add(data, uintptr(i)*p.c.size))
	}
	if err == nil {
		return
	}
	if *bad++; *bad <= maxItemReports {
		p.report(err, i+1, s, path, errs)
	}
}

// storeSlice stores the slice of n values at data in field, through a new
// slice header if the field is a pointer to a slice.
func (p *Param) storeSlice(field, data unsafe.Pointer, n int) {
	h := sliceHeader{data: data, len: n, cap: n}
	if p.pointer {
		hp := new(sliceHeader) // laid out, and so scanned, like any slice
		*hp = h
		*(*unsafe.Pointer)(field) = unsafe.Pointer(hp)
		return
	}
	*(*sliceHeader)(field) = h
}

// setDefault stores a fresh copy of the default in field.
func (p *Param) setDefault(field unsafe.Pointer) {
	data := field
	if p.slice || p.pointer {
		data = p.c.newArray(p.defN)
	}
	for i := range p.defN {
		off := uintptr(i) * p.c.size
		if p.c.copy != nil {
			p.c.copy(unsafe.Add(data, off), unsafe.Add(p.def, off))
			continue
		}
		// Compile decoded this text without error; a decoder that fails
		// on it now leaves the zero value.
		_ = p.c.decode(p.defTexts[i], unsafe.Add(data, off))
	}
	switch {
	case p.slice:
		p.storeSlice(field, data, p.defN)
	case p.pointer:
		*(*unsafe.Pointer)(field) = data
	}
}

// report adds the failure err of raw (item i of a slice, 1-based; 0 for a
// scalar) to errs.
func (p *Param) report(err error, i int, raw string, path *verr.Path, errs *verr.List) {
	code, detail := p.failure(err, raw)
	if i > 0 {
		detail = "item " + strconv.Itoa(i) + " " + detail
	}
	path.SetParam(p.Name, string(p.In))
	if len(raw) < maxEcho {
		errs.ReportValue(path, code, detail, raw)
		return
	}
	errs.Report(path, code, detail)
}

// failure returns the code and detail of decode error err of raw.
func (p *Param) failure(err error, raw string) (code, detail string) {
	switch err {
	case errType:
		return "type", p.c.detail
	case errEmpty:
		return "type", "is empty"
	case errNotFinite:
		return "type", "must be a finite number"
	case errMax:
		return "maximum", p.c.maxDetail
	case errMin:
		return "minimum", p.c.minDetail
	}
	if p.c.passThrough && len(raw) < maxEcho {
		// A custom type's error may quote the value at length.
		return p.c.code, p.c.detail + ": " + verr.Clip(err.Error(), verr.MaxCause)
	}
	return p.c.code, p.c.detail
}
