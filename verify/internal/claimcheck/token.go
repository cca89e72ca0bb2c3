package claimcheck

import (
	"bytes"
	"time"
	"unsafe"

	"github.com/fbverify/fbverify/claims"
)

// The claims types the parser fills, from package claims.
type (
	Token           = claims.Token
	Firebase        = claims.Firebase
	Header          = claims.Header
	AppCheckToken   = claims.AppCheckToken
	ValidationError = claims.ValidationError
)

// tokenFields are the typed claims of a payload, in the one table that
// names each claim, the Token field it fills and the rule its JSON type
// belongs to: a new typed claim is one line here. uid is read only for
// its type: the Admin SDK decodes a uid claim into a string, so one of
// another type makes the token unreadable there and is refused here
// (ErrInvalidSubject).
var tokenFields = newFields("", 1,
	stringField("sub", ErrInvalidSubject, func(t *Token) *string { return &t.UID }),
	stringField("aud", ErrInvalidAudience, func(t *Token) *string { return &t.Audience }),
	stringField("iss", ErrInvalidIssuer, func(t *Token) *string { return &t.Issuer }),
	timeField("iat", ErrInvalidIssuedAt, func(t *Token) *time.Time { return &t.IssuedAt }),
	timeField("exp", ErrInvalidExpiry, func(t *Token) *time.Time { return &t.Expires }),
	timeField("auth_time", ErrInvalidAuthTime, func(t *Token) *time.Time { return &t.AuthTime }),
	stringField("email", nil, func(t *Token) *string { return &t.Email }),
	boolField("email_verified", nil, func(t *Token) *bool { return &t.EmailVerified }),
	stringField("phone_number", nil, func(t *Token) *string { return &t.PhoneNumber }),
	stringField("name", nil, func(t *Token) *string { return &t.Name }),
	stringField("picture", nil, func(t *Token) *string { return &t.Picture }),
	firebaseField("firebase", nil, func(t *Token) *Firebase { return &t.Firebase }),
	typeOnlyField[Token]("uid", ErrInvalidSubject),
)

// firebaseFields are the typed members of the firebase claim.
var firebaseFields = newFields("firebase.", 2,
	stringField("sign_in_provider", nil, func(f *Firebase) *string { return &f.SignInProvider }),
	identitiesField[Firebase]("identities", nil),
	stringField("tenant", ErrInvalidTenant, func(f *Firebase) *string { return &f.Tenant }),
	stringField("sign_in_second_factor", nil, func(f *Firebase) *string { return &f.SignInSecondFactor }),
	stringField("second_factor_identifier", nil, func(f *Firebase) *string { return &f.SecondFactorIdentifier }),
)

// Parse decodes a token's payload from its JSON (already base64url decoded).
// It checks the JSON strictly (full grammar, valid UTF-8, no duplicate keys,
// bounded depth) and the types of the typed claims, but none of the rules:
// see Validate. A typed claim of the wrong JSON type is refused with its
// rule, worded as encoding/json words the type error. The Token keeps a
// copy of payload, so the caller may reuse payload once Parse returns.
func Parse(payload []byte) (*Token, error) {
	p := jsonParser{data: payload, str: string(payload)}
	t := &Token{Payload: p.str}
	if err := p.result("payload", p.payload(t)); err != nil {
		return nil, err
	}
	return t, nil
}

// CheckPayloadPrefix reads prefix, the first bytes of a token's payload,
// and returns the error that Parse returns for every payload starting with
// prefix, when prefix alone decides one: too many members or values, a
// duplicate key, nesting too deep, or no object at all. Otherwise (even
// when prefix is a whole payload) it returns nil and Parse decides. It
// lets a verifier refuse a long junk payload having decoded only its
// start; it allocates nothing for the payloads it does not refuse. A
// start unlikely to reach a limit (see mayReachLimit) is left to Parse
// whole, even if it repeats a key or nests too deep.
func CheckPayloadPrefix(prefix []byte) error {
	// The strings read are dropped before CheckPayloadPrefix returns (an
	// error message copies what it quotes), so prefix is not copied.
	p := jsonParser{data: prefix, str: unsafe.String(unsafe.SliceData(prefix), len(prefix))}
	if err := p.begin(); err != nil {
		if p.decisive(err) {
			return &ValidationError{Claim: "payload", Err: ErrMalformed, Actual: err.Error()}
		}
		return nil
	}
	if !mayReachLimit(prefix) {
		return nil
	}
	var t Token
	if err := p.payload(&t); err != nil && p.decisive(err) {
		return &ValidationError{Claim: "payload", Err: ErrMalformed, Actual: err.Error()}
	}
	return nil
}

// mayReachLimit guesses, from counts of a few bytes, whether reading the
// start of a payload could reach MaxJSONMembers or MaxJSONValues, so that
// reading one that cannot (a long string, many small objects) is not
// wasted. A wrong guess only costs time: Parse applies the limits anyway.
// Every value but the first of its container follows a comma, so there
// are at most as many values as commas and brackets; an object of many
// members needs as many colons, and they are not spread over many objects.
func mayReachLimit(prefix []byte) bool {
	braces := bytes.Count(prefix, []byte("{"))
	opens := braces + bytes.Count(prefix, []byte("["))
	if opens+bytes.Count(prefix, []byte(","))+1 > MaxJSONValues {
		return true
	}
	colons := bytes.Count(prefix, []byte(":"))
	return colons > MaxJSONMembers && 8*braces <= colons
}

// maxUnixSeconds is 9999-12-31T23:59:59Z. Larger NumericDates are refused:
// time.Unix overflows near the int64 limit (an auth_time of 1<<63-1 came
// out as a date long past), and no genuine token is dated that far.
const maxUnixSeconds = 253402300799

// unixTime maps a missing, non-positive or out-of-range NumericDate to the
// zero Time, which the rules treat as absent (invalid).
func unixTime(sec int64) time.Time {
	if sec <= 0 || sec > maxUnixSeconds {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
