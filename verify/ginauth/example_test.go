package ginauth_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/ginauth"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func ExampleNew() {
	// In production: v, err := verify.New("my-project"), then defer v.Close().
	signer := verifytest.NewSigner("my-project") // a fake Firebase, for the example
	defer signer.Close()
	v, _ := signer.Verifier()
	defer v.Close()

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/me", ginauth.New(v), func(c *gin.Context) {
		tok, _ := ginauth.Token(c)
		c.String(http.StatusOK, "hello %s", tok.UID)
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	client := &http.Client{Timeout: 10 * time.Second}
	url := "http://" + ln.Addr().String() + "/me"
	for _, token := range []string{signer.IDToken("ada"), ""} {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
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

func ExampleNew_options() {
	signer := verifytest.NewSigner("my-project")
	defer signer.Close()
	v, _ := signer.SessionCookieVerifier()
	defer v.Close()

	// Guests are welcome; signed-in users carry a session cookie.
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/", ginauth.New(v, verify.Optional(), verify.FromCookie("session")), func(c *gin.Context) {
		if tok, ok := ginauth.Token(c); ok {
			c.String(http.StatusOK, "hello %s", tok.UID)
			return
		}
		c.String(http.StatusOK, "hello guest")
	})

	srv := &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(ln)
	defer srv.Close()

	client := &http.Client{Timeout: 10 * time.Second}
	for _, cookie := range []string{"", signer.SessionCookie("ada")} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "session", Value: cookie})
		}
		resp, err := client.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 200 hello guest
	// 200 hello ada
}
