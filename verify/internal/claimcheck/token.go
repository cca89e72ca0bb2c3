package claimcheck

import (
	"bytes"
	"time"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/verify/internal/strictjson"
)

// The claims types the parser fills, from package claims.
type (
	Token           = claims.Token
	Firebase        = claims.Firebase
	Header          = claims.Header
	AppCheckToken   = claims.AppCheckToken
	ValidationError = claims.ValidationError
)

// Parse decodes a token's payload from its JSON (already base64url decoded).
// It checks the JSON strictly (full grammar, valid UTF-8, no duplicate keys,
// bounded depth) and the types of the typed claims, but none of the rules:
// see Validate. A typed claim of the wrong JSON type is refused with its
// rule, worded as encoding/json words the type error. The Token keeps a
// copy of payload, so the caller may reuse payload once Parse returns.
func Parse(payload []byte) (*Token, error) {
	d := strictjson.New(payload)
	t := &Token{}
	err := d.Begin()
	if err == nil {
		err = readToken(&d, t)
	}
	if err := outcome(&d, "payload", err); err != nil {
		return nil, err
	}
	t.Payload = d.Text() // the typed strings are substrings of it
	return t, nil
}

// CheckPayloadPrefix reads prefix, the first bytes of a token's payload,
// and returns the error that Parse returns for every payload starting with
// prefix, when prefix alone decides one: too many members or values, a
// duplicate key, nesting too deep, or no object at all. Otherwise (even
// when prefix is a whole payload) it returns nil and Parse decides. It
// lets a verifier refuse a long junk payload having decoded only its
// start. A start unlikely to reach a limit (see mayReachLimit) is left to
// Parse whole, even if it repeats a key or nests too deep.
func CheckPayloadPrefix(prefix []byte) error {
	d := strictjson.New(prefix)
	err := d.Begin()
	if err == nil && mayReachLimit(prefix) {
		var t Token
		err = readToken(&d, &t)
	}
	if err != nil && d.Decisive(err) {
		return &ValidationError{Claim: "payload", Err: ErrMalformed, Actual: err.Error()}
	}
	return nil
}

// The limits of package strictjson, under the names package verify's
// documentation gives them.
const (
	// MaxJSONDepth is how deeply objects and arrays may nest in a token's
	// header or payload.
	MaxJSONDepth = strictjson.MaxDepth
	// MaxJSONMembers is how many members one object of a token's header
	// or payload may have.
	MaxJSONMembers = strictjson.MaxMembers
	// MaxJSONValues is how many members and array elements a token's
	// header or payload may have in all.
	MaxJSONValues = strictjson.MaxValues
)

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
