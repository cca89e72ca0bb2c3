package hybrid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fbverify/fbverify/testdata/hybrid"
	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

const projectID = "demo-hybrid"

// howToRun tells how to give the tests a database.
const howToRun = "run `bash ci.sh` in testdata/hybrid (it makes a throwaway PostgreSQL cluster and runs these tests), " +
	"or set FBVERIFY_HYBRID_DATABASE_URL to a PostgreSQL connection string of a database the tests may write to"

// skipOrFail skips the test, or fails it when FBVERIFY_REQUIRE_POSTGRES is
// set, as ci.sh does, so that CI cannot pass by skipping.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("FBVERIFY_REQUIRE_POSTGRES") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

func databaseURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("FBVERIFY_HYBRID_DATABASE_URL")
	if url == "" {
		skipOrFail(t, "no PostgreSQL: "+howToRun)
	}
	return url
}

// env is what every test shares: the issuer, a pool of its own on the
// database for what an operator would do by hand, and unique uids.
type env struct {
	t      *testing.T
	url    string
	signer *verifytest.Signer
	db     *pgxpool.Pool
	prefix string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	url := databaseURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := hybrid.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return &env{
		t: t, url: url, db: db,
		signer: verifytest.NewSigner(projectID),
		// Unique per run, so that tests may run again on one database.
		prefix: fmt.Sprintf("%s-%d-", strings.ToLower(t.Name()), time.Now().UnixNano()),
	}
}

func (e *env) uid(name string) string { return e.prefix + name }

// instance is one Service behind a loopback HTTP server.
type instance struct {
	svc     *hybrid.Service
	url     string
	listens atomic.Int64 // how many times its listener got LISTEN in place
}

// start runs an instance of the service with the given revocation TTL and
// waits until its listener is in place.
func (e *env) start(ttl time.Duration, tweak ...func(*hybrid.Config)) *instance {
	e.t.Helper()
	in := e.startUnready(ttl, tweak...)
	e.eventually("the listener to LISTEN", 10*time.Second, func() bool { return in.listens.Load() >= 1 })
	return in
}

// startUnready is start without waiting for the listener.
func (e *env) startUnready(ttl time.Duration, tweak ...func(*hybrid.Config)) *instance {
	e.t.Helper()
	in := &instance{}
	cfg := hybrid.Config{
		DatabaseURL:   e.url,
		ProjectID:     projectID,
		VerifyOptions: []verify.Option{verify.WithKeySource(e.signer.KeySource()), verify.WithCache(10000)},
		RevocationTTL: ttl,
		OnListen:      func() { in.listens.Add(1) },
	}
	for _, f := range tweak {
		f(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	svc, err := hybrid.New(ctx, cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	e.t.Cleanup(func() { srv.Close(); svc.Close() })
	in.svc, in.url = svc, srv.URL
	return in
}

// eventually polls cond every 10 ms for up to limit, failing the test if
// it never holds, and returns how long it took.
func (e *env) eventually(what string, limit time.Duration, cond func() bool) time.Duration {
	e.t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			e.t.Fatalf("%s did not happen within %v", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// exec runs SQL as an operator would, outside the service.
func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := e.db.Exec(ctx, sql, args...); err != nil {
		e.t.Fatal(err)
	}
}

// revocationLookups reads the database's count of revocation lookups.
func (e *env) revocationLookups() int64 {
	e.t.Helper()
	var n int64
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := e.db.QueryRow(ctx, `SELECT coalesce(pg_sequence_last_value('revocation_lookups'), 0)`).Scan(&n)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// client keeps enough idle connections for every worker of the load test,
// so that requests reuse them instead of opening one each.
var client = &http.Client{
	Timeout:   10 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 64},
}

// response is what a test reads of an answer.
type response struct {
	status int
	body   map[string]any
}

func (r response) code() string { s, _ := r.body["code"].(string); return s }

func (r response) String() string { return fmt.Sprintf("%d %v", r.status, r.body) }

// call sends a request with token as Bearer (none if empty) and decodes
// the JSON answer. It returns status 0 when the request itself failed.
func call(method, url, token, body string) (response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return response{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return response{}, err
	}
	r := response{status: resp.StatusCode}
	if len(bytes.TrimSpace(raw)) > 0 && json.Unmarshal(raw, &r.body) != nil {
		r.body = map[string]any{"text": string(raw)} // such as the mux's 404
	}
	return r, nil
}

func (e *env) must(method, url, token, body string) response {
	e.t.Helper()
	r, err := call(method, url, token, body)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) want(r response, status int, code string) {
	e.t.Helper()
	if r.status != status || (code != "" && r.code() != code) {
		e.t.Fatalf("got %v, want %d %s", r, status, code)
	}
}

// A revocation through one instance reaches the other by NOTIFY: it
// refuses the old token within one second although its TTL is an hour,
// and accepts a token from a sign-in after the revocation.
func TestRevokeThroughOneInstanceIsRefusedByTheOther(t *testing.T) {
	e := newEnv(t)
	a, b := e.start(time.Hour), e.start(time.Hour)
	alice := e.uid("alice")
	now := time.Now()
	oldToken := e.signer.IDToken(alice, verifytest.AuthTime(now.Add(-time.Minute)), verifytest.Email("alice@example.com", true))
	for _, in := range []*instance{a, b} {
		e.want(e.must("GET", in.url+"/api/profile", oldToken, ""), 200, "")
	}

	admin := e.signer.IDToken(e.uid("admin"), verifytest.Claim("admin", true))
	e.want(e.must("POST", a.url+"/admin/revoke/"+alice, oldToken, ""), 403, "")
	e.want(e.must("POST", a.url+"/admin/revoke/"+alice,
		e.signer.IDToken(e.uid("pretender"), verifytest.Claim("admin", "true")), ""), 403, "")
	e.want(e.must("POST", a.url+"/admin/revoke/"+e.uid("nobody"), admin, ""), 404, "")

	r := e.must("POST", a.url+"/admin/revoke/"+alice, admin, "")
	revokedAt := time.Now()
	e.want(r, 200, "")
	validAfter, err := time.Parse(time.RFC3339, r.body["tokens_valid_after"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if validAfter.Nanosecond() != 0 || validAfter.After(revokedAt) || revokedAt.Sub(validAfter) > 5*time.Second {
		t.Fatalf("tokens_valid_after %v: want now in whole seconds", validAfter)
	}

	took := e.eventually("instance b refusing the revoked token", time.Second, func() bool {
		r, err := call("GET", b.url+"/api/profile", oldToken, "")
		return err == nil && r.status == 401 && r.code() == "token_revoked"
	})
	t.Logf("instance b refused the revoked token %v after the revocation through instance a", took)
	e.want(e.must("GET", a.url+"/api/profile", oldToken, ""), 401, "token_revoked")

	// Firebase compares whole seconds: a sign-in in the second of the
	// revocation counts as after it, one a second earlier as before.
	later := e.signer.IDToken(alice, verifytest.AuthTime(validAfter))
	earlier := e.signer.IDToken(alice, verifytest.AuthTime(validAfter.Add(-time.Second)))
	for _, in := range []*instance{a, b} {
		e.want(e.must("GET", in.url+"/api/profile", later, ""), 200, "")
		e.want(e.must("GET", in.url+"/api/profile", earlier, ""), 401, "token_revoked")
	}
}

// 10,000 requests of 100 users cost at most 100 revocation lookups per
// TTL, counted by the database itself; without the cache every request
// costs one, which shows the count is real.
func TestRevocationLookupsPerTTL(t *testing.T) {
	e := newEnv(t)
	const ttl = time.Minute
	in := e.start(ttl)
	const users, requests, workers = 100, 10000, 16
	tokens := make([]string, users)
	for i := range tokens {
		tokens[i] = e.signer.IDToken(e.uid(fmt.Sprint(i)))
	}

	run := func(in *instance, n, workers int) {
		t.Helper()
		var wg sync.WaitGroup
		var failed atomic.Int64
		var first atomic.Value
		next := atomic.Int64{}
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1) - 1
					if i >= int64(n) {
						return
					}
					r, err := call("GET", in.url+"/api/profile", tokens[i%users], "")
					if err != nil || r.status != 200 {
						failed.Add(1)
						first.CompareAndSwap(nil, fmt.Sprintf("%v %v", r, err))
					}
				}
			}()
		}
		wg.Wait()
		if n := failed.Load(); n > 0 {
			t.Fatalf("%d requests failed; the first: %v", n, first.Load())
		}
	}

	before := e.revocationLookups()
	start := time.Now()
	run(in, requests, workers)
	elapsed := time.Since(start)
	lookups := e.revocationLookups() - before
	periods := int64(elapsed/ttl) + 1
	t.Logf("%d requests of %d users in %v: %d revocation lookups (TTL %v)", requests, users, elapsed.Round(time.Millisecond), lookups, ttl)
	if lookups > users*periods {
		t.Errorf("%d revocation lookups for %d requests of %d users in %v, want at most %d per TTL of %v",
			lookups, requests, users, elapsed, users, ttl)
	}
	if lookups < users {
		t.Errorf("%d revocation lookups counted, yet each of %d users needs one: the count is broken", lookups, users)
	}

	// A negative TTL keeps nothing; one worker, so that no two checks of a
	// user are concurrent and share a call.
	uncached := e.start(-1)
	before = e.revocationLookups()
	run(uncached, 500, 1)
	if got := e.revocationLookups() - before; got != 500 {
		t.Errorf("without the cache, 500 requests made %d revocation lookups, want 500", got)
	}
}

// A user disabled in the database (by an operator, with SQL) is refused
// with user_disabled by every instance within a second, and accepted again
// once enabled.
func TestDisabledUserIsRefused(t *testing.T) {
	e := newEnv(t)
	a, b := e.start(time.Hour), e.start(time.Hour)
	bob := e.uid("bob")
	token := e.signer.IDToken(bob)
	for _, in := range []*instance{a, b} {
		e.want(e.must("GET", in.url+"/api/profile", token, ""), 200, "")
	}
	e.exec(`UPDATE users SET disabled = true WHERE uid = $1`, bob)
	for _, in := range []*instance{a, b} {
		e.eventually("user_disabled", time.Second, func() bool {
			r, err := call("GET", in.url+"/api/profile", token, "")
			return err == nil && r.status == 401 && r.code() == "user_disabled"
		})
	}
	e.exec(`UPDATE users SET disabled = false WHERE uid = $1`, bob)
	for _, in := range []*instance{a, b} {
		e.eventually("the enabled user accepted again", time.Second, func() bool {
			r, err := call("GET", in.url+"/api/profile", token, "")
			return err == nil && r.status == 200
		})
	}
}

// The profile routes act on the token's uid only: there is no way to name
// another user, and a body that tries is refused.
func TestProfileIsTheSignedInUsersOnly(t *testing.T) {
	e := newEnv(t)
	in := e.start(time.Hour)
	alice, bob := e.uid("alice"), e.uid("bob")
	aliceToken := e.signer.IDToken(alice, verifytest.Email("alice@example.com", true))
	bobToken := e.signer.IDToken(bob, verifytest.Email("bob@example.com", true))

	r := e.must("GET", in.url+"/api/profile", aliceToken, "")
	e.want(r, 200, "")
	if r.body["uid"] != alice || r.body["email"] != "alice@example.com" || r.body["display_name"] != "" {
		t.Fatalf("alice's first profile: %v", r.body)
	}
	e.want(e.must("PUT", in.url+"/api/profile", aliceToken, `{"display_name":"Alice"}`), 200, "")

	attempts := []struct{ method, path, body string }{
		{"PUT", "/api/profile", `{"uid":"` + alice + `","display_name":"pwned"}`},
		{"PUT", "/api/profile?uid=" + alice, `{"display_name":"pwned"}`},
		{"PUT", "/api/profile/" + alice, `{"display_name":"pwned"}`},
		{"GET", "/api/profile/" + alice, ""},
		{"GET", "/api/profile?uid=" + alice, ""},
	}
	for _, at := range attempts {
		r, err := call(at.method, in.url+at.path, bobToken, at.body)
		if err != nil {
			t.Fatal(err)
		}
		if r.status == 200 && r.body["uid"] != bob {
			t.Errorf("%s %s as bob answered alice's row: %v", at.method, at.path, r)
		}
	}
	r = e.must("GET", in.url+"/api/profile", aliceToken, "")
	if r.body["display_name"] != "Alice" {
		t.Errorf("alice's profile after bob's attempts: %v", r.body)
	}
	// Naming a uid in the body is refused outright, not ignored.
	e.want(e.must("PUT", in.url+"/api/profile", bobToken, `{"uid":"`+alice+`","display_name":"x"}`), 400, "")
	e.want(e.must("GET", in.url+"/api/profile/"+alice, bobToken, ""), 404, "")
	if r := e.must("GET", in.url+"/api/profile", bobToken, ""); r.body["uid"] != bob || r.body["email"] != "bob@example.com" {
		t.Errorf("bob's profile: %v", r.body)
	}

	e.want(e.must("GET", in.url+"/api/profile", "", ""), 401, "no_token")
	other := verifytest.NewSigner(projectID) // a key the service does not trust
	e.want(e.must("GET", in.url+"/api/profile", other.IDToken(alice), ""), 401, "")
	e.want(e.must("PUT", in.url+"/api/profile", bobToken, `{"display_name":"`+strings.Repeat("x", 101)+`"}`), 400, "")
}

// pgControl runs one of the commands ci.sh gives for stopping and starting
// the server.
func pgControl(t *testing.T, envVar string) {
	t.Helper()
	cmdline := os.Getenv(envVar)
	if cmdline == "" {
		skipOrFail(t, envVar+" is not set, so the test cannot stop the server: "+howToRun)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sh", "-c", cmdline).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", envVar, err, out)
	}
}

// With the database stopped, requests fail closed with 503 (never 200 or
// 401); once it is back, service resumes and the listener is in place again.
func TestDatabaseDownFailsClosedAndRecovers(t *testing.T) {
	e := newEnv(t)
	if os.Getenv("FBVERIFY_HYBRID_PG_STOP") == "" || os.Getenv("FBVERIFY_HYBRID_PG_START") == "" {
		skipOrFail(t, "FBVERIFY_HYBRID_PG_STOP and FBVERIFY_HYBRID_PG_START are not set: "+howToRun)
	}
	const ttl = time.Second
	fastRetry := func(c *hybrid.Config) { c.MaxBackoff = 300 * time.Millisecond }
	in := e.start(ttl, fastRetry)
	// An instance whose TTL is an hour learns of changes only by NOTIFY:
	// it shows that the listener is back after the restart.
	long := e.start(time.Hour, fastRetry)
	seen := e.signer.IDToken(e.uid("seen"))
	e.want(e.must("GET", in.url+"/api/profile", seen, ""), 200, "")

	pgControl(t, "FBVERIFY_HYBRID_PG_STOP")
	stopped := true
	t.Cleanup(func() {
		if stopped {
			pgControl(t, "FBVERIFY_HYBRID_PG_START")
		}
	})
	downAt := time.Now()

	// A user whose state is not kept is refused at once.
	for i := range 20 {
		r := e.must("GET", in.url+"/api/profile", e.signer.IDToken(e.uid(fmt.Sprint("unseen-", i))), "")
		e.want(r, 503, "revocation_check_failed")
	}
	// The user seen before: its kept state lets the token through for at
	// most the TTL, and the handler's own query fails; past the TTL, the
	// revocation check refuses it.
	for time.Since(downAt) < ttl+500*time.Millisecond {
		r := e.must("GET", in.url+"/api/profile", seen, "")
		e.want(r, 503, "")
		time.Sleep(50 * time.Millisecond)
	}
	e.want(e.must("GET", in.url+"/api/profile", seen, ""), 503, "revocation_check_failed")

	pgControl(t, "FBVERIFY_HYBRID_PG_START")
	stopped = false
	took := e.eventually("service to resume", 20*time.Second, func() bool {
		r, err := call("GET", in.url+"/api/profile", seen, "")
		return err == nil && r.status == 200
	})
	t.Logf("service resumed %v after the server was back", took)
	for _, inst := range []*instance{in, long} {
		e.eventually("the listener to LISTEN again", 20*time.Second, func() bool { return inst.listens.Load() >= 2 })
	}

	victim := e.uid("victim")
	token := e.signer.IDToken(victim)
	e.want(e.must("GET", long.url+"/api/profile", token, ""), 200, "")
	e.exec(`UPDATE users SET disabled = true WHERE uid = $1`, victim)
	e.eventually("user_disabled through the reconnected listener", time.Second, func() bool {
		r, err := call("GET", long.url+"/api/profile", token, "")
		return err == nil && r.status == 401 && r.code() == "user_disabled"
	})
}

// When the server drops the listener's connection (here by
// pg_terminate_backend, as an operator or a failover would), the listener
// reconnects and pushes work again.
func TestListenerReconnectsAfterItsConnectionIsLost(t *testing.T) {
	e := newEnv(t)
	in := e.start(time.Hour, func(c *hybrid.Config) { c.MinBackoff, c.MaxBackoff = 50*time.Millisecond, 300*time.Millisecond })
	user := e.uid("carol")
	token := e.signer.IDToken(user)
	e.want(e.must("GET", in.url+"/api/profile", token, ""), 200, "")

	e.exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
		hybrid.ListenerApplicationName)
	took := e.eventually("the listener to LISTEN again", 10*time.Second, func() bool { return in.listens.Load() >= 2 })
	t.Logf("the listener was back %v after its connection was terminated", took)

	e.want(e.must("GET", in.url+"/api/profile", token, ""), 200, "")
	e.exec(`UPDATE users SET disabled = true WHERE uid = $1`, user)
	e.eventually("user_disabled through the reconnected listener", time.Second, func() bool {
		r, err := call("GET", in.url+"/api/profile", token, "")
		return err == nil && r.status == 401 && r.code() == "user_disabled"
	})
}

// An instance whose listener cannot connect still serves, and the TTL
// bounds how long it keeps a stale answer: a user disabled in the
// database is refused within the TTL, not at once and not never.
func TestWithoutTheListenerTheTTLBoundsStaleness(t *testing.T) {
	e := newEnv(t)
	const ttl = 2 * time.Second
	in := e.startUnready(ttl, func(c *hybrid.Config) {
		c.ListenURL = "host=" + t.TempDir() + " user=postgres dbname=postgres" // no server there
		c.MaxBackoff = 200 * time.Millisecond
	})
	user := e.uid("dave")
	token := e.signer.IDToken(user)
	e.want(e.must("GET", in.url+"/api/profile", token, ""), 200, "")
	keptAt := time.Now()
	e.exec(`UPDATE users SET disabled = true WHERE uid = $1`, user)
	took := e.eventually("user_disabled once the kept answer expired", ttl+time.Second, func() bool {
		r, err := call("GET", in.url+"/api/profile", token, "")
		return err == nil && r.status == 401 && r.code() == "user_disabled"
	})
	sinceKept := time.Since(keptAt)
	t.Logf("without a listener, the disabled user was refused %v after the change (TTL %v)", took, ttl)
	if sinceKept < ttl/2 {
		t.Errorf("refused %v after the answer was kept, before the TTL %v could expire: was there a push after all?", sinceKept, ttl)
	}
	if n := in.listens.Load(); n != 0 {
		t.Errorf("the listener reports %d LISTENs with no server to reach", n)
	}
}
