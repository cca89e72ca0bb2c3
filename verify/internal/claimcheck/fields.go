package claimcheck

import (
	"time"

	"github.com/fbverify/fbverify/verify/internal/strictjson"
)

// The typed claims of each kind of object the parser fills: the claim
// names, each with the rule a value of the wrong JSON type breaks (nil for
// ErrMalformed), in one list per Go type, indexed by constants. A reader
// per type (readToken and the like) switches on the index strictjson
// hands it and fills the field. A new typed claim is a constant, a line
// of its list and a case of its reader.

// claim is a typed claim: its name and its rule.
type claim struct {
	name string
	rule error
}

// claimSet is the list of one type's claims as the parser uses it: their
// names for strictjson, and each claim as a strictjson.Member.
type claimSet struct {
	names   *strictjson.Names
	members []strictjson.Member
}

// newClaimSet makes the claimSet of list, claims of objects at depth whose
// paths in a type error are prefix and the name.
func newClaimSet(prefix string, depth int, list []claim) claimSet {
	set := claimSet{}
	names := make([]string, len(list))
	for i, c := range list {
		names[i] = c.name
		set.members = append(set.members, strictjson.Member{Path: prefix + c.name, Rule: c.rule, Depth: depth})
	}
	set.names = strictjson.NewNames(names...)
	return set
}

// The claims of a Token. uid is read only for its type: the Admin SDK
// decodes a uid claim into a string, so one of another type makes the
// token unreadable there and is refused here (ErrInvalidSubject).
const (
	tokenSub = iota
	tokenAud
	tokenIss
	tokenIat
	tokenExp
	tokenAuthTime
	tokenEmail
	tokenEmailVerified
	tokenPhoneNumber
	tokenName
	tokenPicture
	tokenFirebase
	tokenUID
)

var tokenClaims = newClaimSet("", 1, []claim{
	tokenSub:           {"sub", ErrInvalidSubject},
	tokenAud:           {"aud", ErrInvalidAudience},
	tokenIss:           {"iss", ErrInvalidIssuer},
	tokenIat:           {"iat", ErrInvalidIssuedAt},
	tokenExp:           {"exp", ErrInvalidExpiry},
	tokenAuthTime:      {"auth_time", ErrInvalidAuthTime},
	tokenEmail:         {"email", nil},
	tokenEmailVerified: {"email_verified", nil},
	tokenPhoneNumber:   {"phone_number", nil},
	tokenName:          {"name", nil},
	tokenPicture:       {"picture", nil},
	tokenFirebase:      {"firebase", nil},
	tokenUID:           {"uid", ErrInvalidSubject},
})

// readToken reads a payload's top-level object into t.
func readToken(d *strictjson.Decoder, t *Token) error {
	set := &tokenClaims
	return d.Object(1, set.names, func(i int) error {
		if i < 0 {
			return d.Skip(1)
		}
		m := &set.members[i]
		switch i {
		case tokenSub:
			return d.String(&t.UID, m)
		case tokenAud:
			return d.String(&t.Audience, m)
		case tokenIss:
			return d.String(&t.Issuer, m)
		case tokenIat:
			return readTime(d, &t.IssuedAt, m)
		case tokenExp:
			return readTime(d, &t.Expires, m)
		case tokenAuthTime:
			return readTime(d, &t.AuthTime, m)
		case tokenEmail:
			return d.String(&t.Email, m)
		case tokenEmailVerified:
			return d.Bool(&t.EmailVerified, m)
		case tokenPhoneNumber:
			return d.String(&t.PhoneNumber, m)
		case tokenName:
			return d.String(&t.Name, m)
		case tokenPicture:
			return d.String(&t.Picture, m)
		case tokenFirebase:
			return readFirebase(d, &t.Firebase, m)
		}
		var uid string // tokenUID
		return d.String(&uid, m)
	})
}

// The claims of the firebase claim. identities is only checked:
// Token.Identities decodes it from the payload on demand.
const (
	firebaseSignInProvider = iota
	firebaseIdentities
	firebaseTenant
	firebaseSignInSecondFactor
	firebaseSecondFactorIdentifier
)

var firebaseClaims = newClaimSet("firebase.", 2, []claim{
	firebaseSignInProvider:         {"sign_in_provider", nil},
	firebaseIdentities:             {"identities", nil},
	firebaseTenant:                 {"tenant", ErrInvalidTenant},
	firebaseSignInSecondFactor:     {"sign_in_second_factor", nil},
	firebaseSecondFactorIdentifier: {"second_factor_identifier", nil},
})

// readFirebase reads the firebase claim, an object (or null), into f.
func readFirebase(d *strictjson.Decoder, f *Firebase, m *strictjson.Member) error {
	if open, err := d.ObjectStart(m); err != nil || !open {
		return err
	}
	set := &firebaseClaims
	return d.Object(2, set.names, func(i int) error {
		if i < 0 {
			return d.Skip(2)
		}
		m := &set.members[i]
		switch i {
		case firebaseSignInProvider:
			return d.String(&f.SignInProvider, m)
		case firebaseIdentities:
			return d.StringArrays(m)
		case firebaseTenant:
			return d.String(&f.Tenant, m)
		case firebaseSignInSecondFactor:
			return d.String(&f.SignInSecondFactor, m)
		}
		return d.String(&f.SecondFactorIdentifier, m) // firebaseSecondFactorIdentifier
	})
}

// The parameters of a JOSE header.
const (
	headerAlg = iota
	headerKid
	headerTyp
	headerCrit
)

var headerClaims = newClaimSet("", 1, []claim{
	headerAlg:  {"alg", ErrUnsupportedAlgorithm},
	headerKid:  {"kid", ErrInvalidKeyID},
	headerTyp:  {"typ", nil},
	headerCrit: {"crit", nil},
})

// readHeader reads a header's object into h.
func readHeader(d *strictjson.Decoder, h *Header) error {
	set := &headerClaims
	return d.Object(1, set.names, func(i int) error {
		if i < 0 {
			return d.Skip(1)
		}
		m := &set.members[i]
		switch i {
		case headerAlg:
			return d.String(&h.Algorithm, m)
		case headerKid:
			return d.String(&h.KeyID, m)
		case headerTyp:
			return d.String(&h.Type, m)
		}
		return d.Present(&h.Critical, m) // headerCrit, whatever its value
	})
}

// The claims of an App Check payload; aud is an array of strings.
const (
	appCheckSub = iota
	appCheckIss
	appCheckAud
	appCheckIat
	appCheckExp
)

var appCheckClaims = newClaimSet("", 1, []claim{
	appCheckSub: {"sub", ErrInvalidSubject},
	appCheckIss: {"iss", ErrInvalidIssuer},
	appCheckAud: {"aud", ErrInvalidAudience},
	appCheckIat: {"iat", ErrInvalidIssuedAt},
	appCheckExp: {"exp", ErrInvalidExpiry},
})

// readAppCheck reads an App Check payload's object into t.
func readAppCheck(d *strictjson.Decoder, t *AppCheckToken) error {
	set := &appCheckClaims
	return d.Object(1, set.names, func(i int) error {
		if i < 0 {
			return d.Skip(1)
		}
		m := &set.members[i]
		switch i {
		case appCheckSub:
			return d.String(&t.AppID, m)
		case appCheckIss:
			return d.String(&t.Issuer, m)
		case appCheckAud:
			return d.Strings(&t.Audience, m)
		case appCheckIat:
			return readTime(d, &t.IssuedAt, m)
		}
		return readTime(d, &t.Expires, m) // appCheckExp
	})
}

// readTime reads a NumericDate into dst (see unixTime).
func readTime(d *strictjson.Decoder, dst *time.Time, m *strictjson.Member) error {
	var sec int64
	err := d.Int64(&sec, m)
	*dst = unixTime(sec)
	return err
}

// outcome is what Parse, ParseHeader and ParseAppCheck return once d's
// object was read with the error err, worded for where ("payload",
// "header"): a syntax fault, or data after the object, as ErrMalformed of
// where; else the first mistyped claim, which breaks its rule; else nil.
func outcome(d *strictjson.Decoder, where string, err error) error {
	if err == nil {
		err = d.End()
	}
	if err != nil {
		return &ValidationError{Claim: where, Err: ErrMalformed, Actual: err.Error()}
	}
	if te := d.TypeError(); te != nil {
		rule := te.Rule
		if rule == nil {
			rule = ErrMalformed
		}
		return &ValidationError{Claim: te.Path, Err: rule, Expected: te.Expected, Actual: te.Actual}
	}
	return nil
}
