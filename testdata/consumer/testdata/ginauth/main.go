// Command stranger is what a new user of ginauth writes: a gin server
// behind the adapter, and one request with a token minted by the fake
// issuer, on loopback. It prints the status and the body.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/fbverify/fbverify/verify/ginauth"
	"github.com/fbverify/fbverify/verify/verifytest"
)

func main() {
	signer := verifytest.NewSigner("stranger-project")
	defer signer.Close()
	v, err := signer.Verifier()
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/me", ginauth.New(v), func(c *gin.Context) {
		tok, _ := ginauth.Token(c)
		c.String(http.StatusOK, "hello %s", tok.UID)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/me", nil)
	req.Header.Set("Authorization", "Bearer "+signer.IDToken("stranger"))
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
}
