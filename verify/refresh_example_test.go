package verify_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// Fetch the keys at start-up and report ready only once tokens can be
// verified. In production the Verifier is
// verify.New("my-project", verify.WithKeySnapshot("/var/lib/my-service/google-keys.json"));
// here a fake issuer serves its keys on loopback.
func ExampleVerifier_Refresh() {
	signer := verifytest.NewSigner("my-project")
	defer signer.Close()
	v, err := signer.Verifier()
	if err != nil {
		panic(err)
	}
	defer v.Close()

	var ready atomic.Bool
	readyz := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() {
			http.Error(w, "cannot verify tokens yet", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	probe := func() int {
		rec := httptest.NewRecorder()
		readyz.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec.Code
	}
	fmt.Println("before Refresh:", probe())

	// Keep trying (the load balancer sends no traffic meanwhile).
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := v.Refresh(ctx)
		cancel()
		if err == nil {
			break
		}
		fmt.Println("attempt", attempt, "failed:", verify.ErrorCode(err))
		time.Sleep(time.Second)
	}
	ready.Store(true) // the /readyz handler answers 503 until then
	fmt.Println("after Refresh:", probe(), "key fetches:", signer.Requests())

	_, err = v.Verify(context.Background(), signer.IDToken("alice"))
	fmt.Println("first token:", err, "key fetches:", signer.Requests())
	// Output:
	// before Refresh: 503
	// after Refresh: 200 key fetches: 1
	// first token: <nil> key fetches: 1
}
