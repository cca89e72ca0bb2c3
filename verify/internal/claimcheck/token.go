package claimcheck

import (
	"encoding/json"
	"github.com/fbverify/fbverify/claims"
	"time"
)

// The claims types the parser fills, from package claims.
type (
	Token           = claims.Token
	Firebase        = claims.Firebase
	Header          = claims.Header
	AppCheckToken   = claims.AppCheckToken
	ValidationError = claims.ValidationError
)

// wireFirebase is the firebase claim as encoding/json decodes it, on the
// rare path that reports a mistyped claim (see parseMistyped).
type wireFirebase struct {
	SignInProvider         string              `json:"sign_in_provider"`
	Identities             map[string][]string `json:"identities"`
	Tenant                 string              `json:"tenant"`
	SignInSecondFactor     string              `json:"sign_in_second_factor"`
	SecondFactorIdentifier string              `json:"second_factor_identifier"`
}

type wireToken struct {
	Sub           string       `json:"sub"`
	Aud           string       `json:"aud"`
	Iss           string       `json:"iss"`
	Iat           int64        `json:"iat"`
	Exp           int64        `json:"exp"`
	AuthTime      int64        `json:"auth_time"`
	Email         string       `json:"email"`
	EmailVerified bool         `json:"email_verified"`
	PhoneNumber   string       `json:"phone_number"`
	Name          string       `json:"name"`
	Picture       string       `json:"picture"`
	Firebase      wireFirebase `json:"firebase"`
	UID           string       `json:"uid"`
}

var (
	// payloadNames are the claims read into a Token, and uid: the Admin
	// SDK decodes a uid claim into a string, so one of another type makes
	// the token unreadable there and is refused here (ErrInvalidSubject).
	payloadNames  = []string{"sub", "aud", "iss", "iat", "exp", "auth_time", "email", "email_verified", "phone_number", "name", "picture", "firebase", "uid"}
	firebaseNames = []string{"sign_in_provider", "identities", "tenant", "sign_in_second_factor", "second_factor_identifier"}
	// payloadRules names the rule broken when a claim has the wrong JSON type.
	payloadRules = map[string]error{
		"sub":             ErrInvalidSubject,
		"uid":             ErrInvalidSubject,
		"aud":             ErrInvalidAudience,
		"iss":             ErrInvalidIssuer,
		"iat":             ErrInvalidIssuedAt,
		"exp":             ErrInvalidExpiry,
		"auth_time":       ErrInvalidAuthTime,
		"firebase.tenant": ErrInvalidTenant,
	}
)

// Parse decodes a token's payload from its JSON (already base64url decoded).
// It checks the JSON strictly (full grammar, valid UTF-8, no duplicate keys,
// bounded depth) and the types of the typed claims, but none of the rules:
// see Validate. The Token keeps a copy of payload, so the caller may reuse
// payload once Parse returns.
func Parse(payload []byte) (*Token, error) {
	p := jsonParser{data: payload, str: string(payload)}
	t := &Token{Payload: p.str}
	err := p.payload(t)
	if err == nil {
		err = p.end()
	}
	if err != nil {
		return nil, &ValidationError{Claim: "payload", Err: ErrMalformed, Actual: err.Error()}
	}
	if p.mistyped {
		return parseMistyped(payload)
	}
	return t, nil
}

// parseMistyped decodes a payload that is strict JSON but has a typed claim
// of the wrong JSON type, through encoding/json, so that the error names
// the claim, its rule and the types exactly as encoding/json sees them.
func parseMistyped(payload []byte) (*Token, error) {
	var w wireToken
	if err := json.Unmarshal(payload, &w); err != nil {
		return nil, typeError("payload", err, payloadRules)
	}
	return &Token{
		UID:           w.Sub,
		Audience:      w.Aud,
		Issuer:        w.Iss,
		IssuedAt:      unixTime(w.Iat),
		Expires:       unixTime(w.Exp),
		AuthTime:      unixTime(w.AuthTime),
		Email:         w.Email,
		EmailVerified: w.EmailVerified,
		PhoneNumber:   w.PhoneNumber,
		Name:          w.Name,
		Picture:       w.Picture,
		Firebase: Firebase{
			SignInProvider:         w.Firebase.SignInProvider,
			Tenant:                 w.Firebase.Tenant,
			SignInSecondFactor:     w.Firebase.SignInSecondFactor,
			SecondFactorIdentifier: w.Firebase.SecondFactorIdentifier,
		},
		Payload: string(payload),
	}, nil
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
