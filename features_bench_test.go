package roux_test

import (
	"net/http"
	"testing"
)

// BenchmarkFeatures measures the requests of the features API that use
// them: a merge patch (Optional members decoded, validated and applied),
// an input Validate method, and body and nested Validate methods.
func BenchmarkFeatures(b *testing.B) {
	for _, bm := range []struct {
		name, method, target, body string
		status                     int
	}{
		{"patch", "PATCH", "/dishes/1", `{"name":"Fries","description":null,"price":4.5,"allergens":{"gluten":"traces"}}`, 200},
		{"input-validate", "GET", "/dishes?min_price=1&max_price=2", "", 200},
		{"body-validate", "POST", "/tickets?kitchen=north", `{"dish":"x","station":"cold","backup":"fry","window":{"from":1,"to":2}}`, 200},
	} {
		b.Run(bm.name, func(b *testing.B) {
			api := newFeaturesAPI().api
			body := &rewindBody{}
			body.Reset([]byte(bm.body))
			req, _ := http.NewRequest(bm.method, bm.target, body)
			req.Header.Set("Content-Type", "application/json")
			req.ContentLength = int64(len(bm.body))
			w := &discardWriter{h: http.Header{}}
			api.ServeHTTP(w, req)
			if w.status != bm.status {
				b.Fatalf("got status %d", w.status)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				body.Reset([]byte(bm.body))
				w.reset()
				api.ServeHTTP(w, req)
			}
		})
	}
}
