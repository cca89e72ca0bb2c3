package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify/verifytest"
)

// imageDirEnv names a folder where ci.sh left the container image built
// from Containerfile: inspect.json (podman image inspect) and rootfs/ (the
// image's file system, exported). Without it the test is skipped: no
// container engine runs in a plain go test.
const imageDirEnv = "FBVERIFY_IMAGE_DIR"

// TestExportedImage checks the image as built: a non-root user, the
// binary as entrypoint, the port, the health check without a shell, the
// CA certificates; then runs the image's own binary on the host and asks
// it about a valid token.
func TestExportedImage(t *testing.T) {
	dir := os.Getenv(imageDirEnv)
	if dir == "" {
		t.Skipf("%s is not set: ci.sh builds the image with podman and sets it", imageDirEnv)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "inspect.json"))
	if err != nil {
		t.Fatal(err)
	}
	var images []struct {
		Config struct {
			User         string
			Entrypoint   []string
			ExposedPorts map[string]any
			Env          []string
		}
		Healthcheck *struct{ Test []string }
	}
	if err := json.Unmarshal(raw, &images); err != nil || len(images) != 1 {
		t.Fatalf("inspect.json: %v (%d images)", err, len(images))
	}
	img := images[0]
	if img.Config.User == "" || img.Config.User == "root" || img.Config.User[0] == '0' {
		t.Errorf("user %q, want a non-root one", img.Config.User)
	}
	if !slices.Equal(img.Config.Entrypoint, []string{"/fbverify-forward-auth"}) {
		t.Errorf("entrypoint %q", img.Config.Entrypoint)
	}
	if _, ok := img.Config.ExposedPorts["4181/tcp"]; !ok {
		t.Errorf("exposed ports %v, want 4181/tcp", img.Config.ExposedPorts)
	}
	if !slices.Contains(img.Config.Env, addrEnv+"=0.0.0.0:4181") {
		t.Errorf("env %q, want %s=0.0.0.0:4181", img.Config.Env, addrEnv)
	}
	if img.Healthcheck == nil || !slices.Equal(img.Healthcheck.Test, []string{"CMD", "/fbverify-forward-auth", "healthcheck"}) {
		t.Errorf("health check %+v, want the healthcheck subcommand without a shell", img.Healthcheck)
	}
	rootfs := filepath.Join(dir, "rootfs")
	certs, err := os.ReadFile(filepath.Join(rootfs, "etc/ssl/certs/ca-certificates.crt"))
	if err != nil || len(certs) < 10000 {
		t.Errorf("CA certificates: %d bytes, %v", len(certs), err)
	}
	for _, shell := range []string{"bin/sh", "bin/bash", "bin/busybox"} {
		if _, err := os.Stat(filepath.Join(rootfs, shell)); err == nil {
			t.Errorf("the image has /%s", shell)
		}
	}

	// The image's binary, run on the host as the image would run it.
	s := verifytest.NewSigner(testProject)
	port := freePort(t)
	cmd := exec.Command(filepath.Join(rootfs, "fbverify-forward-auth"), "--project", testProject, "--keys", keyFile(t, s))
	cmd.Env = []string{addrEnv + "=127.0.0.1:" + strconv.Itoa(port)}
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	waitFor(t, "the image's binary to listen", 10*time.Second, func() bool {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	resp, body := do(t, newRequest(t, http.MethodGet, url+"/verify", s.IDToken("alice")))
	if resp.StatusCode != http.StatusOK || resp.Header.Get(headerUID) != "alice" {
		t.Errorf("valid token: %d uid %q body %q; log:\n%s", resp.StatusCode, resp.Header.Get(headerUID), body, out)
	}
	hc := exec.Command(filepath.Join(rootfs, "fbverify-forward-auth"), "healthcheck")
	hc.Env = cmd.Env
	if b, err := hc.CombinedOutput(); err != nil {
		t.Errorf("healthcheck: %v\n%s", err, b)
	}
}
