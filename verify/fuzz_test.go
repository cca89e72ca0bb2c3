package verify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/verify"
)

// fuzzVerifier is the verifier the fuzz targets attack: the corpus'
// signer's keys, held statically (no I/O), its fixed clock.
func fuzzVerifier(f *testing.F) (*verify.Verifier, []hostileCase, hostile) {
	f.Helper()
	signer := newHostileSigner(f)
	v, err := verify.New(hostileProject, verify.WithKeySource(signer.KeySource()), verify.WithClock(signer.Now))
	if err != nil {
		f.Fatal(err)
	}
	// The attacker URL is never contacted; it only has to look like one.
	return v, hostileCorpus(f, signer, "http://127.0.0.1:9"), hostile{signer: signer, kid: signer.Key().ID}
}

// FuzzVerify mutates whole tokens. Without the signing key no mutation can
// make a new valid token, so the invariant is exact: Verify never panics,
// returns a token exactly when it returns no error, names every refusal
// with a known code, and accepts only tokens byte-identical to a seed that
// was valid to begin with.
func FuzzVerify(f *testing.F) {
	v, corpus, _ := fuzzVerifier(f)
	valid := map[string]bool{}
	for _, c := range corpus {
		if c.cookie || len(c.token) > verify.DefaultMaxTokenBytes {
			continue
		}
		f.Add(c.token)
		if _, err := v.Verify(context.Background(), c.token); err == nil {
			valid[c.token] = true
		}
	}
	if len(valid) == 0 {
		f.Fatal("no valid seed")
	}
	f.Fuzz(func(t *testing.T, token string) {
		tok, err := v.Verify(context.Background(), token)
		if (tok == nil) == (err == nil) {
			t.Fatalf("Verify returned token %v and error %v", tok, err)
		}
		if err != nil {
			if code := verify.ErrorCode(err); code == "invalid_token" {
				t.Fatalf("error %q wraps no sentinel", err)
			}
			return
		}
		if !valid[token] {
			t.Fatalf("accepted a token that no seed made valid: %q", token)
		}
	})
}

// FuzzVerifySigned fuzzes the header and payload JSON and signs them
// correctly, so the fuzzer explores the claim rules behind the signature.
// Whatever is accepted must satisfy the rules when read by a second,
// independent reader (encoding/json with duplicate detection).
func FuzzVerifySigned(f *testing.F) {
	v, corpus, h := fuzzVerifier(f)
	addSignedSeeds(f, h, corpus)
	f.Fuzz(func(t *testing.T, header, payload []byte) {
		token := h.signer.Sign(header, payload)
		tok, err := v.Verify(context.Background(), token)
		if err != nil {
			if tok != nil {
				t.Fatal("token returned with an error")
			}
			if code := verify.ErrorCode(err); code == "invalid_token" || code == "invalid_signature" {
				t.Fatalf("correctly signed token refused with code %q: %v", code, err)
			}
			return
		}
		checkAcceptedHeader(t, header, h.kid)
		checkAcceptedPayload(t, payload, tok)
	})
}

// addSignedSeeds seeds a fuzz target of (header, payload) with the valid
// token's and with those of every ID-token case of the corpus.
func addSignedSeeds(f *testing.F, h hostile, corpus []hostileCase) {
	f.Add(h.header().json(), h.payload().json())
	for _, c := range corpus {
		parts := strings.Split(c.token, ".")
		if len(parts) != 3 || c.cookie {
			continue
		}
		hdr, err1 := decodeB64(parts[0])
		pl, err2 := decodeB64(parts[1])
		if err1 == nil && err2 == nil {
			f.Add(hdr, pl)
		}
	}
}

func decodeB64(seg string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(seg)
}

// checkAcceptedHeader re-reads an accepted header with encoding/json.
func checkAcceptedHeader(t *testing.T, header []byte, kid string) {
	t.Helper()
	m := decodeUnique(t, header)
	if m["alg"] != claimcheck.AlgorithmRS256 {
		t.Fatalf("accepted alg %v", m["alg"])
	}
	if m["kid"] != kid {
		t.Fatalf("accepted kid %v", m["kid"])
	}
	if _, ok := m["crit"]; ok {
		t.Fatal("accepted a crit header")
	}
}

// checkAcceptedPayload re-reads an accepted payload with encoding/json and
// checks the rules and the typed token against it. The rules are written
// here again, with literals, not read from the code under test.
func checkAcceptedPayload(t *testing.T, payload []byte, tok *claims.Token) {
	t.Helper()
	m := decodeUnique(t, payload)
	if err := json.Unmarshal(payload, new(map[string]any)); err != nil {
		t.Fatalf("accepted a payload that encoding/json cannot read into a map[string]any: %v", err)
	}
	if m["aud"] != hostileProject || m["iss"] != claimcheck.IDTokenIssuerPrefix+hostileProject {
		t.Fatalf("accepted aud %v, iss %v", m["aud"], m["iss"])
	}
	checkAcceptedSubject(t, m, tok)
	checkAcceptedTimes(t, m, tok)
}

// checkAcceptedSubject checks the sub and uid claims of an accepted
// payload, decoded into m.
func checkAcceptedSubject(t *testing.T, m map[string]any, tok *claims.Token) {
	t.Helper()
	sub, _ := m["sub"].(string)
	if sub == "" || len(sub) > 128 || sub != tok.UID {
		t.Fatalf("accepted sub %q, token UID %q", sub, tok.UID)
	}
	if !utf8.ValidString(sub) || strings.IndexFunc(sub, unicode.IsControl) >= 0 ||
		strings.TrimFunc(sub, unicode.IsSpace) == "" {
		t.Fatalf("accepted sub %q: invalid UTF-8, a control character or only white space", sub)
	}
	if uid, ok := m["uid"]; ok && uid != nil {
		if _, isString := uid.(string); !isString {
			t.Fatalf("accepted a uid of type %T", uid)
		}
	}
}

// checkAcceptedTimes checks the exp, iat and auth_time claims of an
// accepted payload, decoded into m.
func checkAcceptedTimes(t *testing.T, m map[string]any, tok *claims.Token) {
	t.Helper()
	secs := map[string]int64{}
	for _, name := range []string{"exp", "iat", "auth_time"} {
		n, ok := m[name].(json.Number)
		if !ok {
			t.Fatalf("accepted %s of %T", name, m[name])
		}
		sec, err := n.Int64()
		if err != nil || sec <= 0 || sec > 253402300799 {
			t.Fatalf("accepted %s %v", name, n)
		}
		secs[name] = sec
	}
	exp, iat, authTime := secs["exp"], secs["iat"], secs["auth_time"]
	if tok.Expires.Unix() != exp || tok.IssuedAt.Unix() != iat || tok.AuthTime.Unix() != authTime {
		t.Fatalf("token times %v, %v, %v disagree with exp %d, iat %d, auth_time %d",
			tok.Expires, tok.IssuedAt, tok.AuthTime, exp, iat, authTime)
	}
	const leeway = 60 // seconds, the default
	now := hostileNow.Unix()
	if exp <= now-leeway || iat > now+leeway || authTime > now+leeway {
		t.Fatalf("accepted exp %d, iat %d, auth_time %d at %d", exp, iat, authTime, now)
	}
	if exp <= iat || exp-iat > 3600 {
		t.Fatalf("accepted a lifetime of %d s (exp %d, iat %d)", exp-iat, exp, iat)
	}
	if authTime > iat+leeway {
		t.Fatalf("accepted auth_time %d, more than the leeway after iat %d", authTime, iat)
	}
}

var errDuplicate = errors.New("duplicate key")

// decodeUnique decodes a JSON object with numbers as json.Number, failing
// the test if any object in it has the same key twice: an independent
// check of the strict parser's duplicate rule.
func decodeUnique(t *testing.T, data []byte) map[string]any {
	t.Helper()
	if !utf8.Valid(data) {
		t.Fatalf("accepted invalid UTF-8: %q", data)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := walkUnique(d); err != nil {
		t.Fatalf("accepted %q: %v", data, err)
	}
	var m map[string]any
	d = json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("accepted JSON that encoding/json refuses: %v", err)
	}
	if _, err := d.Token(); err != io.EOF {
		t.Fatalf("accepted data after the object: %q", data)
	}
	return m
}

// walkUnique reads one JSON value from d, refusing duplicate keys (after
// unescaping, compared case-insensitively as encoding/json matches them).
func walkUnique(d *json.Decoder) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for d.More() {
			k, err := d.Token()
			if err != nil {
				return err
			}
			key := strings.ToLower(strings.ToUpper(k.(string)))
			if seen[key] {
				return errDuplicate
			}
			seen[key] = true
			if err := walkUnique(d); err != nil {
				return err
			}
		}
		_, err = d.Token()
		return err
	case json.Delim('['):
		for d.More() {
			if err := walkUnique(d); err != nil {
				return err
			}
		}
		_, err = d.Token()
		return err
	}
	return nil
}
