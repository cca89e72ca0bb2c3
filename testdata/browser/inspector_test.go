package browser

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// state is one token pasted into the inspector and what the page must
// show for it.
type state struct {
	name  string // also the screenshot's name
	kind  string // the kind the demo's /dev/token mints
	want  []string
	first string // the rule marked first, "" for a valid token
	shows string // the token kind the page names
}

var states = []state{
	{"valid", "id_token", []string{"valid", "uid alice"}, "", "firebase_id_token"},
	{"expired", "expired", []string{"refused", "token_expired"}, "exp", "firebase_id_token"},
	{"wrong-project", "other_project", []string{"refused", "invalid_audience"}, "aud", "firebase_id_token"},
	{"custom-token", "custom_token", []string{"refused", "invalid_key_id"}, "kid", "firebase_custom_token"},
	{"emulator-token", "emulator_token", []string{"refused", "unsupported_algorithm"}, "alg", "firebase_emulator_token"},
}

// viewports are the window sizes the page must read well in.
var viewports = []struct {
	name          string
	width, height int64
	scale         float64
	mobile        bool
}{
	{"desktop", 1280, 900, 1, false},
	{"phone", 390, 844, 2, true},
}

// TestInspectorInChromium opens the demo's token inspector in headless
// Chromium, pastes a token of each kind and reads what the page shows,
// saves a screenshot of each state at a desktop and a phone width, and
// checks from the browser's network events that no request left loopback.
func TestInspectorInChromium(t *testing.T) {
	chromium := findChromium(t)
	demo := startDemo(t, buildDemo(t))
	shots := screenshotDir(t)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-pings", true),
	)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	var mu sync.Mutex
	var requests []string
	if err := chromedp.Listen(browserCtx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}

	tokens := map[string]string{}
	for _, s := range states {
		tokens[s.kind] = demo.mint(t, s.kind)
	}
	for _, vp := range viewports {
		var opts []chromedp.EmulateViewportOption
		opts = append(opts, chromedp.EmulateScale(vp.scale))
		if vp.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
		}
		if err := chromedp.Do(browserCtx,
			chromedp.EmulateViewport(vp.width, vp.height, opts...),
			chromedp.Navigate(demo.base+"/"),
			chromedp.WaitVisible(chromedp.ID("token")),
		); err != nil {
			t.Fatalf("%s: opening the inspector: %v", vp.name, err)
		}
		shot(t, browserCtx, shots, vp.name+"-empty", vp.width, vp.scale)
		for _, s := range states {
			t.Run(vp.name+"/"+s.name, func(t *testing.T) {
				page := paste(t, browserCtx, tokens[s.kind])
				for _, w := range s.want {
					if !strings.Contains(page.Verdict, w) {
						t.Errorf("verdict %q does not say %q", page.Verdict, w)
					}
				}
				if page.Kind != s.shows || page.First != s.first {
					t.Errorf("page shows kind %q, first failing rule %q; want %q, %q", page.Kind, page.First, s.shows, s.first)
				}
				if !strings.Contains(page.Payload, `"sub"`) || !strings.Contains(page.Header, `"alg"`) {
					t.Errorf("decoded header %q, payload %q", page.Header, page.Payload)
				}
				if s.first != "" && page.Fix == "" {
					t.Errorf("the first failing rule shows no fix")
				}
				if s.name == "custom-token" && !strings.Contains(page.Instead, "signInWithCustomToken") {
					t.Errorf("custom token: advice %q does not name signInWithCustomToken", page.Instead)
				}
				if s.name == "expired" && !strings.Contains(page.Times, "ago") {
					t.Errorf("times %q are not relative to now", page.Times)
				}
				shot(t, browserCtx, shots, vp.name+"-"+s.name, vp.width, vp.scale)
			})
		}
		t.Run(vp.name+"/mint-button", func(t *testing.T) {
			// The page's own button mints a session cookie with the demo's
			// issuer and inspects it: another kind than the server takes.
			stepCtx, cancel := context.WithTimeout(browserCtx, 20*time.Second)
			defer cancel()
			if err := chromedp.Do(stepCtx,
				chromedp.Click(chromedp.ID("clear")),
				chromedp.WaitNotVisible(chromedp.ID("result")),
				chromedp.Click(chromedp.CSS(`#mint button[data-kind="session_cookie"]`)),
				chromedp.WaitVisible(chromedp.ID("result")),
			); err != nil {
				t.Fatalf("minting with the page's button: %v", err)
			}
			// The result box may show again before the minted token's
			// report replaces the last one: wait for the report itself.
			page := readState(t, browserCtx)
			for deadline := time.Now().Add(10 * time.Second); page.Kind != "firebase_session_cookie" && time.Now().Before(deadline); {
				time.Sleep(50 * time.Millisecond)
				page = readState(t, browserCtx)
			}
			if page.Kind != "firebase_session_cookie" || page.First != "iss" || !strings.Contains(page.Instead, "session cookie") {
				t.Errorf("minted session cookie: %+v", page)
			}
			shot(t, browserCtx, shots, vp.name+"-mint-session-cookie", vp.width, vp.scale)
		})
	}

	mu.Lock()
	defer mu.Unlock()
	explains := 0
	for _, raw := range requests {
		u, err := url.Parse(raw)
		if err != nil {
			t.Errorf("request to %q: %v", raw, err)
			continue
		}
		if u.Scheme == "data" || raw == "about:blank" {
			continue
		}
		if u.Hostname() != "127.0.0.1" {
			t.Errorf("the page sent a request off loopback: %s", raw)
		}
		if u.Path == "/explain" {
			explains++
		}
	}
	if explains < len(states)*len(viewports) {
		t.Errorf("saw %d requests to /explain among %d, want at least %d: the network events are not being read", explains, len(requests), len(states)*len(viewports))
	}
}

// pageState is what the inspector shows after a paste.
type pageState struct {
	Verdict, Kind, First, Fix, Instead, Times, Header, Payload string
}

// readPage reads the inspector's result into a pageState.
const readPage = `(() => {
  const text = (id) => document.getElementById(id).textContent;
  const first = [...document.querySelectorAll("#rules tbody tr")].find((tr) => tr.textContent.includes("(first)"));
  return JSON.stringify({
    Verdict: text("verdict"), Kind: text("kind"), Instead: text("instead"), Times: text("times"),
    Header: text("header"), Payload: text("payload"),
    First: first ? first.dataset.rule : "", Fix: first ? first.lastElementChild.textContent : "",
  });
})()`

// paste clears the inspector, pastes token, asks for the report, waits
// for it and reads the page.
func paste(t *testing.T, ctx context.Context, token string) pageState {
	t.Helper()
	// A page that never shows a result fails here, not at the test's end.
	stepCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(stepCtx,
		chromedp.Click(chromedp.ID("clear")),
		chromedp.WaitNotVisible(chromedp.ID("result")),
		chromedp.SetValue(chromedp.ID("token"), token),
		chromedp.Click(chromedp.ID("inspect")),
		chromedp.WaitVisible(chromedp.ID("result")),
	); err != nil {
		t.Fatalf("pasting a token: %v", err)
	}
	return readState(t, ctx)
}

// readState reads what the inspector shows.
func readState(t *testing.T, ctx context.Context) pageState {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](readPage))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	var p pageState
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatalf("page state %q: %v", raw, err)
	}
	return p
}

// shot saves a full-page screenshot as dir/name.png and checks that it
// is a real PNG image of the viewport's width and a sensible height, with
// more than a few colours.
func shot(t *testing.T, ctx context.Context, dir, name string, width int64, scale float64) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("%s is not a PNG image: %v", path, err)
	}
	b := img.Bounds()
	if want := int(float64(width) * scale); b.Dx() != want || b.Dy() < 300 || b.Dy() > 20000 {
		t.Fatalf("%s is %dx%d, want %d wide and 300 to 20000 high", path, b.Dx(), b.Dy(), want)
	}
	if n := colours(img, 64); n < 8 {
		t.Fatalf("%s has %d colours: a blank page?", path, n)
	}
	t.Logf("screenshot %s (%dx%d)", path, b.Dx(), b.Dy())
}

// colours counts the distinct colours of img, stopping at limit.
func colours(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// screenshotDir is where the screenshots go: $FBVERIFY_SCREENSHOT_DIR if
// set (to keep them), else a temporary folder of the test.
func screenshotDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("FBVERIFY_SCREENSHOT_DIR"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// findChromium returns Debian's Chromium, skipping the test when it is
// missing unless FBVERIFY_REQUIRE_BROWSER=1 (as ci.sh sets it).
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("FBVERIFY_REQUIRE_BROWSER") == "1" {
		t.Fatal("chromium not found (apt-get install chromium)")
	}
	t.Skip("chromium not found; run ci.sh, which installs it")
	return ""
}

// buildDemo builds fbverify-demo from this checkout.
func buildDemo(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fbverify-demo")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/fbverify-demo")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/fbverify-demo: %v\n%s", err, out)
	}
	return bin
}

// demo is a running fbverify-demo in offline mode.
type demo struct {
	base   string
	stderr *bytes.Buffer
}

// startDemo starts bin on a free loopback port and waits for its
// "listening on" line; it is stopped when the test ends.
func startDemo(t *testing.T, bin string) *demo {
	t.Helper()
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d := &demo{stderr: &bytes.Buffer{}}
	cmd.Stderr = &lockedWriter{w: d.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "fbverify-demo: listening on "); ok {
				listening <- rest
			}
		}
		close(listening)
	}()
	select {
	case base, ok := <-listening:
		if !ok {
			t.Fatal("the demo exited before listening")
		}
		d.base = base
	case <-time.After(30 * time.Second):
		t.Fatal("the demo did not listen within 30 s")
	}
	return d
}

// mint asks the demo's issuer for a token of kind.
func (d *demo) mint(t *testing.T, kind string) string {
	t.Helper()
	body := fmt.Sprintf(`{"uid":"alice","kind":%q}`, kind)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Post(d.base+"/dev/token", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var out struct{ Token string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil || out.Token == "" {
		t.Fatalf("/dev/token %s: %d %s", kind, resp.StatusCode, raw)
	}
	return out.Token
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
