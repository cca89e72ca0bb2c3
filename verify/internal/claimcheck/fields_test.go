package claimcheck

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestFieldTables checks the tables that drive the parser: each name is
// found at its own index, every typed field is filled from its claim, and
// a claim of the wrong JSON type breaks its own rule, worded as
// encoding/json words it.
func TestFieldTables(t *testing.T) {
	for _, set := range []struct {
		claims claimSet
		n      int
		depth  int
	}{{tokenClaims, tokenUID + 1, 1}, {firebaseClaims, firebaseSecondFactorIdentifier + 1, 2},
		{headerClaims, headerCrit + 1, 1}, {appCheckClaims, appCheckExp + 1, 1}} {
		if len(set.claims.members) != set.n || len(set.claims.names.List()) != set.n {
			t.Errorf("%v: %d claims, want %d", set.claims.names.List(), len(set.claims.members), set.n)
		}
		for i, m := range set.claims.members {
			if name := set.claims.names.List()[i]; m.Depth != set.depth || !strings.HasSuffix(m.Path, name) {
				t.Errorf("claim %d: %+v, want the path of %q at depth %d", i, m, name, set.depth)
			}
		}
	}
	tok, err := Parse([]byte(`{"sub":"u1","aud":"p","iss":"i","iat":100,"exp":200,"auth_time":50,` +
		`"email":"e@x","email_verified":true,"phone_number":"+1","name":"N","picture":"https://p","uid":"u1",` +
		`"firebase":{"sign_in_provider":"password","identities":{"email":["e@x"]},"tenant":"t1",` +
		`"sign_in_second_factor":"phone","second_factor_identifier":"f1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Token{UID: "u1", Audience: "p", Issuer: "i", IssuedAt: time.Unix(100, 0).UTC(), Expires: time.Unix(200, 0).UTC(),
		AuthTime: time.Unix(50, 0).UTC(), Email: "e@x", EmailVerified: true, PhoneNumber: "+1", Name: "N", Picture: "https://p",
		Firebase: Firebase{SignInProvider: "password", Tenant: "t1",
			SignInSecondFactor: "phone", SecondFactorIdentifier: "f1"}}
	got := *tok
	got.Payload = ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse =\n%#v\nwant\n%#v", got, want)
	}
	for _, c := range []struct {
		payload          string
		claim            string
		rule             error
		expected, actual string
	}{
		{`{"sub":1}`, "sub", ErrInvalidSubject, "a JSON string", "a JSON number"},
		{`{"uid":true}`, "uid", ErrInvalidSubject, "a JSON string", "a JSON bool"},
		{`{"aud":["p"]}`, "aud", ErrInvalidAudience, "a JSON string", "a JSON array"},
		{`{"iss":{}}`, "iss", ErrInvalidIssuer, "a JSON string", "a JSON object"},
		{`{"iat":"1"}`, "iat", ErrInvalidIssuedAt, "a whole number", "a JSON string"},
		{`{"exp":1.5}`, "exp", ErrInvalidExpiry, "a whole number", "a JSON number 1.5"},
		{`{"auth_time":99999999999999999999}`, "auth_time", ErrInvalidAuthTime, "a whole number", "a JSON number 99999999999999999999"},
		{`{"email_verified":"yes"}`, "email_verified", ErrMalformed, "a JSON boolean", "a JSON string"},
		{`{"firebase":[]}`, "firebase", ErrMalformed, "a JSON object", "a JSON array"},
		{`{"firebase":{"tenant":5}}`, "firebase.tenant", ErrInvalidTenant, "a JSON string", "a JSON number"},
		{`{"firebase":{"identities":{"email":"e"}}}`, "firebase.identities", ErrMalformed, "a JSON array", "a JSON string"},
		{`{"firebase":{"identities":{"email":[1]}}}`, "firebase.identities", ErrMalformed, "a JSON string", "a JSON number"},
		{`{"sub":1,"aud":2}`, "sub", ErrInvalidSubject, "a JSON string", "a JSON number"}, // the first mistake
	} {
		_, err := Parse([]byte(c.payload))
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Claim != c.claim || ve.Err != c.rule || ve.Expected != c.expected || ve.Actual != c.actual {
			t.Errorf("Parse(%s) = %#v, want %s %v expected %q actual %q", c.payload, err, c.claim, c.rule, c.expected, c.actual)
		}
		checkPayload(t, c.payload)
	}
	if _, err := Parse([]byte(`{"sub":1,"x":[}`)); !errors.Is(err, ErrMalformed) {
		t.Errorf("a syntax error after a mistyped claim: %v, want ErrMalformed", err)
	}
}
