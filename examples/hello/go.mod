module github.com/roux-go/roux/examples/hello

go 1.26.0

require github.com/roux-go/roux v0.0.0

require github.com/go-json-experiment/json v1.27.2 // indirect

replace github.com/roux-go/roux => ../../
