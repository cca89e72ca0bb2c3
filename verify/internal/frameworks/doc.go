// Package frameworks is the proof that routers built on net/http need no
// adapter: net/http's ServeMux, chi, gorilla/mux and echo take
// v.Middleware() as it is (see nethttp). It is a module of its own so that
// fbverify does not depend on any of them.
//
// gin, fiber, gRPC and connect need an adapter each; those are published
// modules under verify/ (verify/ginauth, verify/fiberauth,
// verify/grpcauth, verify/connectauth), each with its own tests.
//
// It lives below verify/ so that its tests share the adapters' fixture,
// verify/internal/authtest; README.md here shows each router's snippet,
// cut from these tests.
package frameworks
