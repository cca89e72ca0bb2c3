package verify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fbverify/fbverify/verify"
)

// TestExplainNamesTheKind checks each minted kind's name and project, and
// that a token of another kind than the verifier's says what to send.
func TestExplainNamesTheKind(t *testing.T) {
	signer := newHostileSigner(t)
	t.Cleanup(signer.Close)
	vs := newExplainVerifiers(t, signer)
	for _, c := range kindCorpus(t, signer) {
		t.Run(c.name, func(t *testing.T) {
			v, accepts := vs.id, verify.FirebaseIDToken
			if c.cookie {
				v, accepts = vs.cookie, verify.FirebaseSessionCookie
			}
			rep := v.Explain(context.Background(), c.token)
			if rep.Kind != c.kind || rep.Project != c.project || rep.Accepts != accepts {
				t.Fatalf("kind %q project %q accepts %q, want %q %q %q", rep.Kind, rep.Project, rep.Accepts, c.kind, c.project, accepts)
			}
			if other := c.project != "" && c.project != hostileProject && c.kind != verify.FirebaseAppCheckToken; rep.OtherProject != other {
				t.Fatalf("OtherProject = %v, want %v", rep.OtherProject, other)
			}
			if (rep.SendInstead == "") != (c.kind == accepts) {
				t.Fatalf("SendInstead = %q for a %s given to a %s verifier", rep.SendInstead, c.kind, accepts)
			}
			if c.kind == verify.FirebaseCustomToken && !strings.Contains(rep.SendInstead, "signInWithCustomToken") {
				t.Fatalf("custom token: SendInstead %q does not name signInWithCustomToken", rep.SendInstead)
			}
			if rep.SendInstead != "" && !strings.Contains(rep.SendInstead, "getIdToken()") && !strings.Contains(rep.SendInstead, "createSessionCookie") {
				t.Fatalf("SendInstead %q names no client call", rep.SendInstead)
			}
		})
	}
}

// TestExplainDoesNotDecodeHugeStrings checks that a string far beyond any
// token is named without being decoded.
func TestExplainDoesNotDecodeHugeStrings(t *testing.T) {
	signer := newHostileSigner(t)
	t.Cleanup(signer.Close)
	vs := newExplainVerifiers(t, signer)
	huge := strings.Repeat("A", 2<<20)
	for _, c := range []struct {
		token string
		kind  verify.TokenKind
	}{{huge, verify.NotAJWT}, {huge + "." + huge + "." + huge, verify.OtherJWT}} {
		rep := vs.id.Explain(context.Background(), c.token)
		if rep.Kind != c.kind || rep.Code != "token_too_large" {
			t.Errorf("kind %q code %q, want %q token_too_large", rep.Kind, rep.Code, c.kind)
		}
	}
}
