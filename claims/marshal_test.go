package claims_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/fbverify/fbverify/claims"
)

// json.Marshal of a parsed Token is the payload it came from: typed
// claims, custom claims and firebase.identities alike.
func TestMarshalJSONIsThePayload(t *testing.T) {
	payload := `{"iss":"https://securetoken.google.com/my-project", "aud":"my-project","auth_time":1764000000,
		"user_id":"u1","sub":"u1","iat":1764000000,"exp":1764003600,"email":"ada@example.com",
		"email_verified":true,"admin":true,"roles":["a","b"],"big":12345678901234567890,
		"firebase":{"identities":{"email":["ada@example.com"]},"sign_in_provider":"password"}}`
	tok := &claims.Token{Payload: payload}
	for name, v := range map[string]any{"pointer": tok, "value": *tok, "field": struct{ Token claims.Token }{*tok}} {
		got, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "field" {
			var outer struct{ Token json.RawMessage }
			if err := json.Unmarshal(got, &outer); err != nil {
				t.Fatal(err)
			}
			got = outer.Token
		}
		const want = `{"iss":"https://securetoken.google.com/my-project","aud":"my-project","auth_time":1764000000,"user_id":"u1","sub":"u1","iat":1764000000,"exp":1764003600,"email":"ada@example.com","email_verified":true,"admin":true,"roles":["a","b"],"big":12345678901234567890,"firebase":{"identities":{"email":["ada@example.com"]},"sign_in_provider":"password"}}`
		if string(got) != want {
			t.Errorf("%s: json.Marshal = %s\nwant %s", name, got, want)
		}
	}
}

// A Token built by hand, as a test does, encodes its typed fields under
// their claim names, leaving out the ones it does not have.
func TestMarshalJSONOfAHandBuiltToken(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tok := claims.Token{UID: "u1", Audience: "my-project", IssuedAt: at, Expires: at.Add(time.Hour),
		Email: "ada@example.com", Firebase: claims.Firebase{SignInProvider: "password"}}
	got, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"sub":"u1","aud":"my-project","iat":1795608000,"exp":1795611600,"email":"ada@example.com","firebase":{"sign_in_provider":"password"}}`
	if string(got) != want {
		t.Fatalf("json.Marshal = %s\nwant %s", got, want)
	}
}

// Identities reads firebase.identities from the payload; a Token without
// one, or built by hand without a payload, has none.
func TestIdentities(t *testing.T) {
	for _, c := range []struct {
		payload string
		want    map[string][]string
	}{
		{"", nil},
		{`{"sub":"u1"}`, nil},
		{`{"firebase":{"sign_in_provider":"anonymous","identities":{}}}`, map[string][]string{}},
		{`{"firebase":{"identities":{"email":["ada@example.com"],"google.com":["1234"]}}}`,
			map[string][]string{"email": {"ada@example.com"}, "google.com": {"1234"}}},
	} {
		tok := &claims.Token{UID: "u1", Payload: c.payload}
		got := tok.Identities()
		if (got == nil) != (c.want == nil) || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("payload %q: Identities() = %#v, want %#v", c.payload, got, c.want)
		}
	}
}
