package middleware

import (
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// CompressOption configures [Compress]. Without options it compresses
// bodies of at least 1024 bytes of the default types (see
// [ContentTypes]). The interface is sealed: build options with the
// constructors below.
type CompressOption interface {
	applyCompress(*compressConfig)
}

type compressOption func(*compressConfig)

func (f compressOption) applyCompress(c *compressConfig) { f(c) }

// compressConfig is what the options of Compress add up to.
type compressConfig struct {
	minSize      int
	contentTypes []string
}

// MinSize sets the smallest body [Compress] compresses, in bytes; smaller
// ones are sent as they are. It defaults to 1024; a value below 1 keeps
// the default.
func MinSize(n int) CompressOption {
	return compressOption(func(c *compressConfig) { c.minSize = n })
}

// ContentTypes lists the media types [Compress] compresses
// ("application/json", "+json" for a suffix, or "text/*" for a whole
// type), in place of the default: text/* other than text/event-stream,
// JSON and XML (with their +json and +xml suffixes), JavaScript, YAML and
// SVG, problems (+json) included. Event streams are never compressed.
func ContentTypes(types ...string) CompressOption {
	types = slices.Clone(types)
	return compressOption(func(c *compressConfig) { c.contentTypes = append(c.contentTypes, types...) })
}

// Compress compresses response bodies with zstd or gzip, whichever the
// client's Accept-Encoding prefers (zstd on a tie), using
// github.com/klauspost/compress. Only bodies of compressible types and at
// least [MinSize] bytes are compressed; responses that already have a
// Content-Encoding, range responses (206, Content-Range), HEAD requests,
// and 1xx, 204 and 304 responses pass through. Compressed responses lose their Content-Length; every response
// that could have been compressed varies by Accept-Encoding. Flushing
// works: what has been written is compressed and sent.
func Compress(opts ...CompressOption) func(http.Handler) http.Handler {
	var c compressConfig
	for _, o := range opts {
		o.applyCompress(&c)
	}
	if c.minSize <= 0 {
		c.minSize = 1024
	}
	if len(c.contentTypes) == 0 {
		c.contentTypes = []string{"text/*", "application/json", "+json", "application/xml", "+xml",
			"application/javascript", "text/javascript", "application/yaml", "image/svg+xml"}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			enc := negotiate(r.Header.Values("Accept-Encoding"))
			if enc == "" || r.Method == http.MethodHead {
				w.Header().Add("Vary", "Accept-Encoding") // another client may get it compressed
				next.ServeHTTP(w, r)
				return
			}
			cw := &compressWriter{ResponseWriter: w, cfg: &c, enc: enc}
			defer cw.close()
			next.ServeHTTP(cw, r)
		})
	}
}

// negotiate picks "zstd", "gzip" or "" from Accept-Encoding values.
func negotiate(values []string) string {
	best, bestQ := "", 0.0
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			name = strings.ToLower(strings.TrimSpace(name))
			q := 1.0
			if k, val, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
				f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil {
					continue
				}
				q = f
			}
			if (name == "zstd" || name == "gzip") && q > 0 && (q > bestQ || q == bestQ && name == "zstd") {
				best, bestQ = name, q
			}
		}
	}
	return best
}

var (
	gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}
	zstdPool = sync.Pool{New: func() any {
		w, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))
		return w
	}}
)

// compressWriter holds back the start of a response until it knows
// whether to compress it.
type compressWriter struct {
	http.ResponseWriter
	cfg     *compressConfig
	enc     string
	status  int
	buf     []byte
	decided bool
	z       io.WriteCloser // the encoder, once compressing
	flusher interface{ Flush() error }
}

func (w *compressWriter) WriteHeader(code int) {
	if code < 200 {
		w.ResponseWriter.WriteHeader(code) // informational: pass on
		return
	}
	if w.status == 0 {
		w.status = code
	}
}

func (w *compressWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !w.decided {
		w.buf = append(w.buf, b...)
		if len(w.buf) < w.cfg.minSize {
			return len(b), nil
		}
		if err := w.decide(true); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	if w.z != nil {
		return w.z.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// decide starts the real response: compressed when big is true (the body
// reached the minimum size, or is being flushed) and its type is compressible.
func (w *compressWriter) decide(big bool) error {
	w.decided = true
	h := w.Header()
	compressible := w.status != http.StatusNoContent && w.status != http.StatusNotModified &&
		w.status != http.StatusPartialContent && h.Get("Content-Range") == "" && // ranges count uncompressed bytes
		h.Get("Content-Encoding") == "" && w.compressibleType(h.Get("Content-Type"))
	if compressible {
		h.Add("Vary", "Accept-Encoding")
	}
	if compressible && big {
		h.Del("Content-Length")
		h.Set("Content-Encoding", w.enc)
		if w.enc == "zstd" {
			z := zstdPool.Get().(*zstd.Encoder)
			z.Reset(w.ResponseWriter)
			w.z, w.flusher = z, z
		} else {
			z := gzipPool.Get().(*gzip.Writer)
			z.Reset(w.ResponseWriter)
			w.z, w.flusher = z, z
		}
	}
	w.ResponseWriter.WriteHeader(w.status)
	buf := w.buf
	w.buf = nil
	if len(buf) == 0 {
		return nil
	}
	var err error
	if w.z != nil {
		_, err = w.z.Write(buf)
	} else {
		_, err = w.ResponseWriter.Write(buf)
	}
	return err
}

func (w *compressWriter) compressibleType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt == "text/event-stream" {
		return false
	}
	for _, want := range w.cfg.contentTypes {
		switch {
		case strings.HasPrefix(want, "+"):
			if strings.HasSuffix(mt, want) {
				return true
			}
		case strings.HasSuffix(want, "/*"):
			if strings.HasPrefix(mt, strings.TrimSuffix(want, "*")) {
				return true
			}
		case mt == want:
			return true
		}
	}
	return false
}

// Flush sends what has been written, compressed if it is being.
func (w *compressWriter) Flush() {
	if !w.decided {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		if w.decide(true) != nil {
			return
		}
	}
	if w.flusher != nil {
		w.flusher.Flush() //nolint:errcheck // a write error shows on the next Write
	}
	http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // not every writer flushes
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *compressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// close finishes the response after the handler returns.
func (w *compressWriter) close() {
	if !w.decided {
		if w.status == 0 && len(w.buf) == 0 {
			return // the handler wrote nothing; net/http sends its default
		}
		if w.status == 0 {
			w.status = http.StatusOK
		}
		w.decide(false) //nolint:errcheck // the client may be gone
		return
	}
	if w.z == nil {
		return
	}
	w.z.Close() //nolint:errcheck // the client may be gone
	switch z := w.z.(type) {
	case *zstd.Encoder:
		z.Reset(nil)
		zstdPool.Put(z)
	case *gzip.Writer:
		z.Reset(io.Discard)
		gzipPool.Put(z)
	}
	w.z = nil
}
