// Package middleware holds net/http middleware for roux services, one
// concern per file. Each constructor returns a func(http.Handler)
// http.Handler, so it works with any net/http code and attaches to a roux
// API (API.Use), a group or an operation (roux.Middleware):
//
//	api.Use(
//		middleware.Recover(logger),
//		middleware.RequestID(),
//		middleware.AccessLog(logger),
//		middleware.Compress(middleware.CompressConfig{}),
//	)
//
// Errors these middleware produce (413, 500, 503, CORS rejections) are
// RFC 9457 application/problem+json responses, like roux's own. The
// package does not import roux: it stands apart on net/http.
//
// Constructors check their configuration when they are called and panic
// on a configuration that cannot work (a CORS policy allowing credentials
// from any origin, say), as regexp.MustCompile does: such mistakes are
// found at start-up.
package middleware
