package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
)

const verifyUsage = `Usage: fbverify verify [flags] [TOKEN ...]

Verifies each TOKEN, or each line of standard input when no TOKEN is given
(blank lines are skipped), and prints one JSON object per token, one per
line, in order:

  {"valid":true,"uid":"...","claims":{...}}
  {"valid":false,"error":"<code>","message":"<why>"}

The codes are those of verify.ErrorCode (token_expired, invalid_audience...).
Without --keys, keys come from Google's endpoint for the token kind.

Exit status: 0 every token valid; 1 a token refused; 2 a usage or set-up
error (bad flag, no project, a key file that cannot be loaded, or keys that
could not be fetched to judge a token).
`

const verifyExamples = `  fbverify verify --project my-project "$ID_TOKEN"
  fbverify verify --project my-project --keys snapshot.json < tokens.txt
  fbverify verify --project my-project --at 2026-11-25T12:00:00Z "$OLD_TOKEN"
  fbverify verify --project my-project --session-cookie "$COOKIE"
  fbverify verify --project prod-project --project staging-project "$ID_TOKEN"
  fbverify verify --app-check 123456789012 --project my-project "$APP_CHECK_TOKEN"
  FIREBASE_PROJECT_ID=demo-project fbverify verify --emulator "$EMULATOR_TOKEN"
`

// verifyResult is one line of verify's output.
type verifyResult struct {
	Valid   bool           `json:"valid"`
	UID     string         `json:"uid,omitempty"`
	AppID   string         `json:"app_id,omitempty"`
	Claims  map[string]any `json:"claims,omitempty"`
	Error   string         `json:"error,omitempty"`
	Message string         `json:"message,omitempty"`
	// Line is the token's line number in standard input (from 1, blank
	// lines counted), so a batch's verdicts can be matched to its input.
	// It is absent for tokens given as arguments.
	Line int `json:"line,omitempty"`
}

// verifierFlags are the flags that choose how tokens are verified, shared
// by verify and explain.
type verifierFlags struct {
	projects listFlag
	keysFile *string
	at       timeFlag
	leeway   *time.Duration
	session  *bool
	tenants  listFlag
	emulator *bool
	appCheck *string
	maxBytes *int
}

// addVerifierFlags defines the verifier flags on fs.
func addVerifierFlags(fs *flag.FlagSet) *verifierFlags {
	f := &verifierFlags{}
	fs.Var(&f.projects, "project", "Firebase project `ID` (default $FIREBASE_PROJECT_ID, then $GOOGLE_CLOUD_PROJECT); repeat to accept several projects")
	f.keysFile = fs.String("keys", "", "key `FILE`: a JWK Set or an X.509 certificate map, as Google serves (default: Google's live endpoint)")
	fs.Var(&f.at, "at", "verify as of `TIME`, RFC 3339 or Unix seconds (default now)")
	f.leeway = fs.Duration("leeway", verify.DefaultLeeway, "clock skew allowed on exp, iat and auth_time, at most 5m")
	f.session = fs.Bool("session-cookie", false, "verify session cookies instead of ID tokens")
	fs.Var(&f.tenants, "tenant", "require firebase.tenant to be `ID` (repeat or comma-separate to accept several)")
	f.emulator = fs.Bool("emulator", false, "accept the unsigned tokens of the Firebase Auth emulator (INSECURE: local development only)")
	f.appCheck = fs.String("app-check", "", "verify Firebase App Check tokens of the project with this `NUMBER` (a --project ID is then optional, and also accepted in aud)")
	f.maxBytes = fs.Int("max-token-bytes", verify.DefaultMaxTokenBytes, "refuse tokens longer than `N` bytes as token_too_large")
	return f
}

// clock is --at's fixed clock, or the CLI's.
func (f *verifierFlags) clock(c *cli) func() time.Time {
	if f.at.set {
		fixed := f.at.t
		return func() time.Time { return fixed }
	}
	return c.now
}

// projectID is the first --project, or the environment's.
func (f *verifierFlags) projectID(c *cli) string {
	var first string
	if len(f.projects) > 0 {
		first = f.projects[0]
	}
	return c.project(first)
}

// verifier builds the ID token or session cookie Verifier the flags
// describe. On failure it has printed why and returns the exit status;
// close releases what it holds.
func (c *cli) verifier(cmd *command, f *verifierFlags) (v *verify.Verifier, closeAll func(), status int) {
	projectID := f.projectID(c)
	if projectID == "" {
		return nil, nil, c.usageError(cmd, "no project: pass --project or set FIREBASE_PROJECT_ID")
	}
	now := f.clock(c)
	kind, newVerifier := verify.IDToken, verify.New
	if *f.session {
		kind, newVerifier = verify.SessionCookie, verify.NewSessionCookieVerifier
	}
	opts := []verify.Option{verify.WithClock(now), verify.WithLeeway(*f.leeway), verify.WithMaxTokenBytes(*f.maxBytes)}
	if len(f.tenants) > 0 {
		opts = append(opts, verify.WithTenants(f.tenants...))
	}
	if len(f.projects) > 1 {
		opts = append(opts, verify.WithExtraProjects(f.projects[1:]...))
	}
	if *f.emulator {
		fmt.Fprintln(c.stderr, "fbverify: WARNING: --emulator accepts unsigned tokens that anyone can forge; use it only with the Firebase Auth emulator")
		opts = append(opts, verify.InsecureEmulatorMode())
	}
	closers := []func(){}
	closeAll = func() {
		for _, f := range closers {
			f()
		}
	}
	setUpError := func(err error) (*verify.Verifier, func(), int) {
		closeAll()
		fmt.Fprintf(c.stderr, "fbverify %s: %s\n", cmd.fs.Name(), plainMessage(err))
		return nil, nil, exitUsage
	}
	switch {
	case *f.keysFile != "":
		keys, err := loadKeyFile(*f.keysFile)
		if err != nil {
			return setUpError(err)
		}
		opts = append(opts, verify.WithKeySource(keys))
	case c.keyURL != nil:
		remote, err := jwks.NewRemote(c.keyURL(kind), jwks.RemoteOptions{Now: now})
		if err != nil {
			return setUpError(err)
		}
		closers = append(closers, func() { remote.Close() })
		opts = append(opts, verify.WithKeySource(remote))
	}
	v, err := newVerifier(projectID, opts...)
	if err != nil {
		return setUpError(err)
	}
	closers = append(closers, func() { v.Close() })
	return v, closeAll, exitOK
}

func (c *cli) verify(args []string) int {
	cmd := newCommand("verify", verifyUsage, verifyExamples)
	f := addVerifierFlags(cmd.fs)
	tokens, stop, status := c.parse(cmd, args)
	if stop {
		return status
	}
	if *f.appCheck != "" {
		check, err := c.appCheckVerifier(*f.appCheck, f.projectID(c), *f.keysFile, f.clock(c), *f.leeway, *f.maxBytes)
		if err != nil {
			fmt.Fprintf(c.stderr, "fbverify verify: %s\n", plainMessage(err))
			return exitUsage
		}
		return c.judgeAll(cmd, tokens, *f.maxBytes, check)
	}
	v, closeAll, status := c.verifier(cmd, f)
	if v == nil {
		return status
	}
	defer closeAll()
	check := func(ctx context.Context, token string) (verifyResult, error) {
		tok, err := v.Verify(ctx, token)
		if err != nil {
			return verifyResult{}, err
		}
		m, err := tok.Map()
		return verifyResult{Valid: true, UID: tok.UID, Claims: m}, err
	}
	if *f.keysFile != "" {
		check = withKeyFileHint(check, *f.keysFile)
	}
	return c.judgeAll(cmd, tokens, *f.maxBytes, check)
}

// checkFunc verifies one token and describes it, or returns why not.
type checkFunc func(ctx context.Context, token string) (verifyResult, error)

// newAppCheck builds the App Check verifier of --app-check.
func (c *cli) newAppCheck(number, projectID, keysFile string, now func() time.Time, leeway time.Duration, maxBytes int) (*verify.AppCheckVerifier, error) {
	opts := []verify.AppCheckOption{verify.WithClock(now), verify.WithLeeway(leeway), verify.WithMaxTokenBytes(maxBytes)}
	if keysFile != "" {
		keys, err := loadKeyFile(keysFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, verify.WithKeySource(keys))
	}
	return verify.NewAppCheck(verify.AppCheckProject{Number: number, ID: projectID}, opts...)
}

// appCheckVerifier builds the check of --app-check.
func (c *cli) appCheckVerifier(number, projectID, keysFile string, now func() time.Time, leeway time.Duration, maxBytes int) (checkFunc, error) {
	a, err := c.newAppCheck(number, projectID, keysFile, now, leeway, maxBytes)
	if err != nil {
		return nil, err
	}
	check := func(ctx context.Context, token string) (verifyResult, error) {
		tok, err := a.Verify(ctx, token)
		if err != nil {
			return verifyResult{}, err
		}
		var m map[string]any
		err = tok.Decode(&m)
		return verifyResult{Valid: true, AppID: tok.AppID, Claims: m}, err
	}
	if keysFile != "" {
		check = withKeyFileHint(check, keysFile)
	}
	return check, nil
}

// judgeAll checks the argument tokens, or each line of standard input,
// printing one line each, and returns the exit status.
func (c *cli) judgeAll(cmd *command, tokens []string, maxBytes int, check checkFunc) int {
	return c.eachToken(cmd, tokens, maxBytes, false, func(w io.Writer, token string, tooLong, line int) (int, error) {
		res, st := c.verifyOne(check, token, tooLong, maxBytes)
		res.Line = line
		return st, encodeLine(w, res)
	})
}

// encodeLine writes v as one line of JSON, HTML characters unescaped.
func encodeLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// eachToken calls emit with each argument token (line 0), or each line
// of standard input that is not blank (with its line number; one longer
// than maxBytes is passed as "" with its length in tooLong); emit writes
// its output for the token to w and returns its exit status. eachToken
// returns the worst of them. With dash, a lone "-" argument reads
// standard input too.
func (c *cli) eachToken(cmd *command, tokens []string, maxBytes int, dash bool, emit func(w io.Writer, token string, tooLong, line int) (int, error)) int {
	out := bufio.NewWriter(c.stdout)
	defer out.Flush()
	worst := exitOK
	one := func(token string, tooLong, line int) error {
		st, err := emit(out, token, tooLong, line)
		worst = max(worst, st)
		if err != nil {
			return err
		}
		// Flush per token so a pipeline sees each verdict as it comes.
		return out.Flush()
	}
	if len(tokens) > 0 && !(dash && len(tokens) == 1 && tokens[0] == "-") {
		for _, t := range tokens {
			if err := one(strings.TrimSpace(t), 0, 0); err != nil {
				fmt.Fprintf(c.stderr, "fbverify %s: %v\n", cmd.fs.Name(), err)
				return exitUsage
			}
		}
		return worst
	}
	lineNo := 0
	// A line longer than the token limit is refused as too large without
	// being held in memory.
	n, err := eachLine(c.stdin, maxBytes, func(line string, tooLong int) error {
		lineNo++
		if tooLong == 0 {
			line = strings.TrimSpace(line)
			if line == "" {
				return nil
			}
		}
		return one(line, tooLong, lineNo)
	})
	if err != nil {
		fmt.Fprintf(c.stderr, "fbverify %s: reading standard input: %v\n", cmd.fs.Name(), err)
		return exitUsage
	}
	if n == 0 {
		return c.usageError(cmd, "no token: pass tokens as arguments or one per line on standard input")
	}
	return worst
}

// verifyOne verifies one token and returns its output line and its exit
// status. tooLong, when not zero, is the length of a line too long to read:
// it is refused as verify.ErrTooLarge without being parsed.
func (c *cli) verifyOne(check checkFunc, token string, tooLong, maxBytes int) (verifyResult, int) {
	var err error
	if tooLong > 0 {
		err = fmt.Errorf("%w: %d bytes, limit %d", verify.ErrTooLarge, tooLong, maxBytes)
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		res, verr := check(ctx, token)
		if verr == nil {
			return res, exitOK
		}
		err = verr
	}
	status := exitInvalid
	if verify.IsServerSide(err) {
		status = exitUsage
	}
	return verifyResult{Error: verify.ErrorCode(err), Message: plainMessage(err)}, status
}

// eachLine calls fn with each line of r, without its line ending. A line
// longer than limit bytes is not kept: fn gets "" and the line's length.
// It returns the number of lines that were not blank and the first error
// of reading or of fn.
func eachLine(r io.Reader, limit int, fn func(line string, tooLong int) error) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	nonBlank := 0
	var buf []byte
	length := 0 // of the line so far, ending included
	for {
		chunk, err := br.ReadSlice('\n')
		length += len(chunk)
		if len(buf) <= limit+2 {
			buf = append(buf, chunk[:min(len(chunk), limit+2-len(buf))]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return nonBlank, err
		}
		if length > 0 {
			ending := len(chunk) - len(bytes.TrimRight(chunk, "\r\n"))
			line, over := strings.TrimRight(string(buf), "\r\n"), 0
			if n := length - ending; n > limit {
				line, over = "", n
			}
			if over > 0 || strings.TrimSpace(line) != "" {
				nonBlank++
			}
			if ferr := fn(line, over); ferr != nil {
				return nonBlank, ferr
			}
		}
		if err == io.EOF {
			return nonBlank, nil
		}
		buf, length = buf[:0], 0
	}
}
