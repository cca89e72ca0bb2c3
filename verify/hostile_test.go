package verify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"

	"github.com/golang-jwt/jwt/v5"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

const hostileProject = "hostile-project"

// hostileNow is the fixed time of the hostile corpus.
var hostileNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// fields is a JSON object as an ordered list of keys and raw JSON values,
// so a test can write duplicate keys, odd spellings and any type.
type fields [][2]string

// set replaces the value of key (every occurrence), or appends it; a raw
// value of "" removes the key.
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

// add appends key even when it is already there.
func (fs fields) add(key, raw string) fields {
	return append(append(fields(nil), fs...), [2]string{key, raw})
}

// json writes the object; keys are written as given, between quotes, so a
// key may carry its own escapes.
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

func num(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// hostile builds the corpus' tokens around one signer.
type hostile struct {
	signer *verifytest.Signer
	kid    string
}

func (h hostile) header() fields {
	return fields{{"alg", `"RS256"`}, {"kid", q(h.kid)}, {"typ", `"JWT"`}}
}

func (h hostile) payload() fields {
	return fields{
		{"iss", q(claimcheck.IDTokenIssuerPrefix + hostileProject)},
		{"aud", q(hostileProject)},
		{"sub", `"uid-1"`},
		{"iat", num(hostileNow)},
		{"auth_time", num(hostileNow)},
		{"exp", num(hostileNow.Add(time.Hour))},
		{"firebase", `{"identities":{},"sign_in_provider":"custom"}`},
	}
}

// sign signs header and payload with the signer's published key, RS256:
// only the rule the case is about is broken.
func (h hostile) sign(header, payload fields) string {
	return h.signer.Sign(header.json(), payload.json())
}

// signWith signs the raw segments with any jwt signing method and key.
func signWith(t testing.TB, m jwt.SigningMethod, key any, header, payload []byte) string {
	t.Helper()
	input := b64(header) + "." + b64(payload)
	sig, err := m.Sign(input, key)
	if err != nil {
		t.Fatalf("signing with %s: %v", m.Alg(), err)
	}
	return input + "." + b64(sig)
}

// nonCanonical flips the unused low bits of a segment's last character,
// which a lenient base64 decoder ignores.
func nonCanonical(t testing.TB, seg string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(seg)%4 == 0 {
		t.Fatalf("segment of %d characters has no spare bits", len(seg))
	}
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[last|1])
}

// nonCanonicalPayload signs a token whose payload segment has its spare
// bits set, signing the segment exactly as sent: a verifier that decoded
// leniently and checked the signature over the text would accept it.
func nonCanonicalPayload(t testing.TB, h hostile, header, payload fields) string {
	t.Helper()
	for len(payload.json())%3 == 0 {
		payload = payload.set("pad", q(strings.Repeat("x", len(payload.json())%7+1)))
	}
	input := b64(header.json()) + "." + nonCanonical(t, b64(payload.json()))
	sig, err := jwt.SigningMethodRS256.Sign(input, h.signer.Key().Private)
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

func mustDecode(t testing.TB, seg string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func nested(depth int, leaf string) string {
	return strings.Repeat(`{"a":`, depth) + leaf + strings.Repeat("}", depth)
}

// TestHostileTokens feeds the verifier tokens an attacker could send and
// requires each to be refused with the sentinel and code of the one rule
// it breaks (or accepted, for the few that are harmless by design). Every
// signed token is signed correctly unless the case is about the
// signature, so an earlier rule cannot hide a missing later one.
// hostileCase is one token of the corpus and the sentinel it must be
// refused with (nil: accepted).
type hostileCase struct {
	name   string
	token  string
	cookie bool // give it to the session-cookie verifier
	want   error
}

// newHostileSigner makes the corpus' signer from the fixture key, so its
// tokens are the same in every process (fuzz workers included).
func newHostileSigner(tb testing.TB) *verifytest.Signer {
	tb.Helper()
	pemBytes, err := os.ReadFile("../testdata/signing-key.pem")
	if err != nil {
		tb.Fatal(err)
	}
	kid, err := os.ReadFile("../testdata/signing-key.kid")
	if err != nil {
		tb.Fatal(err)
	}
	key, err := verifytest.LoadKey(pemBytes)
	if err != nil {
		tb.Fatal(err)
	}
	return verifytest.NewSigner(hostileProject,
		verifytest.WithClock(func() time.Time { return hostileNow }),
		verifytest.WithKey(key, strings.TrimSpace(string(kid))))
}

// hostileCorpus builds the corpus around signer; attackerURL is a key
// server that no verification may ever contact.
func hostileCorpus(t testing.TB, signer *verifytest.Signer, attackerURL string) []hostileCase {
	t.Helper()
	var err error
	h := hostile{signer: signer, kid: signer.Key().ID}
	pub := &signer.Key().Private.PublicKey
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
	pkcs1 := x509.MarshalPKCS1PublicKey(pub)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	stranger := verifytest.GenerateKey()

	hdr, pl := h.header(), h.payload()
	valid := h.sign(hdr, pl)
	validParts := strings.Split(valid, ".")
	attackerJWK := `{"kty":"RSA","kid":` + q(stranger.ID) + `,"n":` + q(b64(stranger.Private.N.Bytes())) + `,"e":"AQAB"}`
	sub := func(raw string) fields { return pl.set("sub", raw) }
	at := func(d time.Duration) string { return num(hostileNow.Add(d)) }
	withHdr := func(k, raw string) string { return h.sign(hdr.set(k, raw), pl) }
	withPl := func(k, raw string) string { return h.sign(hdr, pl.set(k, raw)) }
	swap := func(seg int, s string) string {
		p := append([]string(nil), validParts...)
		p[seg] = s
		return strings.Join(p, ".")
	}
	huge := h.sign(hdr, pl.set("pad", q(strings.Repeat("x", verify.DefaultMaxTokenBytes))))

	var (
		malformed = verify.ErrMalformed
		alg       = verify.ErrUnsupportedAlgorithm
		kid       = verify.ErrInvalidKeyID
		unknown   = jwks.ErrUnknownKey
		badSig    = verify.ErrInvalidSignature
	)
	return []hostileCase{
		{"control: valid token", valid, false, nil},
		{"control: valid session cookie", signer.SessionCookie("uid-1"), true, nil},

		// Algorithms: only RS256, spelled exactly.
		{"alg none unsigned", verifytest.Unsigned(hdr.set("alg", `"none"`).set("kid", "").json(), pl.json()), false, alg},
		{"alg None unsigned", verifytest.Unsigned(hdr.set("alg", `"None"`).json(), pl.json()), false, alg},
		{"alg NONE unsigned", verifytest.Unsigned(hdr.set("alg", `"NONE"`).json(), pl.json()), false, alg},
		{"alg none with an RS256 signature", withHdr("alg", `"none"`), false, alg},
		{"alg empty", withHdr("alg", `""`), false, alg},
		{"alg missing", withHdr("alg", ""), false, alg},
		{"alg lower-case rs256", withHdr("alg", `"rs256"`), false, alg},
		{"alg null", withHdr("alg", "null"), false, alg},
		{"alg a number", withHdr("alg", "256"), false, alg},
		{"alg an array", withHdr("alg", `["RS256"]`), false, alg},
		{"HS256 keyed with the public key PEM", signWith(t, jwt.SigningMethodHS256, pubPEM, hdr.set("alg", `"HS256"`).json(), pl.json()), false, alg},
		{"HS256 keyed with the public key DER", signWith(t, jwt.SigningMethodHS256, pkcs1, hdr.set("alg", `"HS256"`).json(), pl.json()), false, alg},
		{"HS256 keyed with the certificate PEM", signWith(t, jwt.SigningMethodHS256, []byte(signer.Key().CertificatePEM), hdr.set("alg", `"HS256"`).json(), pl.json()), false, alg},
		{"RS384 by the real key", signWith(t, jwt.SigningMethodRS384, signer.Key().Private, hdr.set("alg", `"RS384"`).json(), pl.json()), false, alg},
		{"RS512 by the real key", signWith(t, jwt.SigningMethodRS512, signer.Key().Private, hdr.set("alg", `"RS512"`).json(), pl.json()), false, alg},
		{"PS256 by the real key", signWith(t, jwt.SigningMethodPS256, signer.Key().Private, hdr.set("alg", `"PS256"`).json(), pl.json()), false, alg},
		{"ES256", signWith(t, jwt.SigningMethodES256, ecKey, hdr.set("alg", `"ES256"`).json(), pl.json()), false, alg},
		{"RS256 header but an RS384 signature", signWith(t, jwt.SigningMethodRS384, signer.Key().Private, hdr.json(), pl.json()), false, badSig},

		// Key IDs and key-choosing headers.
		{"kid missing", withHdr("kid", ""), false, kid},
		{"kid empty", withHdr("kid", `""`), false, kid},
		{"kid null", withHdr("kid", "null"), false, kid},
		{"kid a number", withHdr("kid", "1"), false, kid},
		{"kid an object", withHdr("kid", `{"kid":`+q(h.kid)+`}`), false, kid},
		{"kid unknown", withHdr("kid", `"not-a-key"`), false, unknown},
		{"kid a path", withHdr("kid", `"../../../etc/passwd"`), false, unknown},
		{"jku to an attacker's server", verifytest.SignWith(stranger.Private, hdr.set("kid", q(stranger.ID)).set("jku", q(attackerURL+"/jwks")).json(), pl.json()), false, unknown},
		{"x5u to an attacker's server", verifytest.SignWith(stranger.Private, hdr.set("kid", q(stranger.ID)).set("x5u", q(attackerURL+"/x509")).json(), pl.json()), false, unknown},
		{"jwk embedding the attacker's key, attacker's kid", verifytest.SignWith(stranger.Private, hdr.set("kid", q(stranger.ID)).set("jwk", attackerJWK).json(), pl.json()), false, unknown},
		{"jwk embedding the attacker's key, real kid", verifytest.SignWith(stranger.Private, hdr.set("jwk", attackerJWK).json(), pl.json()), false, badSig},
		{"x5c with the attacker's certificate, real kid", verifytest.SignWith(stranger.Private, hdr.set("x5c", `[`+q(base64.StdEncoding.EncodeToString([]byte(stranger.CertificatePEM)))+`]`).json(), pl.json()), false, badSig},
		{"crit with a name", withHdr("crit", `["exp"]`), false, verify.ErrCriticalHeader},
		{"crit empty", withHdr("crit", `[]`), false, verify.ErrCriticalHeader},
		{"crit null", withHdr("crit", `null`), false, verify.ErrCriticalHeader},

		// Signatures and keys.
		{"valid signature by a key not in the set", signer.IDToken("uid-1", verifytest.SignedBy(stranger)), false, unknown},
		{"stranger's signature under the real kid", verifytest.SignWith(stranger.Private, hdr.json(), pl.json()), false, badSig},
		{"signature of another token", swap(2, strings.Split(h.sign(hdr, sub(`"uid-2"`)), ".")[2]), false, badSig},
		{"signature one byte short", swap(2, b64(mustDecode(t, validParts[2])[1:])), false, badSig},
		{"signature too long", swap(2, validParts[2]+"AAAA"), false, badSig},
		{"payload swapped after signing", swap(1, b64(sub(`"admin"`).json())), false, badSig},

		// Segments and encoding.
		{"empty token", "", false, malformed},
		{"one segment", validParts[0], false, malformed},
		{"two segments", validParts[0] + "." + validParts[1], false, malformed},
		{"four segments", valid + "." + validParts[2], false, malformed},
		{"only dots", "..", false, malformed},
		{"empty header", swap(0, ""), false, malformed},
		{"empty payload", swap(1, ""), false, malformed},
		{"empty signature", swap(2, ""), false, malformed},
		{"padding on the signature", valid + "==", false, malformed},
		{"padding on the header", swap(0, base64.URLEncoding.EncodeToString(hdr.json())+strings.Repeat("=", 3)), false, malformed},
		{"standard base64 alphabet", swap(2, strings.NewReplacer("-", "+", "_", "/").Replace(validParts[2])+"+/"), false, malformed},
		{"non-canonical base64 signature", swap(2, nonCanonical(t, validParts[2])), false, malformed},
		{"non-canonical base64 payload, signed as sent", nonCanonicalPayload(t, h, hdr, pl), false, malformed},
		{"space inside", validParts[0] + "." + validParts[1][:10] + " " + validParts[1][10:] + "." + validParts[2], false, malformed},
		{"newline inside", validParts[0] + ".\n" + validParts[1] + "." + validParts[2], false, malformed},
		{"CRLF inside", validParts[0] + "." + validParts[1] + "\r\n." + validParts[2], false, malformed},
		{"tab inside", validParts[0] + "\t." + validParts[1] + "." + validParts[2], false, malformed},
		{"leading space", " " + valid, false, malformed},
		{"trailing newline", valid + "\n", false, malformed},
		{"percent-encoded", strings.Replace(valid, ".", "%2E", 1), false, malformed},
		{"non-ASCII character", valid + "é", false, malformed},
		{"NUL byte", valid[:20] + "\x00" + valid[20:], false, malformed},

		// Duplicate and look-alike keys: a second parser could read the other one.
		{"alg twice, RS256 then none", h.sign(hdr.add("alg", `"none"`), pl), false, malformed},
		{"alg twice, none then RS256", h.sign(fields{{"alg", `"none"`}}.add("alg", `"RS256"`).add("kid", q(h.kid)), pl), false, malformed},
		{"kid twice", h.sign(hdr.add("kid", `"other"`), pl), false, malformed},
		{"Alg case variant in the header", h.sign(hdr.add("Alg", `"none"`), pl), false, malformed},
		{"aud twice", h.sign(hdr, pl.add("aud", `"other-project"`)), false, malformed},
		{"aud twice, same value", h.sign(hdr, pl.add("aud", q(hostileProject))), false, malformed},
		{"AUD beside aud", h.sign(hdr, pl.add("AUD", `"other-project"`)), false, malformed},
		{"AUD instead of aud", h.sign(hdr, pl.set("aud", "").add("AUD", q(hostileProject))), false, malformed},
		{`escaped key a\u0075d beside aud`, h.sign(hdr, pl.add(`a\u0075d`, `"other-project"`)), false, malformed},
		{`escaped key a\u0075d alone means aud`, h.sign(hdr, pl.set("aud", "").add(`a\u0075d`, q(hostileProject))), false, nil},
		{"sub twice", h.sign(hdr, pl.add("sub", `"admin"`)), false, malformed},
		{"exp twice", h.sign(hdr, pl.add("exp", at(100*time.Hour))), false, malformed},
		{"long s folds to sub", h.sign(hdr, pl.add("ſub", `"admin"`)), false, malformed},
		{"tenant twice inside firebase", withPl("firebase", `{"tenant":"a","tenant":"b"}`), false, malformed},

		// Wrong types.
		{"aud an array", withPl("aud", `[`+q(hostileProject)+`]`), false, verify.ErrInvalidAudience},
		{"aud a number", withPl("aud", "42"), false, verify.ErrInvalidAudience},
		{"aud null", withPl("aud", "null"), false, verify.ErrInvalidAudience},
		{"iss a number", withPl("iss", "1"), false, verify.ErrInvalidIssuer},
		{"sub a number", withPl("sub", "42"), false, verify.ErrInvalidSubject},
		{"sub an object", withPl("sub", `{"id":"uid-1"}`), false, verify.ErrInvalidSubject},
		{"sub null", withPl("sub", "null"), false, verify.ErrInvalidSubject},
		{"exp a string", withPl("exp", q(at(time.Hour))), false, verify.ErrInvalidExpiry},
		{"exp with a fraction", withPl("exp", at(time.Hour)+".5"), false, verify.ErrInvalidExpiry},
		{"exp with a zero fraction", withPl("exp", at(time.Hour)+".0"), false, verify.ErrInvalidExpiry},
		{"exp in exponent notation", withPl("exp", "1.7e9"), false, verify.ErrInvalidExpiry},
		{"exp beyond int64", withPl("exp", "1"+strings.Repeat("0", 30)), false, verify.ErrInvalidExpiry},
		{"exp null", withPl("exp", "null"), false, verify.ErrInvalidExpiry},
		{"exp zero", withPl("exp", "0"), false, verify.ErrInvalidExpiry},
		{"exp negative", withPl("exp", "-1"), false, verify.ErrInvalidExpiry},
		{"iat a string", withPl("iat", q(num(hostileNow))), false, verify.ErrInvalidIssuedAt},
		{"iat null", withPl("iat", "null"), false, verify.ErrInvalidIssuedAt},
		{"auth_time a boolean", withPl("auth_time", "true"), false, verify.ErrInvalidAuthTime},
		{"firebase a string", withPl("firebase", `"custom"`), false, malformed},
		{"firebase.tenant a number", withPl("firebase", `{"tenant":7}`), false, verify.ErrInvalidTenant},
		{"email_verified a string", withPl("email_verified", `"true"`), false, malformed},
		{"firebase null", withPl("firebase", "null"), false, nil},
		{"uid a number", withPl("uid", "7"), false, verify.ErrInvalidSubject},
		{"uid an object", withPl("uid", `{"id":"uid-1"}`), false, verify.ErrInvalidSubject},
		{"uid a string", withPl("uid", `"uid-1"`), false, nil},
		{"UID beside sub", withPl("UID", `"admin"`), false, malformed},

		// Payloads that encoding/json cannot read into a map[string]any.
		{"number beyond float64 in a custom claim", withPl("big", "1e400"), false, malformed},
		{"negative number beyond float64", withPl("big", "-2e308"), false, malformed},
		{"400-digit integer", withPl("big", "1"+strings.Repeat("0", 399)), false, malformed},
		{"number beyond float64 nested", withPl("c", `{"a":[1,{"b":-1e309}]}`), false, malformed},
		{"number beyond float64 in firebase", withPl("firebase", `{"identities":{},"sign_in_provider":"custom","sign_in_attributes":{"n":2e308}}`), false, malformed},
		{"number beyond float64 in the header", h.sign(hdr.add("x", "1e999"), pl), false, malformed},
		{"largest float64 in a custom claim", withPl("big", "1.7976931348623157e308"), false, nil},
		{"308-digit integer in a custom claim", withPl("big", strings.Repeat("9", 308)), false, nil},
		{"tiny number in a custom claim", withPl("small", "1e-400"), false, nil},

		// Times around the one-minute leeway, and far away.
		{"exp 59s ago", h.sign(hdr, pl.set("iat", at(-time.Hour)).set("auth_time", at(-time.Hour)).set("exp", at(-59*time.Second))), false, nil},
		{"exp 60s ago", h.sign(hdr, pl.set("iat", at(-time.Hour)).set("auth_time", at(-time.Hour)).set("exp", at(-60*time.Second))), false, verify.ErrExpired},
		{"exp a year ago", h.sign(hdr, pl.set("iat", at(-366*24*time.Hour)).set("auth_time", at(-366*24*time.Hour)).set("exp", at(-365*24*time.Hour))), false, verify.ErrExpired},
		{"iat 60s ahead", h.sign(hdr, pl.set("iat", at(time.Minute)).set("exp", at(time.Hour))), false, nil},
		{"iat 61s ahead", h.sign(hdr, pl.set("iat", at(61*time.Second)).set("exp", at(time.Hour))), false, verify.ErrIssuedInFuture},
		{"iat in the year 3000", h.sign(hdr, pl.set("iat", "32503680000").set("exp", "32503683600")), false, verify.ErrIssuedInFuture},
		{"auth_time 60s ahead", withPl("auth_time", at(time.Minute)), false, nil},
		{"auth_time 61s ahead", withPl("auth_time", at(61*time.Second)), false, verify.ErrAuthTimeInFuture},
		{"auth_time missing", withPl("auth_time", ""), false, verify.ErrInvalidAuthTime},
		{"iat missing", withPl("iat", ""), false, verify.ErrInvalidIssuedAt},
		{"lifetime exactly one hour", withPl("exp", at(time.Hour)), false, nil},
		{"lifetime one hour and a second", withPl("exp", at(time.Hour+time.Second)), false, verify.ErrInvalidExpiry},
		{"exp in the year 9999", withPl("exp", "253402300799"), false, verify.ErrInvalidExpiry},
		{"lifetime zero", withPl("exp", at(0)), false, verify.ErrInvalidExpiry},
		{"exp before iat", h.sign(hdr, pl.set("iat", at(30*time.Second)).set("exp", at(20*time.Second))), false, verify.ErrInvalidExpiry},
		{"lifetime one second", h.sign(hdr, pl.set("exp", at(time.Second))), false, nil},
		{"auth_time after iat beyond the leeway", h.sign(hdr, pl.set("iat", at(-10*time.Minute)).set("auth_time", at(-5*time.Minute)).set("exp", at(50*time.Minute))), false, verify.ErrInvalidAuthTime},
		{"auth_time after iat within the leeway", h.sign(hdr, pl.set("iat", at(-10*time.Minute)).set("auth_time", at(-9*time.Minute)).set("exp", at(50*time.Minute))), false, nil},
		{"exp the largest int64", withPl("exp", strconv.FormatInt(math.MaxInt64, 10)), false, verify.ErrInvalidExpiry},
		{"iat the largest int64", withPl("iat", strconv.FormatInt(math.MaxInt64, 10)), false, verify.ErrInvalidIssuedAt},
		{"auth_time the largest int64", withPl("auth_time", strconv.FormatInt(math.MaxInt64, 10)), false, verify.ErrInvalidAuthTime},
		{"auth_time past year 9999", withPl("auth_time", "253402300800"), false, verify.ErrInvalidAuthTime},

		// Subjects.
		{"sub of 128 bytes", withPl("sub", q(strings.Repeat("a", 128))), false, nil},
		{"sub of 129 bytes", withPl("sub", q(strings.Repeat("a", 129))), false, verify.ErrInvalidSubject},
		{"sub of 129 bytes in 2-byte runes", withPl("sub", q(strings.Repeat("é", 64)+"a")), false, verify.ErrInvalidSubject},
		{"sub empty", withPl("sub", `""`), false, verify.ErrInvalidSubject},
		{"sub a space", withPl("sub", `" "`), false, verify.ErrInvalidSubject},
		{"sub only white space", withPl("sub", `"\t \u00a0"`), false, verify.ErrInvalidSubject},
		{"sub with NUL", withPl("sub", `"uid-1\u0000"`), false, verify.ErrInvalidSubject},
		{"sub with a newline", withPl("sub", `"uid-1\nadmin"`), false, verify.ErrInvalidSubject},
		{"sub with DEL", withPl("sub", `"uid-1\u007f"`), false, verify.ErrInvalidSubject},
		{"sub with a C1 control", withPl("sub", `"uid-1\u009b"`), false, verify.ErrInvalidSubject},
		{"sub with spaces inside", withPl("sub", `"uid 1"`), false, nil},
		{"sub with a lone surrogate escape", withPl("sub", `"uid-\ud800"`), false, nil},

		// Projects and kinds.
		{"token for another project", signer.IDToken("uid-1", verifytest.Project("other-project")), false, verify.ErrInvalidAudience},
		{"right aud, another project's iss", withPl("iss", q(claimcheck.IDTokenIssuerPrefix+"other-project")), false, verify.ErrInvalidIssuer},
		{"issuer with a look-alike host", withPl("iss", q("https://securetoken.google.com.evil.example/"+hostileProject)), false, verify.ErrInvalidIssuer},
		{"issuer with a trailing slash", withPl("iss", q(claimcheck.IDTokenIssuerPrefix+hostileProject+"/")), false, verify.ErrInvalidIssuer},
		{"session cookie given as an ID token", signer.SessionCookie("uid-1"), false, verify.ErrInvalidIssuer},
		{"ID token given as a session cookie", valid, true, verify.ErrInvalidIssuer},
		{"emulator token given as an ID token", signer.EmulatorIDToken("uid-1"), false, alg},

		// Size, depth and bytes.
		{"over the size limit", huge, false, verify.ErrTooLarge},
		{"a megabyte of garbage", strings.Repeat("A", 1<<20), false, verify.ErrTooLarge},
		{"custom claim nested too deep", withPl("deep", nested(claimcheck.MaxJSONDepth, "1")), false, malformed},
		{"custom claim nested at the limit", withPl("deep", nested(claimcheck.MaxJSONDepth-2, "1")), false, nil},
		{"arrays nested 2000 deep", withPl("deep", strings.Repeat("[", 2000)+strings.Repeat("]", 2000)), false, malformed},
		{"header nested too deep", h.sign(hdr.add("x", nested(claimcheck.MaxJSONDepth, "1")), pl), false, malformed},
		{"non-UTF-8 byte in a custom claim", withPl("name", "\"\xff\xfe\""), false, malformed},
		{"non-UTF-8 byte in sub", withPl("sub", "\"uid-\xc0\""), false, malformed},
		{"payload an array", h.signer.Sign(hdr.json(), []byte(`[`+string(pl.json())+`]`)), false, malformed},
		{"payload null", h.signer.Sign(hdr.json(), []byte(`null`)), false, malformed},
		{"header null", h.signer.Sign([]byte(`null`), pl.json()), false, malformed},
		{"payload with data after the object", h.signer.Sign(hdr.json(), append(pl.json(), `{}`...)), false, malformed},
		{"payload with a byte-order mark", h.signer.Sign(hdr.json(), append([]byte("\xef\xbb\xbf"), pl.json()...)), false, malformed},
		{"header not JSON", h.signer.Sign([]byte("\x00\x01\x02"), pl.json()), false, malformed},
	}
}

func TestHostileTokens(t *testing.T) {
	signer := newHostileSigner(t)
	t.Cleanup(signer.Close)
	idv, err := signer.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	cookiev, err := signer.SessionCookieVerifier()
	if err != nil {
		t.Fatal(err)
	}

	// An attacker's key server: no request may ever reach it.
	var attackerRequests atomic.Int64
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attackerRequests.Add(1)
		http.Error(w, "attacker", http.StatusTeapot)
	}))
	t.Cleanup(attacker.Close)

	cases := hostileCorpus(t, signer, attacker.URL)

	if len(cases) < 60 {
		t.Fatalf("only %d cases", len(cases))
	}
	// The same tokens at the HTTP boundary, through the middleware.
	apps := map[bool]*httptest.Server{}
	for cookie, v := range map[bool]*verify.Verifier{false: idv, true: cookiev} {
		app := httptest.NewServer(v.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tok, _ := verify.TokenFromContext(r.Context())
			_, _ = w.Write([]byte("uid=" + tok.UID))
		})))
		t.Cleanup(app.Close)
		apps[cookie] = app
	}

	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("case name %q twice", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			v := idv
			if c.cookie {
				v = cookiev
			}
			tok, err := v.Verify(context.Background(), c.token)
			if c.want == nil {
				checkHostileAccepted(t, c, tok, err, apps[c.cookie].URL)
			} else {
				checkHostileRefused(t, c, tok, err, apps[c.cookie].URL)
			}
		})
	}
	if n := attackerRequests.Load(); n != 0 {
		t.Errorf("the attacker's key server got %d requests, want 0", n)
	}
}

// checkHostileAccepted checks a case that Verify must accept, and the
// middleware of the app at appURL with it.
func checkHostileAccepted(t *testing.T, c hostileCase, tok *claims.Token, err error, appURL string) {
	t.Helper()
	if err != nil {
		t.Fatalf("Verify: %v, want acceptance", err)
	}
	if tok.UID == "" || tok.Audience != hostileProject {
		t.Fatalf("accepted token has uid %q, aud %q", tok.UID, tok.Audience)
	}
	if status, body := hostileRequest(t, appURL, c.token); status != http.StatusOK || body != "uid="+tok.UID {
		t.Fatalf("HTTP: status %d, body %s; want 200", status, body)
	}
}

// checkHostileRefused checks a case that Verify must refuse with c.want,
// and the middleware of the app at appURL with it.
func checkHostileRefused(t *testing.T, c hostileCase, tok *claims.Token, err error, appURL string) {
	t.Helper()
	if tok != nil {
		t.Fatalf("Verify returned a token (uid %q) with error %v", tok.UID, err)
	}
	if !errors.Is(err, c.want) {
		t.Fatalf("Verify: err = %v, want %v", err, c.want)
	}
	if code, want := verify.ErrorCode(err), codeOf(c.want); code != want {
		t.Fatalf("ErrorCode = %q, want %q (err %v)", code, want, err)
	}
	if len(c.token) > 40 && strings.Contains(err.Error(), c.token[len(c.token)-40:]) {
		t.Fatal("the error echoes the token")
	}
	if !httpSendable(c.token) {
		return
	}
	status, body := hostileRequest(t, appURL, c.token)
	if status != http.StatusUnauthorized || !strings.Contains(body, `"code":"`+codeOf(c.want)+`"`) {
		t.Fatalf("HTTP: status %d, body %s; want 401 with code %q", status, body, codeOf(c.want))
	}
	if len(c.token) > 40 && strings.Contains(body, c.token[len(c.token)-40:]) {
		t.Fatal("the response echoes the token")
	}
}

// httpSendable reports whether token can travel as one Bearer token in an
// Authorization header (visible ASCII, no space, of a size servers take).
func httpSendable(token string) bool {
	if token == "" || len(token) > 64<<10 {
		return false
	}
	for i := 0; i < len(token); i++ {
		if token[i] <= ' ' || token[i] > '~' {
			return false
		}
	}
	return true
}

// hostileRequest sends token to the app and returns the status and body.
func hostileRequest(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// codeOf is the stable code the corpus expects for each sentinel, written
// out so a change of code is caught here.
func codeOf(err error) string {
	switch err {
	case verify.ErrTooLarge:
		return "token_too_large"
	case verify.ErrMalformed:
		return "malformed_token"
	case verify.ErrUnsupportedAlgorithm:
		return "unsupported_algorithm"
	case verify.ErrInvalidKeyID:
		return "invalid_key_id"
	case verify.ErrCriticalHeader:
		return "critical_header"
	case jwks.ErrUnknownKey:
		return "unknown_key"
	case verify.ErrInvalidSignature:
		return "invalid_signature"
	case verify.ErrInvalidAudience:
		return "invalid_audience"
	case verify.ErrInvalidIssuer:
		return "invalid_issuer"
	case verify.ErrInvalidSubject:
		return "invalid_subject"
	case verify.ErrInvalidExpiry:
		return "invalid_expiry"
	case verify.ErrExpired:
		return "token_expired"
	case verify.ErrInvalidIssuedAt:
		return "invalid_issued_at"
	case verify.ErrIssuedInFuture:
		return "issued_in_future"
	case verify.ErrInvalidAuthTime:
		return "invalid_auth_time"
	case verify.ErrAuthTimeInFuture:
		return "auth_time_in_future"
	case verify.ErrInvalidTenant:
		return "invalid_tenant"
	}
	return "?"
}
