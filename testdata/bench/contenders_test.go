package bench

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/auth"
	"github.com/coreos/go-oidc/v3/oidc"
	jwtv5 "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwk"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"
	"golang.org/x/oauth2"
	"google.golang.org/api/option"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

const projectID = "bench-project"

// The Admin SDK judges exp with the system clock, so every contender does:
// the tokens are minted for the real current time.
var (
	signer = verifytest.NewSigner(projectID)
	uid    = "Xk7pQ2rT9sVbW3yZ1aB4cD5eF6g2"
	issuer = "https://securetoken.google.com/" + projectID
)

// typicalToken looks like what Firebase issues after an email sign-in.
func typicalToken(opts ...verifytest.TokenOption) string {
	base := []verifytest.TokenOption{
		verifytest.Email("ada@example.com", true),
		verifytest.Claim("name", "Ada Lovelace"),
		verifytest.Claim("picture", "https://lh3.googleusercontent.com/a/ACg8ocK-example=s96-c"),
		verifytest.SignInProvider("password"),
	}
	return signer.IDToken(uid, append(base, opts...)...)
}

// tampered swaps the uid in the payload and keeps the signature.
func tampered(token string) string {
	parts := strings.Split(token, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		panic(err)
	}
	forged := strings.ReplaceAll(string(payload), uid, "attacker-chosen-uid-00000000")
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "." + parts[2]
}

// A contender verifies a token with one library, set up once, warm.
type contender struct {
	name   string
	verify func(ctx context.Context, token string) error
}

var (
	setupOnce   sync.Once
	contenders  []contender
	setupErr    error
	keyRequests []string // hosts the Admin SDK's key fetches were addressed to
	keyMu       sync.Mutex
)

func allContenders(t testing.TB) []contender {
	t.Helper()
	setupOnce.Do(func() { contenders, setupErr = setup() })
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	return contenders
}

func setup() ([]contender, error) {
	ctx := context.Background()
	key := &signer.Key().Private.PublicKey
	kid := signer.Key().ID

	// fbverify, with a static key set as every other contender.
	ours, err := verify.New(projectID, verify.WithKeySource(signer.KeySource()))
	if err != nil {
		return nil, err
	}
	cached, err := verify.New(projectID, verify.WithKeySource(signer.KeySource()), verify.WithCache(1024))
	if err != nil {
		return nil, err
	}

	admin, err := adminClient(ctx)
	if err != nil {
		return nil, err
	}

	set, err := jwk.Parse(signer.JWKS())
	if err != nil {
		return nil, err
	}

	oidcVerifier := oidc.NewVerifier(issuer, &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{key}},
		&oidc.Config{ClientID: projectID, SupportedSigningAlgs: []string{oidc.RS256}})

	keyfunc := func(tok *jwtv5.Token) (any, error) {
		if k, _ := tok.Header["kid"].(string); k == kid {
			return key, nil
		}
		return nil, errors.New("unknown kid")
	}
	jwtOpts := []jwtv5.ParserOption{
		jwtv5.WithValidMethods([]string{"RS256"}), jwtv5.WithAudience(projectID),
		jwtv5.WithIssuer(issuer), jwtv5.WithExpirationRequired(), jwtv5.WithIssuedAt(),
	}

	return []contender{
		{"fbverify", func(ctx context.Context, token string) error {
			_, err := ours.Verify(ctx, token)
			return err
		}},
		{"fbverify-cached", func(ctx context.Context, token string) error {
			_, err := cached.Verify(ctx, token)
			return err
		}},
		{"admin-sdk", func(ctx context.Context, token string) error {
			_, err := admin.VerifyIDToken(ctx, token)
			return err
		}},
		{"jwx-v3", func(ctx context.Context, token string) error {
			_, err := jwxjwt.Parse([]byte(token), jwxjwt.WithKeySet(set), jwxjwt.WithValidate(true),
				jwxjwt.WithAudience(projectID), jwxjwt.WithIssuer(issuer))
			return err
		}},
		{"go-oidc-v3", func(ctx context.Context, token string) error {
			_, err := oidcVerifier.Verify(ctx, token)
			return err
		}},
		{"golang-jwt-map", func(ctx context.Context, token string) error {
			_, err := jwtv5.Parse(token, keyfunc, jwtOpts...)
			return err
		}},
		{"golang-jwt-registered", func(ctx context.Context, token string) error {
			_, err := jwtv5.ParseWithClaims(token, &jwtv5.RegisteredClaims{}, keyfunc, jwtOpts...)
			return err
		}},
	}, nil
}

// adminClient makes the Admin SDK's auth client work offline. The SDK
// fetches the certificate map with its own HTTP client built from
// http.DefaultTransport (an option.WithHTTPClient given to the App does not
// reach it), so http.DefaultTransport is replaced, for this test process
// only, by one that dials a loopback TLS server serving the signer's X.509
// map, whatever host is asked for. Credentials are a static token source,
// so the SDK looks for no default credentials, and the metadata server is
// pointed at a closed loopback port.
func adminClient(ctx context.Context) (*auth.Client, error) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=21600, must-revalidate, no-transform")
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		_, _ = w.Write(signer.X509())
	}))
	srv.StartTLS()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	loopback := srv.Listener.Addr().String()
	var d net.Dialer
	http.DefaultTransport = &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			keyMu.Lock()
			keyRequests = append(keyRequests, addr)
			keyMu.Unlock()
			return d.DialContext(ctx, "tcp", loopback)
		},
		// httptest's certificate names example.com.
		TLSClientConfig:   &tls.Config{RootCAs: roots, ServerName: "example.com"},
		ForceAttemptHTTP2: true,
	}
	os.Setenv("GCE_METADATA_HOST", "127.0.0.1:9")
	os.Unsetenv("GOOGLE_APPLICATION_CREDENTIALS")
	os.Unsetenv("FIREBASE_AUTH_EMULATOR_HOST")
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: projectID},
		option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "unused"})))
	if err != nil {
		return nil, fmt.Errorf("admin sdk app: %w", err)
	}
	return app.Auth(ctx)
}

// TestContendersAgree shows, before anything is timed, that every
// contender accepts the typical token and refuses a tampered one and an
// expired one.
func TestContendersAgree(t *testing.T) {
	ctx := context.Background()
	valid := typicalToken()
	expired := typicalToken(verifytest.IssuedAt(time.Now().Add(-3 * time.Hour)))
	for _, c := range allContenders(t) {
		t.Run(c.name, func(t *testing.T) {
			for i := 0; i < 2; i++ { // twice: the cached contender's hit too
				if err := c.verify(ctx, valid); err != nil {
					t.Fatalf("valid token refused: %v", err)
				}
			}
			if err := c.verify(ctx, tampered(valid)); err == nil {
				t.Error("tampered token accepted")
			}
			if err := c.verify(ctx, expired); err == nil {
				t.Error("expired token accepted")
			}
		})
	}
	keyMu.Lock()
	defer keyMu.Unlock()
	for _, addr := range keyRequests {
		if addr != "www.googleapis.com:443" {
			t.Errorf("the Admin SDK dialed %s, want only the certificate host (served on loopback)", addr)
		}
	}
	if len(keyRequests) == 0 {
		t.Error("the Admin SDK fetched no keys: it cannot have verified a signature")
	}
}

// BenchmarkVerify times each contender on the same warm token, next to the
// floor: SHA-256 and one RSA-2048 PKCS#1 v1.5 verification.
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	token := typicalToken()
	cs := allContenders(b)
	b.Run("floor", func(b *testing.B) {
		last := strings.LastIndexByte(token, '.')
		sig, _ := base64.RawURLEncoding.DecodeString(token[last+1:])
		input := []byte(token[:last])
		pub := &signer.Key().Private.PublicKey
		b.ReportAllocs()
		for b.Loop() {
			digest := sha256.Sum256(input)
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range cs {
		if err := c.verify(ctx, token); err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.verify(ctx, token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPaired gives each contender's ratio to the floor robustly on a
// busy machine: every iteration runs one floor operation and then one
// verification, timing each, so both see the same load. x-floor is the
// verification's total time over the floor's; ns/op counts both.
func BenchmarkPaired(b *testing.B) {
	ctx := context.Background()
	token := typicalToken()
	last := strings.LastIndexByte(token, '.')
	sig, _ := base64.RawURLEncoding.DecodeString(token[last+1:])
	input := []byte(token[:last])
	pub := &signer.Key().Private.PublicKey
	for _, c := range allContenders(b) {
		b.Run("Verify/"+c.name, func(b *testing.B) {
			var floorTime, verifyTime time.Duration
			for b.Loop() {
				t0 := time.Now()
				digest := sha256.Sum256(input)
				if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := c.verify(ctx, token); err != nil {
					b.Fatal(err)
				}
				floorTime += t1.Sub(t0)
				verifyTime += time.Since(t1)
			}
			b.ReportMetric(float64(verifyTime)/float64(floorTime), "x-floor")
		})
	}
}
