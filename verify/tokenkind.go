package verify

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/fbverify/fbverify/verify/internal/claimcheck"
)

// TokenKind names what a string handed to a verifier is, as Explain tells
// it apart from its unverified header and claims. The names are stable:
// logs, the CLI's JSON and scripts may rely on them.
type TokenKind string

// The kinds of token Explain tells apart.
const (
	// FirebaseIDToken: iss https://securetoken.google.com/<project>, signed.
	FirebaseIDToken TokenKind = "firebase_id_token"
	// FirebaseSessionCookie: iss https://session.firebase.google.com/<project>.
	FirebaseSessionCookie TokenKind = "firebase_session_cookie"
	// FirebaseAppCheckToken: iss https://firebaseappcheck.googleapis.com/<number>.
	FirebaseAppCheckToken TokenKind = "firebase_app_check_token"
	// FirebaseEmulatorToken: an ID token of the Firebase Auth emulator,
	// unsigned (alg "none").
	FirebaseEmulatorToken TokenKind = "firebase_emulator_token"
	// FirebaseCustomToken: a token a server mints with the Admin SDK for
	// the client's signInWithCustomToken; its aud is CustomTokenAudience.
	FirebaseCustomToken TokenKind = "firebase_custom_token"
	// GoogleIDToken: iss accounts.google.com or https://accounts.google.com,
	// from Google Sign-In or a Google-signed identity token such as Cloud
	// Run's service-to-service token.
	GoogleIDToken TokenKind = "google_id_token"
	// GoogleAccessToken: an opaque Google OAuth access token ("ya29.…").
	GoogleAccessToken TokenKind = "google_access_token"
	// OtherJWT: a JWT that is none of the above.
	OtherJWT TokenKind = "other_jwt"
	// NotAJWT: not three dot-separated segments with JSON-object header
	// and payload.
	NotAJWT TokenKind = "not_a_jwt"
)

// CustomTokenAudience is the aud of Firebase custom tokens: the Identity
// Toolkit API that signInWithCustomToken sends them to.
const CustomTokenAudience = "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit"

// serviceAccountDomain ends the email of a Google Cloud service account,
// after its project ID: custom tokens carry it in iss.
const serviceAccountDomain = ".iam.gserviceaccount.com"

// maxPeekBytes bounds the tokens whose header and payload Explain decodes
// to tell their kind, so that a huge string costs little.
const maxPeekBytes = 1 << 20

// peek is what Explain reads from a token without verifying anything: its
// kind, the project it names and the times it carries.
type peek struct {
	kind    TokenKind
	project string               // the Firebase project (or App Check project number), when the kind names one
	times   map[string]time.Time // exp, iat and auth_time, when present
}

// peekToken tells the kind of token, read leniently: a pasted "Bearer "
// scheme or Authorization line and surrounding whitespace are looked past,
// since naming the kind is the point, not judging the shape (the rules
// do that).
func peekToken(token string) peek {
	token = stripAuthorization(token)
	if strings.HasPrefix(token, "ya29.") {
		return peek{kind: GoogleAccessToken}
	}
	if strings.Count(token, ".") != 2 {
		return peek{kind: NotAJWT}
	}
	if len(token) > maxPeekBytes {
		return peek{kind: OtherJWT} // too long to be worth decoding: no Firebase token is
	}
	parts := strings.Split(token, ".")
	var header struct {
		Alg any `json:"alg"`
	}
	var payload struct {
		Iss      any `json:"iss"`
		Aud      any `json:"aud"`
		Exp      any `json:"exp"`
		Iat      any `json:"iat"`
		AuthTime any `json:"auth_time"`
	}
	if !lenientObject(parts[0], &header) || !lenientObject(parts[1], &payload) {
		return peek{kind: NotAJWT}
	}
	p := peek{kind: OtherJWT, times: map[string]time.Time{}}
	for name, v := range map[string]any{"exp": payload.Exp, "iat": payload.Iat, "auth_time": payload.AuthTime} {
		if sec, ok := v.(float64); ok && sec > 0 && sec <= 253402300799 {
			p.times[name] = time.Unix(int64(sec), 0).UTC()
		}
	}
	iss, _ := payload.Iss.(string)
	aud, _ := payload.Aud.(string)
	switch {
	case strings.HasPrefix(iss, claimcheck.IDTokenIssuerPrefix):
		p.kind, p.project = FirebaseIDToken, projectOf(aud, iss, claimcheck.IDTokenIssuerPrefix)
		if header.Alg == claimcheck.AlgorithmNone {
			p.kind = FirebaseEmulatorToken
		}
	case strings.HasPrefix(iss, claimcheck.SessionCookieIssuerPrefix):
		p.kind, p.project = FirebaseSessionCookie, projectOf(aud, iss, claimcheck.SessionCookieIssuerPrefix)
	case strings.HasPrefix(iss, claimcheck.AppCheckIssuerPrefix):
		p.kind, p.project = FirebaseAppCheckToken, strings.TrimPrefix(iss, claimcheck.AppCheckIssuerPrefix)
	case aud == CustomTokenAudience:
		p.kind = FirebaseCustomToken
		if at := strings.LastIndexByte(iss, '@'); at >= 0 && strings.HasSuffix(iss, serviceAccountDomain) {
			p.project = iss[at+1 : len(iss)-len(serviceAccountDomain)]
		}
	case iss == "accounts.google.com" || iss == "https://accounts.google.com":
		p.kind = GoogleIDToken
	}
	return p
}

// projectOf is the project a Firebase token names: its aud, or failing
// that what follows the issuer prefix.
func projectOf(aud, iss, prefix string) string {
	if aud != "" {
		return aud
	}
	return strings.TrimPrefix(iss, prefix)
}

// stripAuthorization cuts what people paste around a token: whitespace,
// an "Authorization:" header name and a "Bearer" scheme.
func stripAuthorization(s string) string {
	s = strings.TrimSpace(s)
	if name, rest, ok := strings.Cut(s, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Authorization") {
		s = strings.TrimSpace(rest)
	}
	if len(s) > len(bearerPrefix) && strings.EqualFold(s[:len(bearerPrefix)], bearerPrefix) {
		s = strings.TrimSpace(s[len(bearerPrefix):])
	}
	return s
}

// lenientObject decodes a base64url segment (padded or not) holding a
// JSON object into v.
func lenientObject(seg string, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil || len(raw) == 0 || raw[0] != '{' {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}

// accepted is the TokenKind a Verifier of kind k accepts (in emulator
// mode, FirebaseEmulatorToken too).
func (k Kind) accepted() TokenKind {
	if k == SessionCookie {
		return FirebaseSessionCookie
	}
	return FirebaseIDToken
}

// sendInstead says, for a token of kind got given to a verifier of kind
// want, what the caller should send instead; "" when got is what the
// verifier takes.
func sendInstead(want Kind, emulator bool, got TokenKind) string {
	if got == want.accepted() || emulator && got == FirebaseEmulatorToken {
		return ""
	}
	wanted := "the user's Firebase ID token, from user.getIdToken() in the client SDK"
	if want == SessionCookie {
		wanted = "the session cookie your server made from an ID token with the Admin SDK's createSessionCookie"
	}
	switch got {
	case FirebaseIDToken:
		return "This is an ID token: send " + wanted + ", or verify ID tokens with verify.New (fbverify verify without --session-cookie)."
	case FirebaseSessionCookie:
		return "This is a session cookie: send " + wanted + ", or verify session cookies with verify.NewSessionCookieVerifier (fbverify verify --session-cookie)."
	case FirebaseAppCheckToken:
		return "This is an App Check token, which vouches for the app, not the user: send it in the X-Firebase-AppCheck header to an App Check verifier (verify.NewAppCheck), and send " + wanted + " here."
	case FirebaseEmulatorToken:
		return "This is an unsigned token of the Firebase Auth emulator: accept it in local development only, with verify.InsecureEmulatorMode (--emulator), or sign in against Firebase Authentication itself and send " + wanted + "."
	case FirebaseCustomToken:
		return "This is a custom token, which your server mints for signing in: the client passes it to signInWithCustomToken(auth, token), then sends " + wanted + "."
	case GoogleIDToken:
		return "This is a Google ID token (Google Sign-In, or a Google-signed identity token such as Cloud Run's): the client signs in to Firebase with signInWithCredential(auth, GoogleAuthProvider.credential(idToken)), then sends " + wanted + "; a service-to-service identity token is checked with Google's OAuth keys, not Firebase's."
	case GoogleAccessToken:
		return "This is a Google OAuth access token, which is not a JWT and names no Firebase user: send " + wanted + "."
	case NotAJWT:
		return "This is not a JWT: send " + wanted + ", three base64url segments separated by dots with nothing around them."
	}
	return "This JWT was not issued by Firebase Authentication: send " + wanted + "."
}
