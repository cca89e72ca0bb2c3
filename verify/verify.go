package verify

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify/internal/b64url"
	"github.com/fbverify/fbverify/verify/internal/claimcheck"
	"github.com/fbverify/fbverify/verify/internal/rs256"
)

// Verifier checks tokens of one kind for one or more Firebase projects. It
// is safe for concurrent use; build one at start-up and share it.
type Verifier struct {
	kind          Kind
	keys          jwks.KeySource
	ownedKeys     *jwks.Remote // the default key source, closed by Close
	now           func() time.Time
	expected      claimcheck.Expected
	unsigned      bool
	maxTokenBytes int
	revocation    RevocationCheck
	cache         *tokenCache // WithCache; nil without it
	observer      Observer    // WithObserver
	bufs          sync.Pool   // of *[]byte, see Verify
	// lastHeader remembers the last header segment that parsed: Google
	// signs every token of a key with the same header, so most tokens skip
	// decoding and parsing it.
	lastHeader atomic.Pointer[parsedHeader]
	rsaKeys    rs256.Keys // the keys' prepared forms, see verifyRS256
}

// parsedHeader is a header segment and what it parsed to.
type parsedHeader struct {
	segment string
	header  claims.Header
}

// New makes a Verifier of Firebase ID tokens for projectID with opts. It
// refuses a projectID that cannot be a Google Cloud project ID
// (ErrInvalidProjectID), such as a project number, an issuer URL or an ID
// with a trailing newline. Without WithKeySource it fetches Google's keys
// for ID tokens on first use; call Close when done with it.
func New(projectID string, opts ...Option) (*Verifier, error) {
	return newVerifier(IDToken, projectID, opts)
}

// NewSessionCookieVerifier makes a Verifier of Firebase session cookies
// (iss https://session.firebase.google.com/<projectID>, keys from
// jwks.SessionCookieX509URL, lifetimes up to SessionCookieMaxLifetime) for
// projectID with opts, as New does for ID tokens. A Verifier accepts one
// kind only, so an ID token never passes as a session cookie, nor the
// reverse.
func NewSessionCookieVerifier(projectID string, opts ...Option) (*Verifier, error) {
	return newVerifier(SessionCookie, projectID, opts)
}

// newVerifier makes a Verifier of tokens of kind.
func newVerifier(kind Kind, projectID string, opts []Option) (*Verifier, error) {
	if err := checkProjectID(projectID); err != nil {
		return nil, err
	}
	s := settings{common: defaults()}
	for _, opt := range opts {
		if err := opt.applyToVerifier(&s); err != nil {
			return nil, err
		}
	}
	v := &Verifier{
		kind:          kind,
		keys:          s.keys,
		now:           s.now,
		unsigned:      s.unsigned,
		maxTokenBytes: s.maxTokenBytes,
		revocation:    s.revocation,
		observer:      s.observer,
		expected: claimcheck.Expected{
			ProjectIDs:   append([]string{projectID}, s.extraProjects...),
			IssuerPrefix: claimcheck.IDTokenIssuerPrefix,
			Tenants:      s.tenants,
			Leeway:       s.leeway,
			MaxLifetime:  IDTokenLifetime,
		},
	}
	if s.cacheSize > 0 {
		v.cache = newTokenCache(s.cacheSize)
	}
	url := jwks.IDTokenJWKSURL
	if kind == SessionCookie {
		v.expected.IssuerPrefix = claimcheck.SessionCookieIssuerPrefix
		v.expected.MaxLifetime = SessionCookieMaxLifetime
		url = jwks.SessionCookieX509URL
	}
	if v.keys == nil {
		ro := s.remoteOptions()
		ro.OnFetch = s.observer.KeyFetch
		remote, err := jwks.NewRemote(url, ro)
		if err != nil {
			return nil, err
		}
		v.keys, v.ownedKeys = remote, remote
	}
	return v, nil
}

// Kind reports which kind of token v accepts.
func (v *Verifier) Kind() Kind { return v.kind }

// ProjectIDs lists the projects whose tokens v accepts.
func (v *Verifier) ProjectIDs() []string {
	return append([]string(nil), v.expected.ProjectIDs...)
}

// Close stops the default key source, if v made one. It is safe to call
// more than once.
func (v *Verifier) Close() error {
	if v.ownedKeys != nil {
		return v.ownedKeys.Close()
	}
	return nil
}

// Verify checks token and returns its claims, or an error wrapping one of
// this package's sentinels. Checks run cheapest first: size, shape,
// header, claim rules, then the key lookup and the RSA signature, then the
// revocation check. ctx bounds any wait for keys.
func (v *Verifier) Verify(ctx context.Context, token string) (*claims.Token, error) {
	if v.observer.Verdict != nil {
		return v.verifyObserved(ctx, token)
	}
	return v.verify(ctx, token)
}

// verify is Verify without the observer.
func (v *Verifier) verify(ctx context.Context, token string) (*claims.Token, error) {
	if err := checkSize(token, v.maxTokenBytes); err != nil {
		return nil, err
	}
	if v.cache != nil {
		if e, ok := v.cache.get(token); ok {
			return v.verifyCached(ctx, e)
		}
	}
	parts, err := split(token)
	if err != nil {
		return nil, err
	}
	bp := v.buffer(parts)
	defer v.release(bp)
	var d decoded
	if err := v.decode(token, parts, (*bp)[:0], &d); err != nil {
		return nil, err
	}
	tok, err := claimcheck.Parse(d.payload)
	if err != nil {
		return nil, err
	}
	if err := claimcheck.Validate(tok, v.expected, v.now()); err != nil {
		return nil, err
	}
	if !d.unsigned {
		input := append(d.spare, parts.signingInput...)
		if err := verifyRS256(ctx, v.keys, &v.rsaKeys, d.header.KeyID, d.sig, d.sigErr, input); err != nil {
			return nil, err
		}
	}
	if err := v.checkRevocation(ctx, tok); err != nil {
		return nil, err
	}
	if v.cache != nil {
		v.cache.put(token, tok)
		cp := *tok // the cached Token is never handed out itself
		return &cp, nil
	}
	return tok, nil
}

// buffer returns a buffer from the pool with room for the three decoded
// segments of parts and a copy of the signing input to hash. Nothing keeps a
// reference to it (claimcheck.Parse and ParseHeader copy what they keep), so
// release gives it back once the token is verified.
func (v *Verifier) buffer(parts segments) *[]byte {
	payload := len(parts.payload)
	if len(parts.signingInput) > maxPooledBuffer/2 {
		// A token too long to come from the pool (WithMaxTokenBytes
		// raised): room for the payload's start only, and the rest once
		// the start passes (see payloadDecoder), so that junk refused on
		// its start costs no allocation of its size.
		payload = min(payload, prefixChars)
	}
	need := b64url.DecodedLen(len(parts.header)) +
		b64url.DecodedLen(payload) + b64url.DecodedLen(len(parts.signature)) +
		len(parts.signingInput)
	bp, _ := v.bufs.Get().(*[]byte)
	if bp == nil || cap(*bp) < need {
		b := make([]byte, 0, max(need, 2048))
		bp = &b
	}
	return bp
}

// release puts a buffer from buffer back in the pool, unless it is large.
func (v *Verifier) release(bp *[]byte) {
	if cap(*bp) <= maxPooledBuffer {
		v.bufs.Put(bp)
	}
}

// decoded is a token's segments decoded into one buffer, with its header
// parsed and checked.
type decoded struct {
	header   claims.Header
	unsigned bool   // alg "none", accepted only in emulator mode
	payload  []byte // the payload's JSON
	sig      []byte // the signature, when sigErr is nil
	// sigErr is the signature's decoding error, reported only after the
	// key lookup, where it always was.
	sigErr error
	// spare is the rest of the buffer, after the decoded segments: room
	// for a copy of the signing input, which the hash reads.
	spare []byte
}

// decode decodes the segments of token (cut into parts) into buf and
// checks the header, filling d. Faults are reported in one fixed order:
// a byte outside the alphabet anywhere, then the header (its encoding,
// its JSON, alg, crit, a signature present exactly when alg says so),
// then the payload's encoding. The segments are decoded up front, because
// the strict decoder is the alphabet check (split refused only the line
// breaks it would skip). A header segment equal to the last one that
// parsed is neither decoded nor parsed again.
//
// A payload longer than prefixChars is decoded in two steps: once the
// header has passed, the payload's start is read alone, and a fault it
// shows (see claimcheck.CheckPayloadPrefix) refuses the token before the rest
// is decoded. That is the one exception to the order: such a token is
// refused as malformed for its payload, even if a later byte is also
// outside the alphabet (a fault of the same code, ErrMalformed).
func (v *Verifier) decode(token string, parts segments, buf []byte, d *decoded) error {
	memo := v.lastHeader.Load()
	known := memo != nil && memo.segment == parts.header
	var header []byte
	var headerErr, payloadErr error
	if !known {
		header, buf, headerErr = decodeSegment("header", parts.header, buf)
	}
	if parts.signature != "" {
		d.sig, buf, d.sigErr = decodeSegment("signature", parts.signature, buf)
	}
	p := payloadDecoder{seg: parts.payload}
	buf, payloadErr = p.start(buf)
	if headerErr != nil || payloadErr != nil || d.sigErr != nil {
		buf, payloadErr = p.finish(buf, payloadErr)
		if err := checkAlphabet(token); err != nil {
			return err
		}
	}
	if headerErr == nil {
		headerErr = v.checkHeader(header, known, memo, parts, d)
	}
	if headerErr != nil {
		// The rest of the payload may hold a byte outside the alphabet,
		// which comes first.
		if _, err := p.finish(buf, payloadErr); err != nil {
			if err := checkAlphabet(token); err != nil {
				return err
			}
		}
		return headerErr
	}
	if p.partial() && payloadErr == nil {
		if err := claimcheck.CheckPayloadPrefix(p.decoded(buf)); err != nil {
			return err
		}
	}
	buf, payloadErr = p.finish(buf, payloadErr)
	if payloadErr != nil {
		if err := checkAlphabet(token); err != nil {
			return err
		}
		return payloadErr
	}
	d.payload = p.decoded(buf)
	d.spare = buf[len(buf):]
	return nil
}

// checkHeader parses the header (unless known, when memo holds it) into
// d.header and checks it.
func (v *Verifier) checkHeader(header []byte, known bool, memo *parsedHeader, parts segments, d *decoded) error {
	if known {
		d.header = memo.header
	} else {
		h, err := claimcheck.ParseHeader(header)
		if err != nil {
			return err
		}
		d.header = h
		v.lastHeader.Store(&parsedHeader{segment: strings.Clone(parts.header), header: h})
	}
	if err := claimcheck.CheckAlgorithm(d.header, v.unsigned); err != nil {
		return err
	}
	if err := claimcheck.CheckHeader(d.header); err != nil {
		return err
	}
	d.unsigned = d.header.Algorithm == claimcheck.AlgorithmNone
	if d.unsigned != (parts.signature == "") {
		if d.unsigned {
			return fmt.Errorf("%w: an unsigned token must have an empty signature", ErrMalformed)
		}
		return fmt.Errorf("%w: empty signature", ErrMalformed)
	}
	return nil
}

// prefixChars is how much of a long payload decode decodes, and has
// claimcheck.CheckPayloadPrefix read, before the rest: 3 KiB of JSON, room for
// claimcheck.MaxJSONMembers keys of up to 8 characters or claimcheck.MaxJSONValues
// array elements, so that dense junk is refused having decoded less than
// half of an 8 KiB token, while genuine payloads (1 to 2 KiB encoded) are
// decoded in one step. A multiple of 4, so that the start decodes alone.
const prefixChars = 4 << 10

// payloadDecoder decodes the payload segment seg into a buffer, in one
// step or, when seg is longer than prefixChars, in two (start, finish).
type payloadDecoder struct {
	seg   string
	at    int // where the decoded payload starts in the buffer
	n     int // how many bytes are decoded
	chars int // how many characters of seg are decoded
}

// start decodes the payload's first prefixChars characters (all of it if
// it is not longer) into buf.
func (p *payloadDecoder) start(buf []byte) ([]byte, error) {
	if p.seg == "" {
		return buf, fmt.Errorf("%w: empty payload", ErrMalformed)
	}
	p.at = len(buf)
	return p.decode(buf, min(len(p.seg), prefixChars))
}

// partial reports whether only the payload's start is decoded.
func (p *payloadDecoder) partial() bool { return p.chars < len(p.seg) }

// finish decodes the rest of the payload, unless err (from start) already
// says it is not canonical.
func (p *payloadDecoder) finish(buf []byte, err error) ([]byte, error) {
	if err != nil || !p.partial() {
		return buf, err
	}
	return p.decode(buf, len(p.seg))
}

// decode decodes seg up to character end after what is decoded already,
// growing buf if need be (the decoded start moves with it).
func (p *payloadDecoder) decode(buf []byte, end int) ([]byte, error) {
	buf = slices.Grow(buf, b64url.DecodedLen(end)-p.n)
	n, err := b64url.Decode(buf[p.at+p.n:cap(buf)], p.seg[p.chars:end])
	if err != nil {
		if ce, ok := err.(base64.CorruptInputError); ok {
			err = ce + base64.CorruptInputError(p.chars)
		}
		return buf, fmt.Errorf("%w: payload is not canonical base64url: %v", ErrMalformed, err)
	}
	p.n += n
	p.chars = end
	return buf[:p.at+p.n], nil
}

// decoded returns the payload decoded so far, capped so that later
// appends to the buffer cannot touch it.
func (p *payloadDecoder) decoded(buf []byte) []byte {
	return buf[p.at : p.at+p.n : p.at+p.n]
}

// verifyRS256 verifies the RS256 signature sig (or reports sigErr, its
// decoding error) of input with the key named kid in keys. The check is
// rsa.VerifyPKCS1v15's, made against the key's modulus prepared once and
// kept in prepared (see package rs256).
func verifyRS256(ctx context.Context, keys jwks.KeySource, prepared *rs256.Keys, kid string, sig []byte, sigErr error, input []byte) error {
	key, err := keys.PublicKey(ctx, kid)
	if err != nil {
		return err
	}
	if sigErr != nil {
		return sigErr
	}
	if key == nil || key.N == nil {
		return fmt.Errorf("%w: key %q has no modulus", ErrInvalidSignature, kid)
	}
	if len(sig) != key.Size() {
		return fmt.Errorf("%w: %d-byte signature for a %d-byte key", ErrInvalidSignature, len(sig), key.Size())
	}
	digest := sha256.Sum256(input)
	if err := prepared.Verify(key, &digest, sig); err != nil {
		return fmt.Errorf("%w with key %q", ErrInvalidSignature, kid)
	}
	return nil
}

func (v *Verifier) checkRevocation(ctx context.Context, tok *claims.Token) error {
	if v.revocation == nil {
		return nil
	}
	st, err := v.revocation(ctx, tok.UID)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRevocationCheckFailed, err)
	}
	if st.Disabled {
		return fmt.Errorf("%w: uid %q", ErrUserDisabled, tok.UID)
	}
	if !st.ValidAfter.IsZero() && tok.AuthTime.Before(st.ValidAfter) {
		return fmt.Errorf("%w: signed in at %s, sessions revoked at %s", ErrRevoked,
			tok.AuthTime.Format(time.RFC3339), st.ValidAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

// segments are the parts of a compact JWS.
type segments struct {
	header, payload, signature string
	signingInput               string // header "." payload
}

// split cuts the token into its three segments. base64's decoder skips
// line breaks, so split refuses them: a token with whitespace inside is
// refused, not repaired. Every other byte outside the alphabet is refused
// by the strict decoder, and then reported by checkAlphabet.
func split(token string) (segments, error) {
	if token == "" {
		return segments{}, fmt.Errorf("%w: empty token", ErrMalformed)
	}
	if strings.Count(token, ".") != 2 || strings.IndexByte(token, '\n') >= 0 || strings.IndexByte(token, '\r') >= 0 {
		if err := checkAlphabet(token); err != nil {
			return segments{}, err
		}
		return segments{}, fmt.Errorf("%w: %d segments, want 3", ErrMalformed, strings.Count(token, ".")+1)
	}
	first := strings.IndexByte(token, '.')
	last := first + 1 + strings.IndexByte(token[first+1:], '.')
	return segments{
		header:       token[:first],
		payload:      token[first+1 : last],
		signature:    token[last+1:],
		signingInput: token[:last],
	}, nil
}

// checkAlphabet reports the first byte of token that is neither base64url
// nor a dot, naming the mistakes people make most: a token pasted with its
// "Bearer " scheme or as a whole "Authorization: Bearer ..." line, and one
// with whitespace around it.
func checkAlphabet(token string) error {
	for i := 0; i < len(token); i++ {
		if tokenByte[token[i]] != 0 {
			continue
		}
		if name, _, ok := strings.Cut(token, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Authorization") {
			return fmt.Errorf("%w: this is a whole Authorization header line: pass the token alone (ParseAuthorization takes it out of the header's value)", ErrMalformed)
		}
		if len(token) > len(bearerPrefix) && strings.EqualFold(token[:len(bearerPrefix)], bearerPrefix) {
			return fmt.Errorf("%w: the token starts with %q: pass the token alone (ParseAuthorization takes it out of an Authorization header)", ErrMalformed, token[:len(bearerPrefix)])
		}
		if isSpace(token[i]) && (i == 0 || strings.TrimSpace(token[i:]) == "") {
			return fmt.Errorf("%w: whitespace around the token at offset %d: a token has none; trim it before calling Verify", ErrMalformed, i)
		}
		return fmt.Errorf("%w: character %q at offset %d is not base64url", ErrMalformed, token[i], i)
	}
	return nil
}

// bearerPrefix is the Authorization scheme as it prefixes a pasted token.
const bearerPrefix = "Bearer "

// isSpace reports whether c is ASCII whitespace, as strings.TrimSpace
// removes it.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// tokenByte classes the bytes of a compact JWS: 1 for the base64url
// alphabet, 2 for the dot, 0 for anything else.
var tokenByte = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
			t[c] = 1
		case c == '.':
			t[c] = 2
		}
	}
	return t
}()

var b64 = base64.RawURLEncoding.Strict()

// maxPooledBuffer bounds the buffers Verify keeps for reuse.
const maxPooledBuffer = 64 << 10

// decodeSegment decodes seg into the spare capacity of buf and returns the
// decoded bytes (capped, so later appends cannot touch them) and buf grown
// to include them.
func decodeSegment(name, seg string, buf []byte) (out, grown []byte, err error) {
	if seg == "" {
		return nil, buf, fmt.Errorf("%w: empty %s", ErrMalformed, name)
	}
	buf = slices.Grow(buf, b64url.DecodedLen(len(seg)))
	start := len(buf)
	n, err := b64url.Decode(buf[start:cap(buf)], seg)
	if err != nil {
		return nil, buf, fmt.Errorf("%w: %s is not canonical base64url: %v", ErrMalformed, name, err)
	}
	return buf[start : start+n : start+n], buf[:start+n], nil
}
