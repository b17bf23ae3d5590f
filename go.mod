module github.com/roux-go/roux

go 1.26.0

require (
	github.com/go-json-experiment/json v1.27.2
	github.com/google/go-cmp v0.7.0
)

require github.com/klauspost/compress v1.20.4

require golang.org/x/sync v0.25.0

require github.com/coder/websocket v1.8.15

require golang.org/x/time v0.16.0
