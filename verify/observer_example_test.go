package verify_test

import (
	"context"
	"fmt"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// Count verdicts by code and watch key fetches, as a metrics exporter
// would. In production, verify.New("your-project", verify.WithObserver(o))
// reports the fetches of Google's keys through o.KeyFetch; here a fake
// issuer's Remote reports its own through OnFetch.
func ExampleWithObserver() {
	signer := verifytest.NewSigner("my-project")
	defer signer.Close()
	byCode := map[string]int{}
	o := verify.Observer{
		Verdict: func(v verify.Verdict) {
			code := v.Code
			if code == "" {
				code = "valid"
			}
			byCode[code]++ // a real exporter uses a concurrency-safe counter
		},
	}
	remote := signer.Remote(jwks.RemoteOptions{OnFetch: func(ev jwks.FetchEvent) {
		fmt.Println("fetched", ev.Keys, "key, status", ev.Status, "fresh for", ev.MaxAge)
	}})
	defer remote.Close()
	v, err := verify.New("my-project", verify.WithKeySource(remote), verify.WithObserver(o))
	if err != nil {
		panic(err)
	}

	ctx := context.Background()
	_, _ = v.Verify(ctx, signer.IDToken("alice"))
	_, _ = v.Verify(ctx, signer.IDToken("bob"))
	_, _ = v.Verify(ctx, signer.IDToken("eve", verifytest.Project("other-project")))
	fmt.Println(byCode)
	// Output:
	// fetched 1 key, status 200 fresh for 1h0m0s
	// map[invalid_audience:1 valid:2]
}
