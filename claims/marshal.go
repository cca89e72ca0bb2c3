package claims

import (
	"bytes"
	"encoding/json"
	"time"
)

// MarshalJSON encodes t as the payload it was read from: every claim the
// token carried, custom claims and firebase.identities included, so that
// json.Marshal(tok) in a handler gives the verified Firebase payload. A
// Token that was not read from a payload (built by hand, as in a test)
// encodes its typed fields under their claim names.
func (t Token) MarshalJSON() ([]byte, error) {
	if t.Payload != "" {
		var b bytes.Buffer
		if err := json.Compact(&b, []byte(t.Payload)); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	w := struct {
		Sub           string         `json:"sub"`
		Aud           string         `json:"aud,omitempty"`
		Iss           string         `json:"iss,omitempty"`
		Iat           int64          `json:"iat,omitempty"`
		Exp           int64          `json:"exp,omitempty"`
		AuthTime      int64          `json:"auth_time,omitempty"`
		Email         string         `json:"email,omitempty"`
		EmailVerified bool           `json:"email_verified,omitempty"`
		PhoneNumber   string         `json:"phone_number,omitempty"`
		Name          string         `json:"name,omitempty"`
		Picture       string         `json:"picture,omitempty"`
		Firebase      map[string]any `json:"firebase,omitempty"`
	}{
		Sub: t.UID, Aud: t.Audience, Iss: t.Issuer,
		Iat: seconds(t.IssuedAt), Exp: seconds(t.Expires), AuthTime: seconds(t.AuthTime),
		Email: t.Email, EmailVerified: t.EmailVerified, PhoneNumber: t.PhoneNumber,
		Name: t.Name, Picture: t.Picture,
	}
	fb := map[string]any{}
	for name, v := range map[string]string{
		"sign_in_provider":         t.Firebase.SignInProvider,
		"tenant":                   t.Firebase.Tenant,
		"sign_in_second_factor":    t.Firebase.SignInSecondFactor,
		"second_factor_identifier": t.Firebase.SecondFactorIdentifier,
	} {
		if v != "" {
			fb[name] = v
		}
	}
	if len(fb) > 0 {
		w.Firebase = fb
	}
	return json.Marshal(w)
}

// seconds is tm as a NumericDate, or 0 for the zero Time (an absent claim).
func seconds(tm time.Time) int64 {
	if tm.IsZero() {
		return 0
	}
	return tm.Unix()
}
