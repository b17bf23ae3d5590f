module github.com/roux-go/roux/jwt

go 1.26.0

replace github.com/roux-go/roux => ../

require (
	github.com/golang-jwt/jwt/v5 v5.3.1
	github.com/google/go-cmp v0.7.0
	github.com/roux-go/roux v0.1.0
)

require github.com/go-json-experiment/json v1.27.2 // indirect
