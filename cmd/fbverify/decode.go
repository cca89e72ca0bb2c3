package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

const decodeUsage = `Usage: fbverify decode [TOKEN]

Prints a token's header and claims as JSON, WITHOUT verifying anything:
the output says "verified": false, and a forged or expired token decodes
just the same. Use it to see what a token claims; use "fbverify verify" to
know whether to believe it. With no TOKEN, or with "-", reads one from
standard input.

Exit status: 0 decoded; 1 the input is not a compact JWS with JSON-object
header and payload; 2 a usage error.
`

const decodeExamples = `  fbverify decode "$ID_TOKEN"
  pbpaste | fbverify decode | jq .claims.exp
  fbverify decode - < token.txt
`

// maxDecodeBytes bounds the token decode reads.
const maxDecodeBytes = 1 << 20

// decoded is decode's output.
type decoded struct {
	Verified       bool            `json:"verified"`
	Header         json.RawMessage `json:"header"`
	Claims         json.RawMessage `json:"claims"`
	SignatureBytes int             `json:"signature_bytes"`
}

func (c *cli) decode(args []string) int {
	cmd := newCommand("decode", decodeUsage, decodeExamples)
	tokens, stop, status := c.parse(cmd, args)
	if stop {
		return status
	}
	var token string
	switch {
	case len(tokens) == 0 || len(tokens) == 1 && tokens[0] == "-":
		b, err := io.ReadAll(io.LimitReader(c.stdin, maxDecodeBytes+1))
		if err != nil {
			fmt.Fprintf(c.stderr, "fbverify decode: reading standard input: %v\n", err)
			return exitUsage
		}
		token = string(b)
	case len(tokens) == 1:
		token = tokens[0]
	default:
		return c.usageError(cmd, "want one token, got %d", len(tokens))
	}
	out, err := decodeToken(strings.TrimSpace(token))
	if err != nil {
		fmt.Fprintf(c.stderr, "fbverify decode: %v\n", err)
		return exitInvalid
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	fmt.Fprintf(c.stdout, "%s\n", b)
	return exitOK
}

// decodeToken splits a compact JWS and decodes its header and payload,
// which must be JSON objects. It checks no signature and no claim.
func decodeToken(token string) (*decoded, error) {
	if token == "" {
		return nil, errors.New("empty token")
	}
	if len(token) > maxDecodeBytes {
		return nil, fmt.Errorf("token longer than %d bytes", maxDecodeBytes)
	}
	if err := pastedAround(token); err != nil {
		return nil, err
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("a token has 3 dot-separated segments, this has %d", len(parts))
	}
	header, err := decodeObject("header", parts[0])
	if err != nil {
		return nil, err
	}
	payload, err := decodeObject("payload", parts[1])
	if err != nil {
		return nil, err
	}
	sig, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[2], "="))
	if err != nil {
		return nil, fmt.Errorf("signature is not base64url: %v", err)
	}
	return &decoded{Header: header, Claims: payload, SignatureBytes: len(sig)}, nil
}

// decodeObject decodes one base64url segment that must hold a JSON object,
// and returns it re-indented by the caller's encoder.
func decodeObject(name, seg string) (json.RawMessage, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return nil, fmt.Errorf("%s is not base64url: %v", name, err)
	}
	var obj map[string]json.RawMessage
	d := json.NewDecoder(bytes.NewReader(raw))
	if err := d.Decode(&obj); err != nil || obj == nil {
		return nil, fmt.Errorf("%s is not a JSON object", name)
	}
	if d.More() {
		return nil, fmt.Errorf("%s has data after its JSON object", name)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, fmt.Errorf("%s is not JSON: %v", name, err)
	}
	return compact.Bytes(), nil
}

// pastedAround names what is often pasted around a token: a whole
// "Authorization: Bearer ..." header line, or the "Bearer " scheme, as
// verify names them, rather than failing on the first byte that is not
// base64url.
func pastedAround(token string) error {
	if name, _, ok := strings.Cut(token, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Authorization") {
		return errors.New("this is a whole Authorization header line: pass the token alone, without \"Authorization: Bearer \"")
	}
	if len(token) > len("Bearer ") && strings.EqualFold(token[:len("Bearer ")], "Bearer ") {
		return fmt.Errorf("the token starts with %q: pass the token alone, without the Authorization scheme", token[:len("Bearer ")])
	}
	return nil
}
