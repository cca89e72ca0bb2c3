// Package frameworks is the proof that fbverify plugs into the common Go
// web and RPC frameworks. It is a module of its own so that fbverify does
// not depend on any of them:
//
//   - nethttp: net/http, chi, gorilla/mux and echo take v.Middleware() as
//     it is;
//   - ginauth, fiberauth, grpcauth, connectauth: a small adapter each, to
//     copy into a project, with tests against a real server on loopback.
//
// This package's own test checks that the Go snippets of the README's
// framework section are cut from this module's code.
package frameworks
