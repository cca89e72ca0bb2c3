package consumer

import (
	stdzip "archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// version is the version under which the working tree is published: the
// one the adapter modules require of the root (checked below).
const version = "v0.1.0"

// rootPath is the root module's path.
const rootPath = "github.com/fbverify/fbverify"

// adapter is one adapter module and what its consumer must see.
type adapter struct {
	// dir is the module's directory, from the repository's root.
	dir string
	// framework is the framework's module path.
	framework string
	// want is the line the consumer program prints.
	want string
}

var adapters = []adapter{
	{"verify/ginauth", "github.com/gin-gonic/gin", "200 hello stranger"},
	{"verify/fiberauth", "github.com/gofiber/fiber/v3", "200 hello stranger"},
	{"verify/grpcauth", "google.golang.org/grpc", "OK hello stranger"},
	{"verify/connectauth", "connectrpc.com/connect", "ok hello stranger"},
}

// otherFrameworks are the module paths no consumer may get unless it is
// that framework's adapter: the four above and those needing no adapter.
var otherFrameworks = []string{
	"github.com/gin-gonic/gin",
	"github.com/gofiber/fiber/v3",
	"google.golang.org/grpc",
	"connectrpc.com/connect",
	"github.com/labstack/echo/v4",
	"github.com/go-chi/chi/v5",
	"github.com/gorilla/mux",
}

func TestStrangerInstallsEachAdapter(t *testing.T) {
	if os.Getenv("FBVERIFY_CONSUMER_TEST") != "1" {
		t.Skip("set FBVERIFY_CONSUMER_TEST=1 to run (ci.sh does): the test downloads the frameworks from the module proxy")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	proxy := t.TempDir()
	publish(t, proxy, rootPath, repo)
	for _, a := range adapters {
		checkRequiresRoot(t, filepath.Join(repo, a.dir))
		publish(t, proxy, rootPath+"/"+a.dir, filepath.Join(repo, a.dir))
	}
	// The frameworks come from the machine's module proxy. To keep the
	// test fast, each adapter's own dependencies are first fetched into
	// the machine's module cache (what go test of that module does
	// anyway), and the consumers read them from there: its download
	// directory has the layout of a proxy. The consumers' own module
	// caches start empty.
	for _, a := range adapters {
		run(t, filepath.Join(repo, a.dir), nil, "go", "list", "-deps", "-test", "./...")
	}
	proxies := proxyChain(t, proxy)

	for _, a := range adapters {
		t.Run(filepath.Base(a.dir), func(t *testing.T) {
			home := t.TempDir() // outside the repository
			env := strangerEnv(proxies, home)
			src, err := os.ReadFile(filepath.Join("testdata", filepath.Base(a.dir), "main.go"))
			if err != nil {
				t.Fatal(err)
			}
			app := filepath.Join(home, "app")
			write(t, filepath.Join(app, "go.mod"), "module example.com/stranger\n\ngo 1.25.0\n")
			write(t, filepath.Join(app, "main.go"), string(src))

			adapterPath := rootPath + "/" + a.dir
			run(t, app, env, "go", "get", adapterPath+"@"+version)
			run(t, app, env, "go", "mod", "tidy")
			if got := goLine(t, filepath.Join(app, "go.mod")); got != "1.25.0" {
				t.Errorf("the consumer's go line became %s, want it left at 1.25.0", got)
			}

			graph := strings.Fields(run(t, app, env, "go", "list", "-m", "-f", "{{.Path}}", "all"))
			checkGraph(t, graph, a, adapterPath)
			t.Logf("%s: go list -m all holds %d modules: the consumer, %s, %s, and %d others (%s's and fbverify's dependencies)",
				filepath.Base(a.dir), len(graph), rootPath, adapterPath, len(graph)-3, a.framework)

			bin := filepath.Join(home, "stranger")
			run(t, app, env, "go", "build", "-o", bin, ".")
			if got := strings.TrimSpace(run(t, app, env, bin)); got != a.want {
				t.Fatalf("the consumer program printed %q, want %q", got, a.want)
			}
		})
	}
}

// programs are the commands a user installs with `go install …@version`:
// two in the root module, one a module of its own.
var programs = []struct {
	// pkg is the program's import path; module is the module it is in.
	pkg, module string
}{
	{rootPath + "/cmd/fbverify", rootPath},
	{rootPath + "/cmd/fbverify-demo", rootPath},
	{rootPath + "/cmd/fbverify-forward-auth", rootPath + "/cmd/fbverify-forward-auth"},
}

// TestStrangerInstallsEachProgram installs each program as its README says,
// `go install <pkg>@v0.1.0`, outside any checkout and with an empty module
// cache, from the file proxy, and runs its --version: the go command
// refuses that form for a module whose go.mod has a replace directive, so
// this is what keeps the programs installable.
func TestStrangerInstallsEachProgram(t *testing.T) {
	if os.Getenv("FBVERIFY_CONSUMER_TEST") != "1" {
		t.Skip("set FBVERIFY_CONSUMER_TEST=1 to run (ci.sh does): the test downloads the programs' dependencies from the module proxy")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	proxy := t.TempDir()
	publish(t, proxy, rootPath, repo)
	fa := filepath.Join(repo, "cmd", "fbverify-forward-auth")
	checkRequiresRoot(t, fa)
	if f := parseMod(t, filepath.Join(fa, "go.mod")); len(f.Replace) > 0 {
		t.Fatalf("cmd/fbverify-forward-auth/go.mod has a replace directive, which `go install …@version` refuses")
	}
	publish(t, proxy, rootPath+"/cmd/fbverify-forward-auth", fa)
	// The forward-auth server's revocation flag comes from a module of its own.
	fu := filepath.Join(repo, "verify", "firebaseusers")
	checkRequiresRoot(t, fu)
	publish(t, proxy, rootPath+"/verify/firebaseusers", fu)
	run(t, fa, nil, "go", "list", "-deps", "./...") // its dependencies into the machine's cache
	proxies := proxyChain(t, proxy)
	for _, p := range programs {
		name := filepath.Base(p.pkg)
		t.Run(name, func(t *testing.T) {
			home := t.TempDir() // outside the repository, no go.mod
			gobin := filepath.Join(home, "bin")
			env := append(strangerEnv(proxies, home), "GOBIN="+gobin)
			run(t, home, env, "go", "install", p.pkg+"@"+version)
			got := strings.TrimSpace(run(t, home, env, filepath.Join(gobin, name), "--version"))
			if want := name + " " + version + " "; !strings.HasPrefix(got, want) {
				t.Fatalf("%s --version printed %q, want it to start with %q", name, got, want)
			}
			t.Logf("go install %s@%s: %s", p.pkg, version, got)
		})
	}
}

// proxyChain is the GOPROXY of a stranger: the file proxy of our modules
// first, then, so that third-party modules are downloaded once per
// machine, the machine's module cache (its download directory has the
// layout of a proxy), then the machine's own GOPROXY.
func proxyChain(t *testing.T, proxy string) string {
	t.Helper()
	upstream := strings.TrimSpace(run(t, "", nil, "go", "env", "GOPROXY"))
	machineCache := strings.TrimSpace(run(t, "", nil, "go", "env", "GOMODCACHE"))
	return "file://" + filepath.ToSlash(proxy) + "," +
		"file://" + filepath.ToSlash(filepath.Join(machineCache, "cache", "download")) + "," + upstream
}

// strangerEnv is the environment of a user with no checkout, no workspace
// and an empty module cache under home.
func strangerEnv(proxies, home string) []string {
	return []string{
		"GOPROXY=" + proxies,
		"GOMODCACHE=" + filepath.Join(home, "modcache"), // empty
		// -trimpath: builds do not depend on where the module cache is,
		// so the consumers share the build cache.
		"GOFLAGS=-mod=mod -modcacherw -trimpath",
		"GOSUMDB=off", // our zips are not in the checksum database
		"GOWORK=off",
		"GOTOOLCHAIN=local",
		"GOENV=off",
		"GOPRIVATE=", "GONOPROXY=", "GONOSUMDB=",
	}
}

// checkGraph checks the consumer's module list: ours at the published
// version, its framework, and no other framework or adapter.
func checkGraph(t *testing.T, graph []string, a adapter, adapterPath string) {
	t.Helper()
	has := map[string]bool{}
	for _, p := range graph {
		has[p] = true
	}
	for _, p := range []string{rootPath, adapterPath, a.framework} {
		if !has[p] {
			t.Errorf("go list -m all lacks %s:\n%s", p, strings.Join(graph, "\n"))
		}
	}
	for _, p := range otherFrameworks {
		if p != a.framework && has[p] {
			t.Errorf("go list -m all holds %s, another framework", p)
		}
	}
	for _, other := range adapters {
		if p := rootPath + "/" + other.dir; p != adapterPath && has[p] {
			t.Errorf("go list -m all holds %s, another adapter", p)
		}
	}
}

// checkRequiresRoot fails unless the module in dir requires the root at
// the version published here, so that what the consumer gets is what the
// adapter's go.mod asks for.
func checkRequiresRoot(t *testing.T, dir string) {
	t.Helper()
	f := parseMod(t, filepath.Join(dir, "go.mod"))
	for _, r := range f.Require {
		if r.Mod.Path == rootPath {
			if r.Mod.Version != version {
				t.Fatalf("%s requires %s %s, want %s", dir, rootPath, r.Mod.Version, version)
			}
			return
		}
	}
	t.Fatalf("%s does not require %s", dir, rootPath)
}

// publish writes the module in dir to the file proxy as path@version:
// the list, .info, .mod and .zip files of the GOPROXY protocol. The zip
// leaves out nested modules, as a real proxy does.
func publish(t *testing.T, proxy, path, dir string) {
	t.Helper()
	if got := parseMod(t, filepath.Join(dir, "go.mod")).Module.Mod.Path; got != path {
		t.Fatalf("%s/go.mod declares %s, want %s", dir, got, path)
	}
	escaped, err := module.EscapePath(path)
	if err != nil {
		t.Fatal(err)
	}
	at := filepath.Join(proxy, filepath.FromSlash(escaped), "@v")
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	if err := zip.CreateFromDir(&z, module.Version{Path: path, Version: version}, dir); err != nil {
		t.Fatalf("zip of %s: %v", path, err)
	}
	checkLicense(t, path, z.Bytes())
	write(t, filepath.Join(at, "list"), version+"\n")
	write(t, filepath.Join(at, version+".info"), fmt.Sprintf(`{"Version":%q,"Time":%q}`+"\n", version, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)))
	write(t, filepath.Join(at, version+".mod"), string(gomod))
	write(t, filepath.Join(at, version+".zip"), z.String())
}

// checkLicense fails the test unless the module's zip holds a LICENSE at
// its root: package sites show no documentation for a module without one,
// and a module's zip holds only its own folder.
func checkLicense(t *testing.T, path string, z []byte) {
	t.Helper()
	r, err := stdzip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	want := path + "@" + version + "/LICENSE"
	for _, f := range r.File {
		if f.Name == want {
			return
		}
	}
	t.Errorf("the zip of %s has no LICENSE at its root", path)
}

func parseMod(t *testing.T, file string) *modfile.File {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.ParseLax(file, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func goLine(t *testing.T, file string) string {
	t.Helper()
	if f := parseMod(t, file); f.Go != nil {
		return f.Go.Version
	}
	return ""
}

func write(t *testing.T, file, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// run runs name with args in dir, with env added to the test's own
// environment, and returns its standard output; it fails the test with
// the standard error if the command fails or takes more than ten minutes
// (building gin from nothing on a busy machine takes several).
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}
