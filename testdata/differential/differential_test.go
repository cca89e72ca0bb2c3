package differential

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/auth"
	"github.com/golang-jwt/jwt/v5"
	"google.golang.org/api/option"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

const project = "differential-project"

// Google's certificate URLs, as the Admin SDK fetches them.
const (
	idTokenCertPath = "/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
	cookieCertPath  = "/identitytoolkit/v3/relyingparty/publicKeys"
	googleAPIs      = "www.googleapis.com:443"
)

// fakeGoogle answers the Admin SDK's key requests from a loopback TLS
// server with the signer's certificate map. The Admin SDK builds its key
// client from a clone of http.DefaultTransport (it takes no http.Client
// for this), so the test replaces http.DefaultTransport with one whose
// dialer sends www.googleapis.com:443 to that server and refuses every
// other address: nothing leaves the machine.
func fakeGoogle(t *testing.T, signer *verifytest.Signer) *atomic.Int64 {
	t.Helper()
	var requests atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch r.URL.Path {
		case idTokenCertPath, cookieCertPath:
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			w.Header().Set("Cache-Control", "public, max-age=3600, must-revalidate, no-transform")
			_, _ = w.Write(signer.X509())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	addr := srv.Listener.Addr().String()
	refuse := func(_ context.Context, network, to string) (net.Conn, error) {
		return nil, fmt.Errorf("differential: refusing to dial %s %s", network, to)
	}
	old := http.DefaultTransport
	http.DefaultTransport = &http.Transport{
		DialContext: refuse,
		DialTLSContext: func(ctx context.Context, network, to string) (net.Conn, error) {
			if to != googleAPIs {
				return refuse(ctx, network, to)
			}
			raw, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
			if err != nil {
				return nil, err
			}
			conn := tls.Client(raw, &tls.Config{RootCAs: roots, ServerName: "example.com"})
			if err := conn.HandshakeContext(ctx); err != nil {
				raw.Close()
				return nil, err
			}
			return conn, nil
		},
	}
	t.Cleanup(func() { http.DefaultTransport = old })
	return &requests
}

// adminClient is an Admin SDK auth client for project with throwaway
// service account credentials (never used: verification needs none).
func adminClient(t *testing.T) *auth.Client {
	t.Helper()
	t.Setenv("FIREBASE_AUTH_EMULATOR_HOST", "")
	key := verifytest.GenerateKey()
	creds, err := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     project,
		"private_key_id": key.ID,
		"private_key":    string(verifytest.EncodeKey(key.Private)),
		"client_email":   "differential@" + project + ".iam.gserviceaccount.com",
		"client_id":      "1",
		"token_uri":      "https://oauth2.googleapis.com/token",
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: project}, option.WithCredentialsJSON(creds))
	if err != nil {
		t.Fatal(err)
	}
	client, err := app.Auth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// fields is a JSON object as ordered keys and raw values, so mutations
// can write duplicates, odd spellings and any type.
type fields [][2]string

func (fs fields) set(key, raw string) fields {
	out := make(fields, 0, len(fs)+1)
	found := false
	for _, f := range fs {
		if f[0] == key {
			found = true
			if raw != "" {
				out = append(out, [2]string{key, raw})
			}
			continue
		}
		out = append(out, f)
	}
	if !found && raw != "" {
		out = append(out, [2]string{key, raw})
	}
	return out
}

func (fs fields) add(key, raw string) fields {
	return append(append(fields(nil), fs...), [2]string{key, raw})
}

func (fs fields) json() []byte {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + f[0] + `":` + f[1])
	}
	b.WriteByte('}')
	return []byte(b.String())
}

func q(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// kind says which verifier of each side a token goes to.
type kind int

const (
	idToken kind = iota
	sessionCookie
)

type tokenCase struct {
	name  string
	kind  kind
	token string
}

// corpus mints valid tokens and mutations of every part of them, dated
// from now. Time offsets stay at least 10 seconds from every edge of
// either verifier (our 1-minute leeway, the Admin SDK's 5 minutes), so
// the seconds the run takes cannot flip a decision.
func corpus(t *testing.T, signer *verifytest.Signer, now time.Time) []tokenCase {
	t.Helper()
	key := signer.Key()
	stranger := verifytest.GenerateKey()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkix, err := x509.MarshalPKIXPublicKey(&key.Private.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
	at := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }

	var cases []tokenCase
	add := func(k kind, name, token string) { cases = append(cases, tokenCase{name, k, token}) }

	// The issuer prefixes, written out: the rules under test must not
	// supply their own expectations.
	const idTokenIssuer, sessionCookieIssuer = "https://securetoken.google.com/", "https://session.firebase.google.com/"
	for _, k := range []kind{idToken, sessionCookie} {
		prefix, kindName, lifetime := idTokenIssuer, "id", time.Hour
		if k == sessionCookie {
			prefix, kindName, lifetime = sessionCookieIssuer, "cookie", 24*time.Hour
		}
		hdr := fields{{"alg", `"RS256"`}, {"kid", q(key.ID)}, {"typ", `"JWT"`}}
		pl := fields{
			{"iss", q(prefix + project)},
			{"aud", q(project)},
			{"auth_time", at(-10 * time.Minute)},
			{"user_id", `"uid-1"`},
			{"sub", `"uid-1"`},
			{"iat", at(-10 * time.Minute)},
			{"exp", at(lifetime - 10*time.Minute)},
			{"firebase", `{"identities":{},"sign_in_provider":"custom"}`},
		}
		sign := func(h, p fields) string { return verifytest.SignWith(key.Private, h.json(), p.json()) }
		mut := func(name string, h, p fields) { add(k, kindName+": "+name, sign(h, p)) }
		raw := func(name, token string) { add(k, kindName+": "+name, token) }
		valid := sign(hdr, pl)
		parts := strings.Split(valid, ".")
		join := func(p ...string) string { return strings.Join(p, ".") }

		// Valid tokens of many shapes.
		raw("valid", valid)
		for i, uid := range []string{"a", "uid-2", strings.Repeat("z", 127), strings.Repeat("y", 128), "üñí©ødé", "with space", "with/slash"} {
			mut(fmt.Sprintf("valid uid %d", i), hdr, pl.set("sub", q(uid)).set("user_id", q(uid)))
		}
		mut("valid with email", hdr, pl.set("email", `"ada@example.com"`).set("email_verified", "true").set("firebase", `{"identities":{"email":["ada@example.com"]},"sign_in_provider":"password"}`))
		mut("valid with tenant", hdr, pl.set("firebase", `{"identities":{},"sign_in_provider":"password","tenant":"t-1"}`))
		mut("valid with custom claims", hdr, pl.set("admin", "true").set("roles", `["a","b"]`).set("org", `{"id":7}`))
		mut("valid without typ", hdr.set("typ", ""), pl)
		mut("valid without firebase", hdr, pl.set("firebase", ""))
		mut("valid without user_id", hdr, pl.set("user_id", ""))
		mut("valid with unknown header", hdr.set("x-extra", `"1"`), pl)
		mut("valid with escaped key", hdr, pl.set("aud", "").add(`a\u0075d`, q(project)))
		mut("valid second-factor", hdr, pl.set("firebase", `{"identities":{},"sign_in_provider":"password","sign_in_second_factor":"phone","second_factor_identifier":"x"}`))

		// Header: algorithms.
		for _, alg := range []string{`"none"`, `"None"`, `"NONE"`, `"HS256"`, `"RS384"`, `"RS512"`, `"PS256"`, `"ES256"`, `"rs256"`, `""`, `null`, `256`, `["RS256"]`} {
			mut("alg "+alg+" with an RS256 signature", hdr.set("alg", alg), pl)
		}
		mut("alg missing", hdr.set("alg", ""), pl)
		raw("alg none unsigned", verifytest.Unsigned(hdr.set("alg", `"none"`).json(), pl.json()))
		raw("alg none unsigned without kid", verifytest.Unsigned(hdr.set("alg", `"none"`).set("kid", "").json(), pl.json()))
		for _, m := range []struct {
			alg string
			m   jwt.SigningMethod
			key any
		}{
			{"HS256", jwt.SigningMethodHS256, pubPEM},
			{"HS256", jwt.SigningMethodHS256, []byte(key.CertificatePEM)},
			{"RS384", jwt.SigningMethodRS384, key.Private},
			{"RS512", jwt.SigningMethodRS512, key.Private},
			{"PS256", jwt.SigningMethodPS256, key.Private},
			{"ES256", jwt.SigningMethodES256, ecKey},
			{"RS256", jwt.SigningMethodRS384, key.Private},
			{"RS256", jwt.SigningMethodPS256, key.Private},
		} {
			h := hdr.set("alg", q(m.alg))
			input := b64(h.json()) + "." + b64(pl.json())
			sig, err := m.m.Sign(input, m.key)
			if err != nil {
				t.Fatal(err)
			}
			raw("alg "+m.alg+" really signed with "+m.m.Alg(), input+"."+b64(sig))
		}

		// Header: key IDs and key-choosing parameters.
		for _, kid := range []string{"", `""`, `null`, `1`, `{}`, `"unknown"`, q(strings.ToUpper(key.ID)), q(key.ID + " ")} {
			mut("kid "+kid, hdr.set("kid", kid), pl)
		}
		raw("key not in the set", verifytest.SignWith(stranger.Private, hdr.set("kid", q(stranger.ID)).json(), pl.json()))
		raw("stranger's key under the real kid", verifytest.SignWith(stranger.Private, hdr.json(), pl.json()))
		raw("jwk header with the stranger's key", verifytest.SignWith(stranger.Private, hdr.set("jwk", `{"kty":"RSA","n":`+q(b64(stranger.Private.N.Bytes()))+`,"e":"AQAB"}`).json(), pl.json()))
		mut("jku header", hdr.set("jku", `"https://127.0.0.1/jwks"`), pl)
		mut("x5u header", hdr.set("x5u", `"https://127.0.0.1/x509"`), pl)
		mut("crit header", hdr.set("crit", `["exp"]`), pl)
		mut("crit empty", hdr.set("crit", `[]`), pl)
		mut("typ at+jwt", hdr.set("typ", `"at+jwt"`), pl)
		mut("alg twice, RS256 last", fields{{"alg", `"none"`}}.add("alg", `"RS256"`).add("kid", q(key.ID)), pl)
		mut("alg twice, RS256 first", hdr.add("alg", `"none"`), pl)
		mut("kid twice", fields{{"alg", `"RS256"`}, {"kid", `"unknown"`}}.add("kid", q(key.ID)), pl)
		mut("Alg case variant", hdr.add("Alg", `"RS256"`), pl)
		mut("KID instead of kid", hdr.set("kid", "").add("KID", q(key.ID)), pl)

		// Payload: every claim missing, null, mistyped, wrong, doubled.
		for _, claim := range []string{"iss", "aud", "sub", "iat", "exp", "auth_time", "firebase", "user_id"} {
			mut(claim+" missing", hdr, pl.set(claim, ""))
			mut(claim+" null", hdr, pl.set(claim, "null"))
			mut(claim+" a boolean", hdr, pl.set(claim, "true"))
			mut(claim+" an array", hdr, pl.set(claim, `["x"]`))
			mut(claim+" an object", hdr, pl.set(claim, `{"x":1}`))
			mut(claim+" an empty string", hdr, pl.set(claim, `""`))
			mut(claim+" a number", hdr, pl.set(claim, "12345"))
			mut(claim+" twice, same value", hdr, pl.add(claim, valueOf(pl, claim)))
			mut(claim+" twice, other value first", hdr, pl.set(claim, `"x"`).add(claim, valueOf(pl, claim)))
			mut(claim+" upper-case duplicate", hdr, pl.add(strings.ToUpper(claim), `"x"`))
			mut(claim+" upper-case only", hdr, pl.set(claim, "").add(strings.ToUpper(claim), valueOf(pl, claim)))
		}
		mut("aud as a one-element array", hdr, pl.set("aud", `[`+q(project)+`]`))
		mut("aud another project", hdr, pl.set("aud", `"other-project"`).set("iss", q(prefix+"other-project")))
		mut("aud upper-case", hdr, pl.set("aud", q(strings.ToUpper(project))))
		mut("aud with a space", hdr, pl.set("aud", q(project+" ")))
		mut("iss another project", hdr, pl.set("iss", q(prefix+"other-project")))
		mut("iss trailing slash", hdr, pl.set("iss", q(prefix+project+"/")))
		mut("iss http", hdr, pl.set("iss", q(strings.Replace(prefix, "https", "http", 1)+project)))
		mut("iss look-alike host", hdr, pl.set("iss", q(strings.Replace(prefix, ".com/", ".com.evil.example/", 1)+project)))
		otherPrefix := sessionCookieIssuer
		if k == sessionCookie {
			otherPrefix = idTokenIssuer
		}
		mut("iss of the other kind", hdr, pl.set("iss", q(otherPrefix+project)))
		mut("sub of 129 bytes", hdr, pl.set("sub", q(strings.Repeat("a", 129))))
		mut("sub of 129 bytes in 2-byte runes", hdr, pl.set("sub", q(strings.Repeat("é", 64)+"a")))
		mut("sub of 300 bytes", hdr, pl.set("sub", q(strings.Repeat("a", 300))))
		mut("sub a space", hdr, pl.set("sub", `" "`))
		mut("sub only white space", hdr, pl.set("sub", `"\t\u00a0 "`))
		mut("sub with NUL", hdr, pl.set("sub", `"uid-1\u0000"`))
		mut("sub with a newline", hdr, pl.set("sub", `"uid-1\nadmin"`))
		mut("sub with DEL", hdr, pl.set("sub", `"uid-1\u007f"`))
		mut("sub with a C1 control", hdr, pl.set("sub", `"uid-1\u0085"`))
		mut("sub with spaces inside", hdr, pl.set("sub", `"uid 1"`).set("user_id", `"uid 1"`))

		// Claims the Admin SDK cannot decode: both must refuse.
		mut("uid a number", hdr, pl.add("uid", "7"))
		mut("uid an object", hdr, pl.add("uid", `{"id":"uid-1"}`))
		mut("uid a string", hdr, pl.add("uid", `"uid-1"`))
		mut("number beyond float64 in a custom claim", hdr, pl.add("big", "1e400"))
		mut("negative number beyond float64", hdr, pl.add("big", "-2e308"))
		mut("400-digit integer", hdr, pl.add("big", "1"+strings.Repeat("0", 399)))
		mut("number beyond float64 nested", hdr, pl.add("c", `{"a":[1,{"b":-1e309}]}`))
		mut("number beyond float64 in firebase", hdr, pl.set("firebase", `{"identities":{},"sign_in_provider":"custom","sign_in_attributes":{"n":2e308}}`))
		mut("largest float64 in a custom claim", hdr, pl.add("big", "1.7976931348623157e308"))
		mut("308-digit integer in a custom claim", hdr, pl.add("big", strings.Repeat("9", 308)))

		// Times: exp, iat and auth_time around both leeways and far away.
		for _, d := range []time.Duration{30 * time.Minute, 10 * time.Second, -10 * time.Second, -50 * time.Second, -70 * time.Second,
			-2 * time.Minute, -4*time.Minute - 50*time.Second, -5*time.Minute - 10*time.Second, -10 * time.Minute, -24 * time.Hour} {
			mut("exp "+d.String(), hdr, pl.set("iat", at(d-lifetime+time.Minute)).set("auth_time", at(d-lifetime+time.Minute)).set("exp", at(d)))
		}
		for _, d := range []time.Duration{-30 * time.Minute, 10 * time.Second, 50 * time.Second, 70 * time.Second, 2 * time.Minute,
			4*time.Minute + 50*time.Second, 5*time.Minute + 10*time.Second, time.Hour, 24 * time.Hour} {
			mut("iat "+d.String(), hdr, pl.set("iat", at(d)).set("auth_time", at(-time.Hour)).set("exp", at(d+lifetime-time.Minute)))
		}
		for _, d := range []time.Duration{-24 * time.Hour, 10 * time.Second, 50 * time.Second, 70 * time.Second, 10 * time.Minute, 365 * 24 * time.Hour} {
			mut("auth_time "+d.String(), hdr, pl.set("auth_time", at(d)))
		}
		for _, l := range []time.Duration{lifetime + 10*time.Second, 2 * lifetime, 30 * 24 * time.Hour, 100 * 365 * 24 * time.Hour} {
			mut("lifetime "+l.String(), hdr, pl.set("iat", at(-time.Minute)).set("exp", at(l-time.Minute)))
		}
		mut("lifetime zero", hdr, pl.set("iat", at(30*time.Second)).set("exp", at(30*time.Second)))
		mut("exp before iat", hdr, pl.set("iat", at(40*time.Second)).set("exp", at(20*time.Second)))
		mut("auth_time 5m after iat", hdr, pl.set("iat", at(-10*time.Minute)).set("auth_time", at(-5*time.Minute)))
		mut("exp with a fraction", hdr, pl.set("exp", at(lifetime-10*time.Minute)+".5"))
		mut("exp with a zero fraction", hdr, pl.set("exp", at(lifetime-10*time.Minute)+".0"))
		mut("exp a numeric string", hdr, pl.set("exp", q(at(lifetime-10*time.Minute))))
		mut("exp in exponent notation", hdr, pl.set("exp", "1.8e9"))
		mut("exp zero", hdr, pl.set("exp", "0"))
		mut("exp negative", hdr, pl.set("exp", "-1"))
		mut("exp the largest int64", hdr, pl.set("exp", "9223372036854775807"))
		mut("exp beyond int64", hdr, pl.set("exp", "1"+strings.Repeat("0", 25)))
		mut("iat zero", hdr, pl.set("iat", "0"))
		mut("iat negative", hdr, pl.set("iat", "-100"))
		mut("iat the largest int64", hdr, pl.set("iat", "9223372036854775807"))
		mut("auth_time the largest int64", hdr, pl.set("auth_time", "9223372036854775807"))
		mut("auth_time zero", hdr, pl.set("auth_time", "0"))

		// Other claims' types, bytes and sizes.
		mut("email_verified a string", hdr, pl.set("email_verified", `"true"`))
		mut("email a number", hdr, pl.set("email", "1"))
		mut("firebase a string", hdr, pl.set("firebase", `"custom"`))
		mut("firebase.tenant a number", hdr, pl.set("firebase", `{"tenant":7}`))
		mut("firebase.identities a list", hdr, pl.set("firebase", `{"identities":[]}`))
		mut("tenant twice", hdr, pl.set("firebase", `{"tenant":"a","tenant":"b"}`))
		mut("non-UTF-8 in a custom claim", hdr, pl.set("name", "\"\xff\xfe\""))
		mut("non-UTF-8 in sub", hdr, pl.set("sub", "\"uid-\xc0\""))
		mut("lone surrogate escape in sub", hdr, pl.set("sub", `"\ud800"`))
		mut("custom claim nested 20 deep", hdr, pl.set("deep", strings.Repeat(`{"a":`, 20)+"1"+strings.Repeat("}", 20)))
		mut("custom claim nested 10 deep", hdr, pl.set("deep", strings.Repeat(`{"a":`, 10)+"1"+strings.Repeat("}", 10)))
		mut("custom claim of 7 KB", hdr, pl.set("pad", q(strings.Repeat("x", 7<<10))))
		mut("custom claim of 20 KB", hdr, pl.set("pad", q(strings.Repeat("x", 20<<10))))
		add(k, kindName+": payload then trailing data", verifytest.SignWith(key.Private, hdr.json(), append(pl.json(), []byte(` {"aud":"x"}`)...)))
		add(k, kindName+": payload with a byte-order mark", verifytest.SignWith(key.Private, hdr.json(), append([]byte("\xef\xbb\xbf"), pl.json()...)))
		add(k, kindName+": payload an array", verifytest.SignWith(key.Private, hdr.json(), []byte(`[`+string(pl.json())+`]`)))

		// Segments, encoding, signatures.
		raw("two segments", join(parts[0], parts[1]))
		raw("four segments", join(parts[0], parts[1], parts[2], parts[2]))
		raw("empty signature", join(parts[0], parts[1], ""))
		raw("empty header", join("", parts[1], parts[2]))
		raw("empty payload", join(parts[0], "", parts[2]))
		raw("padded signature", valid+"==")
		raw("standard base64 signature", join(parts[0], parts[1], strings.NewReplacer("-", "+", "_", "/").Replace(parts[2])))
		raw("non-canonical base64 signature", join(parts[0], parts[1], nonCanonical(parts[2])))
		raw("newline in the payload", join(parts[0], parts[1][:8]+"\n"+parts[1][8:], parts[2]))
		raw("CRLF in the signature", join(parts[0], parts[1], parts[2][:8]+"\r\n"+parts[2][8:]))
		raw("space in the payload", join(parts[0], parts[1][:8]+" "+parts[1][8:], parts[2]))
		raw("leading space", " "+valid)
		raw("trailing newline", valid+"\n")
		raw("signature one byte short", join(parts[0], parts[1], b64(mustDecode(t, parts[2])[1:])))
		raw("signature with a byte more", join(parts[0], parts[1], b64(append(mustDecode(t, parts[2]), 0))))
		raw("signature with a zero byte first", join(parts[0], parts[1], b64(append([]byte{0}, mustDecode(t, parts[2])...))))
		raw("payload swapped", join(parts[0], b64(pl.set("sub", `"admin"`).json()), parts[2]))
		raw("header swapped", join(b64(hdr.set("typ", `"jwt"`).json()), parts[1], parts[2]))
		flipped := mustDecode(t, parts[2])
		flipped[len(flipped)-1] ^= 1
		raw("signature bit flipped", join(parts[0], parts[1], b64(flipped)))
		raw("empty token", "")
		raw("garbage", "not-a-token")
	}
	// Each kind given to the other's verifier.
	add(sessionCookie, "ID token given as a session cookie", signer.IDToken("uid-1"))
	add(idToken, "session cookie given as an ID token", signer.SessionCookie("uid-1"))
	return cases
}

func valueOf(fs fields, key string) string {
	for _, f := range fs {
		if f[0] == key {
			return f[1]
		}
	}
	return `"x"`
}

func mustDecode(t *testing.T, seg string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// nonCanonical sets the unused low bits of a segment's last character.
func nonCanonical(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[last|1])
}

// TestDifferentialAgainstAdminSDK verifies every token of the corpus with
// the Admin SDK and with fbverify and compares the decisions. fbverify
// must never accept a token the Admin SDK rejects. The counts (both
// accept, both reject, only fbverify rejects, by fbverify's code) are
// asserted as the README states them, and so is the outcome of each case
// of the latest rules; every stricter case is logged with its reason.
func TestDifferentialAgainstAdminSDK(t *testing.T) {
	signer := verifytest.NewSigner(project) // real clock, as the Admin SDK's
	googleRequests := fakeGoogle(t, signer)
	client := adminClient(t)
	ours := map[kind]*verify.Verifier{}
	constructors := map[kind]func(string, ...verify.Option) (*verify.Verifier, error){
		idToken:       verify.New,
		sessionCookie: verify.NewSessionCookieVerifier,
	}
	for k, newV := range constructors {
		v, err := newV(project, verify.WithKeySource(signer.KeySource()), verify.WithClock(time.Now))
		if err != nil {
			t.Fatal(err)
		}
		ours[k] = v
	}

	now := time.Now()
	// The same rules with the Admin SDK's 5 minutes of skew: every
	// difference of timing must then vanish.
	skewed := map[kind]*verify.Verifier{}
	for k, newV := range constructors {
		v, err := newV(project, verify.WithKeySource(signer.KeySource()),
			verify.WithClock(time.Now), verify.WithLeeway(5*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		skewed[k] = v
	}

	cases := corpus(t, signer, now)
	if len(cases) < 300 {
		t.Fatalf("corpus of %d tokens, want at least 300", len(cases))
	}
	ctx := context.Background()
	var bothAccept, bothReject int
	stricter := map[string][]string{} // our error code -> case names
	outcome := map[string]string{}    // case name -> "accept", our code, or "both reject"
	for _, c := range cases {
		ourTok, ourErr := ours[c.kind].Verify(ctx, c.token)
		var theirTok *auth.Token
		var theirErr error
		if c.kind == idToken {
			theirTok, theirErr = client.VerifyIDToken(ctx, c.token)
		} else {
			theirTok, theirErr = client.VerifySessionCookie(ctx, c.token)
		}
		switch {
		case ourErr == nil && theirErr != nil:
			t.Errorf("%s: fbverify accepts what the Admin SDK rejects (%v)", c.name, theirErr)
		case ourErr == nil:
			bothAccept++
			outcome[c.name] = "accept"
			if ourTok.UID != theirTok.UID || ourTok.Audience != theirTok.Audience || ourTok.Issuer != theirTok.Issuer ||
				ourTok.Expires.Unix() != theirTok.Expires || ourTok.IssuedAt.Unix() != theirTok.IssuedAt ||
				ourTok.Firebase.Tenant != theirTok.Firebase.Tenant || ourTok.Firebase.SignInProvider != theirTok.Firebase.SignInProvider {
				t.Errorf("%s: both accept but read it differently: ours %+v, theirs %+v", c.name, ourTok, theirTok)
			}
		case theirErr == nil:
			code := verify.ErrorCode(ourErr)
			stricter[code] = append(stricter[code], c.name)
			outcome[c.name] = code
		default:
			bothReject++
			outcome[c.name] = "both reject"
		}
		_, skewedErr := skewed[c.kind].Verify(ctx, c.token)
		switch code := verify.ErrorCode(skewedErr); {
		case skewedErr == nil && theirErr != nil:
			t.Errorf("%s: fbverify with 5 minutes of leeway accepts what the Admin SDK rejects (%v)", c.name, theirErr)
		case theirErr == nil && (code == "token_expired" || code == "issued_in_future"):
			t.Errorf("%s: with the Admin SDK's 5 minutes of skew, fbverify still refuses it: %v", c.name, skewedErr)
		}
		if ourErr != nil && verify.ErrorCode(ourErr) == "invalid_token" {
			t.Errorf("%s: refusal without a rule: %v", c.name, ourErr)
		}
	}
	if time.Since(now) > 9*time.Second {
		t.Fatalf("the run took %v; time offsets 10s from an edge may have flipped", time.Since(now))
	}
	var codes []string
	n := 0
	for code, names := range stricter {
		codes = append(codes, code)
		n += len(names)
	}
	sort.Strings(codes)
	t.Logf("%d tokens: both accept %d, both reject %d, only fbverify rejects %d; key requests to the fake Google: %d",
		len(cases), bothAccept, bothReject, n, googleRequests.Load())
	for _, code := range codes {
		t.Logf("stricter (%s, %d): %s", code, len(stricter[code]), strings.Join(stricter[code], "; "))
	}
	// The figures the README quotes. A change of rule or corpus that moves
	// them must update them, and the README, on purpose.
	if len(cases) != 524 || bothAccept != 94 || bothReject != 288 || n != 142 {
		t.Errorf("%d tokens, both accept %d, both reject %d, only fbverify rejects %d; want 524, 94, 288, 142",
			len(cases), bothAccept, bothReject, n)
	}
	wantStricter := map[string]int{
		"auth_time_in_future": 6, "critical_header": 4, "invalid_auth_time": 14, "invalid_expiry": 12,
		"invalid_issued_at": 8, "invalid_subject": 12, "issued_in_future": 6, "malformed_token": 70,
		"token_expired": 6, "token_too_large": 4,
	}
	for code, names := range stricter {
		if len(names) != wantStricter[code] {
			t.Errorf("only fbverify refuses %d tokens with %s, want %d: %s", len(names), code, wantStricter[code], strings.Join(names, "; "))
		}
	}
	for code, want := range wantStricter {
		if _, ok := stricter[code]; !ok {
			t.Errorf("no token refused only by fbverify with %s, want %d", code, want)
		}
	}
	// The reason for each case of the rules added last, in both kinds.
	for name, want := range map[string]string{
		"uid a number": "both reject", "uid an object": "both reject", "uid a string": "accept",
		"number beyond float64 in a custom claim": "both reject", "negative number beyond float64": "both reject",
		"400-digit integer": "both reject", "number beyond float64 nested": "both reject",
		"number beyond float64 in firebase":   "both reject",
		"largest float64 in a custom claim":   "accept",
		"308-digit integer in a custom claim": "accept",
		"lifetime zero":                       "invalid_expiry", "exp before iat": "invalid_expiry",
		"auth_time 5m after iat": "invalid_auth_time",
		"sub a space":            "invalid_subject", "sub only white space": "invalid_subject",
		"sub with NUL": "invalid_subject", "sub with a newline": "invalid_subject",
		"sub with DEL": "invalid_subject", "sub with a C1 control": "invalid_subject",
		"sub with spaces inside": "accept",
	} {
		for _, kind := range []string{"id: ", "cookie: "} {
			if got := outcome[kind+name]; got != want {
				t.Errorf("%s%s: %q, want %q", kind, name, got, want)
			}
		}
	}
	if googleRequests.Load() == 0 {
		t.Error("the Admin SDK never fetched keys from the fake endpoint")
	}
}
