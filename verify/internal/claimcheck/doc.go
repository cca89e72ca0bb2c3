// Package claimcheck is the claims step of verification: it decodes a
// token's header and payload (already base64url-decoded) into the types
// of package claims, and applies Firebase's header and claim rules at a
// given time.
//
// The JSON grammar and its strictness (duplicate keys under case folding,
// UTF-8, depth, member and value limits, numbers within float64) are
// package strictjson's; this package names the typed claims of each
// object (fields.go: one list and one reader per Go type) and the rules
// (rules.go, header.go, appcheck.go). A typed claim of the wrong JSON type
// breaks its own rule, worded as encoding/json words the type error.
//
// It checks no signature, which is why it is internal: package verify
// calls it before the RSA check, so that junk is refused cheaply, and
// returns a Token only once the signature is verified too.
package claimcheck
