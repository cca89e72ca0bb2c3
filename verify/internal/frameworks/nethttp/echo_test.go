package nethttp_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/internal/authtest"
)

func TestEcho(t *testing.T) {
	f := authtest.New(t)
	v := f.Verifier

	e := echo.New()
	api := e.Group("/api", echo.WrapMiddleware(v.Middleware()))
	api.GET("/me", func(c echo.Context) error {
		tok, ok := verify.TokenFromContext(c.Request().Context())
		if !ok {
			return c.String(http.StatusUnauthorized, "sign in first")
		}
		return c.String(http.StatusOK, "hello "+tok.UID)
	})

	srv := httptest.NewServer(e)
	defer srv.Close()
	for _, c := range f.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			authtest.CheckHTTP(t, c, authtest.Get(t, srv.URL+"/api/me", c.Token))
		})
	}
}
