package main

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/fbverify/fbverify/verify/verifytest"
)

func TestHealthcheckSubcommand(t *testing.T) {
	s := verifytest.NewSigner(testProject)
	ready := startAuth(t, nil, "--project", testProject, "--keys", keyFile(t, s))
	notReady := startAuth(t, deadKeys, "--project", testProject)
	_, readyPort, _ := net.SplitHostPort(ready.addr)
	tests := []struct {
		name   string
		args   []string
		env    string // FBVERIFY_ADDR
		status int
		out    string
	}{
		{"ready", []string{"--addr", ready.addr}, "", 0, "/readyz answered 200"},
		{"address from the environment", nil, ready.addr, 0, "/readyz answered 200"},
		{"every address means loopback", []string{"--addr", "0.0.0.0:" + readyPort}, "", 0, "answered 200"},
		{"liveness", []string{"--addr", notReady.addr, "--path", "/healthz"}, "", 0, "/healthz answered 200"},
		{"not ready", []string{"--addr", notReady.addr}, "", 1, "/readyz answered 503"},
		{"nothing listening", []string{"--addr", "127.0.0.1:1"}, "", 1, "connection refused"},
		{"another path", []string{"--addr", ready.addr, "--path", "/verify"}, "", 2, "want [--addr"},
		{"bad address", []string{"--addr", "nowhere"}, "", 2, "--addr"},
		{"unknown flag", []string{"--port", "1"}, "", 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out lockedBuffer
			p := &program{stdout: &out, stderr: &out, getenv: func(k string) string {
				if k == addrEnv {
					return tt.env
				}
				return ""
			}}
			status := p.run(context.Background(), append([]string{"healthcheck"}, tt.args...))
			if status != tt.status || !strings.Contains(out.String(), tt.out) {
				t.Errorf("status %d, output %q; want %d with %q", status, out.String(), tt.status, tt.out)
			}
		})
	}
}

func TestListenAddressFromTheEnvironment(t *testing.T) {
	p := &program{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, getenv: func(k string) string {
		if k == addrEnv {
			return "0.0.0.0:4181"
		}
		return ""
	}}
	if _, addr, stop, _ := p.parseFlags([]string{"--project", "my-project"}); stop || addr != "0.0.0.0:4181" {
		t.Errorf("addr %q, want $%s", addr, addrEnv)
	}
	if _, addr, _, _ := p.parseFlags([]string{"--project", "my-project", "--addr", "127.0.0.1:9"}); addr != "127.0.0.1:9" {
		t.Errorf("addr %q, want the flag's over the environment", addr)
	}
}
