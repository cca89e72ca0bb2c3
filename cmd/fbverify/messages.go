package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/fbverify/fbverify/claims"
	"github.com/fbverify/fbverify/jwks"
)

// loadKeyFile loads a key set for --keys. A PEM private key, which
// "fbverify mint" writes and which is easy to pass here by mistake, is
// named as such, with the command that publishes its public keys.
func loadKeyFile(path string) (*jwks.Static, error) {
	keys, err := jwks.LoadFile(path)
	if err == nil {
		return keys, nil
	}
	if b, rerr := os.ReadFile(path); rerr == nil && bytes.Contains(b, []byte("PRIVATE KEY-----")) {
		return nil, fmt.Errorf("%s is a private key; publish its public keys with \"fbverify jwks --key %s > keys.json\" and pass --keys keys.json", path, path)
	}
	return nil, err
}

// withKeyFileHint adds to an unknown_key verdict what it usually means
// when the keys come from a file rather than from Google.
func withKeyFileHint(check checkFunc, path string) checkFunc {
	return func(ctx context.Context, token string) (verifyResult, error) {
		res, err := check(ctx, token)
		if errors.Is(err, jwks.ErrUnknownKey) {
			err = fmt.Errorf("%w (the key file %s may be old, or hold the keys of other tokens: Google rotates its keys every few days, and ID tokens, session cookies and App Check tokens have keys of their own; refresh it with \"fbverify keys fetch\")", err, path)
		}
		return res, err
	}
}

// libraryPrefixes are the package prefixes that the library's messages
// start with; the CLI speaks to a person, not a Go programmer, so it
// leaves them out.
var libraryPrefixes = []string{"verify: ", "claims: ", "jwks: "}

// plainMessage is err's message without the library's package prefixes.
// A claim rule's error reads claim first, as the CLI has always printed
// it: "aud: wrong audience: expected ...".
func plainMessage(err error) string {
	if ve, ok := err.(*claims.ValidationError); ok {
		rest := strings.TrimPrefix(ve.Error(), ve.Err.Error()+": "+ve.Claim)
		return ve.Claim + ": " + trimPrefixes(ve.Err.Error()) + rest
	}
	return trimPrefixes(err.Error())
}

// trimPrefixes cuts the library's package prefixes off the start of msg.
func trimPrefixes(msg string) string {
	for trimmed := true; trimmed; {
		trimmed = false
		for _, p := range libraryPrefixes {
			if rest, ok := strings.CutPrefix(msg, p); ok {
				msg, trimmed = rest, true
			}
		}
	}
	return msg
}
