package main

import (
	"net/http"
	"testing"

	"github.com/fbverify/fbverify/verify/verifytest"
)

// These tests send the auth requests Traefik and Envoy are documented to
// send, and apply the documented copy of the answer's headers, so that
// the request shapes are checked on every run. Envoy is not run for real
// (it is not packaged for Debian); Traefik is, in proxy_test.go, when
// ci.sh has built it.
//
// Traefik ForwardAuth (pkg/middlewares/auth/forward.go): a request to the
// configured address (a GET in v2; the method does not matter here), with
// the client's headers less hop-by-hop ones, and X-Forwarded-Method,
// -Proto, -Host, -Uri and -For describing the original request. On a 2xx,
// each authResponseHeaders name is deleted from the client's request and
// then set from the answer if the answer has it.
//
// Envoy ext_authz, HTTP service: the original method, path_prefix plus
// the original path and query, Host, Authorization and the headers that
// authorization_request.allowed_headers lets through (Cookie only if
// listed), without the body. On a 200 the headers named by
// authorization_response.allowed_upstream_headers are set on the
// upstream request, replacing the client's.

func TestTraefikForwardAuthRequest(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s))
	token := s.IDToken("alice")
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		// The auth request Traefik builds for a client's POST
		// https://app.example.com/api/orders?id=7.
		req := newRequest(t, method, a.url+"/verify", token)
		req.Header.Set("X-Forwarded-Method", "POST")
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Forwarded-Host", "app.example.com")
		req.Header.Set("X-Forwarded-Uri", "/api/orders?id=7")
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		req.Header.Set("X-Firebase-Uid", "mallory") // copied from the client too
		req.Header.Set("X-Firebase-Email", "mallory@example.com")
		resp, body := do(t, req)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d, body %s", method, resp.StatusCode, body)
		}
		// What the upstream sees after Traefik's copy.
		upstream := http.Header{"X-Firebase-Uid": {"mallory"}, "X-Firebase-Email": {"mallory@example.com"}}
		for _, name := range identityHeaders {
			upstream.Del(name)
			if v := resp.Header.Values(name); len(v) > 0 {
				upstream[name] = append([]string(nil), v...)
			}
		}
		if got := upstream.Values("X-Firebase-Uid"); len(got) != 1 || got[0] != "alice" {
			t.Errorf("%s: upstream X-Firebase-Uid %q, want [alice]", method, got)
		}
		if got := upstream.Values("X-Firebase-Email"); len(got) != 1 || got[0] != "" {
			t.Errorf("%s: upstream X-Firebase-Email %q, want one empty value", method, got)
		}
	}
	// Without a token: the answer is what Traefik hands the client.
	req := newRequest(t, http.MethodGet, a.url+"/verify", "")
	req.Header.Set("X-Forwarded-Uri", "/api/orders")
	req.Header.Set("X-Firebase-Uid", "mallory")
	resp, _ := do(t, req)
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("no token: %d %q, want 401 with a Bearer challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

func TestEnvoyExtAuthzHTTPRequest(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	a := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s), "--session-cookie", "--cookie", "__session")
	cookie := s.SessionCookie("carol")
	tests := []struct {
		name, method, path string
		cookie             string
		status             int
	}{
		{"DELETE with the cookie", http.MethodDelete, "/verify/api/orders/7", cookie, 200},
		{"POST with a query", http.MethodPost, "/verify/api/orders?id=7&x=%2F", cookie, 200},
		{"original path /healthz stays behind the prefix", http.MethodGet, "/verify/healthz", "", 401},
		{"original path /metrics stays behind the prefix", http.MethodGet, "/verify/metrics", "", 401},
		{"no cookie", http.MethodPut, "/verify/api/orders/7", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, tt.method, a.url+tt.path, "")
			req.Host = "app.example.com"
			req.Header.Set("Content-Length", "0")
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Header.Set("X-Request-Id", "3f6d0c2e")
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "__session", Value: tt.cookie})
			}
			resp, body := do(t, req)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.status, body)
			}
			if tt.status == 200 && resp.Header.Get(headerUID) != "carol" {
				t.Errorf("uid %q, want carol", resp.Header.Get(headerUID))
			}
		})
	}
}
