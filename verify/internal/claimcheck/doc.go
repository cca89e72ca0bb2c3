// Package claimcheck is the claims step of verification: it decodes a
// token's header and payload (already base64url-decoded) into the types
// of package claims with one strict, single-pass JSON parser, and applies
// Firebase's header and claim rules at a given time.
//
// It checks no signature, which is why it is internal: package verify
// calls it before the RSA check, so that junk is refused cheaply, and
// returns a Token only once the signature is verified too.
package claimcheck
