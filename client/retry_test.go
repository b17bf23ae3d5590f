package client

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{" 5 ", 5 * time.Second, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"Sunday, 01-Jun-25 12:00:30 GMT", 30 * time.Second, true}, // RFC 850
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},     // in the past: now
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"99999999999", 0, false},
		{"soon", 0, false},
	} {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		opts     []Option
		attempt  int
		min, max time.Duration
	}{
		{"defaults, first", nil, 1, 50 * time.Millisecond, 100 * time.Millisecond},
		{"defaults, third", nil, 3, 200 * time.Millisecond, 400 * time.Millisecond},
		{"capped", nil, 30, 2500 * time.Millisecond, 5 * time.Second},
		{"given", []Option{RetryBackoff(time.Second, 3*time.Second)}, 2, time.Second, 2 * time.Second},
		{"given, capped", []Option{RetryBackoff(time.Second, 3*time.Second)}, 5, 1500 * time.Millisecond, 3 * time.Second},
		{"first given, default cap", []Option{RetryBackoff(time.Second, 0)}, 5, 2500 * time.Millisecond, 5 * time.Second},
	} {
		cfg := defaults
		for _, o := range tt.opts {
			o.apply(&cfg)
		}
		for range 100 {
			if got := cfg.retry.wait(tt.attempt); got < tt.min || got > tt.max {
				t.Fatalf("%s: wait(%d) = %v, want within [%v, %v]", tt.name, tt.attempt, got, tt.min, tt.max)
			}
		}
	}
}

func TestIdempotent(t *testing.T) {
	t.Parallel()
	for m, want := range map[string]bool{"GET": true, "HEAD": true, "PUT": true, "DELETE": true, "OPTIONS": true, "TRACE": true, "POST": false, "PATCH": false, "QUERY": false} {
		if got := idempotent(m); got != want {
			t.Errorf("idempotent(%s) = %v, want %v", m, got, want)
		}
	}
}

func TestBuildPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		pattern       string
		vals          map[string]string
		esc, dec, err string
	}{
		{"/a/{x}", map[string]string{"x": "b c/d"}, "/a/b%20c%2Fd", "/a/b c/d", ""},
		{"/a/{rest...}", map[string]string{"rest": "b c/d"}, "/a/b%20c/d", "/a/b c/d", ""},
		{"/a/{rest...}", map[string]string{"rest": ""}, "/a/", "/a/", ""},
		{"/a/{rest...}", map[string]string{"rest": "b/"}, "/a/b/", "/a/b/", ""},
		{"/a/{$}", nil, "/a/", "/a/", ""},
		{"/static/", nil, "/static/", "/static/", ""},
		{"/a b/{x}", map[string]string{"x": "%"}, "/a%20b/%25", "/a b/%", ""},
		{"/a/{x}/b", map[string]string{"x": ""}, "", "", `path parameter "x" is empty`},
		{"/a/{x}/b", map[string]string{"x": "."}, "", "", `has an empty, "." or ".." segment`},
		{"/a/{x}/b", map[string]string{"x": "c/"}, "", "", `has an empty`},
		{"/a/{rest...}", map[string]string{"rest": "../etc"}, "", "", `has an empty`},
	} {
		esc, dec, err := buildPath(tt.pattern, tt.vals)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("buildPath(%q, %v): got error %v, want %q", tt.pattern, tt.vals, err, tt.err)
		case tt.err == "" && (err != nil || esc != tt.esc || dec != tt.dec):
			t.Errorf("buildPath(%q, %v) = %q, %q, %v; want %q, %q", tt.pattern, tt.vals, esc, dec, err, tt.esc, tt.dec)
		}
	}
}
