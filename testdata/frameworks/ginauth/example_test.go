package ginauth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/fbverify/fbverify/testdata/frameworks/ginauth"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func ExampleWrap() {
	signer := verifytest.NewSigner("my-project") // a fake Firebase, for the example
	defer signer.Close()
	v, _ := signer.Verifier()
	defer v.Close()

	r := gin.New()
	r.GET("/me", ginauth.Wrap(v.Middleware()), func(c *gin.Context) {
		tok, _ := ginauth.Token(c)
		c.String(http.StatusOK, "hello %s", tok.UID)
	})
	srv := httptest.NewServer(r)
	defer srv.Close()

	for _, token := range []string{signer.IDToken("ada"), ""} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/me", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 200 hello ada
	// 401 {"error":"unauthorized","code":"no_token","message":"no token"}
}
