// Package nethttp holds the tests that show routers built on net/http
// need no adapter: net/http's ServeMux, chi and gorilla/mux take
// v.Middleware() as it is (it is a func(http.Handler) http.Handler), and
// echo takes it through echo.WrapMiddleware. Handlers read the verified
// token with verify.TokenFromContext(r.Context()).
package nethttp
