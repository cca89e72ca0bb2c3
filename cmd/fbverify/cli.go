package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fbverify/fbverify/cmd/internal/buildinfo"
	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify"
)

// Exit statuses.
const (
	exitOK      = 0 // every token valid, or the command succeeded
	exitInvalid = 1 // a token was refused, or decode was given a malformed token
	exitUsage   = 2 // bad flags, missing project, keys that cannot be loaded
)

// cli is one invocation: its streams and environment, and the seams that
// tests replace (the clock and Google's key URLs).
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	// keyURL is the key endpoint used for a kind when no --keys file is
	// given; nil means Google's (the defaults of verify.New).
	keyURL func(verify.Kind) string
	// httpClient fetches keys for "keys fetch"; nil means a client with a
	// timeout that does not follow redirects.
	httpClient *http.Client
}

// run is the whole program, minus os.Exit: it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, now: time.Now}
	return c.run(args)
}

const rootUsage = `fbverify verifies Firebase ID tokens and session cookies, offline if you
give it a key file.

Usage:
  fbverify verify [flags] [TOKEN ...]   verify tokens (arguments, or one per line on stdin)
  fbverify explain [flags] TOKEN|-      say what a token is and why it is refused, rule by rule
  fbverify decode [TOKEN]               print a token's header and claims, NOT verified
  fbverify mint [flags]                 mint a test token with a local key
  fbverify jwks --key FILE              print a local key's public JWK Set (or --x509 map)
  fbverify keys fetch [--session-cookie] save Google's current keys, for airgapped use
  fbverify --version                    print the version of fbverify and of Go

Run "fbverify <command> --help" for a command's flags and examples.

Exit status: 0 all tokens valid (or success), 1 a token refused, 2 usage or set-up error.
`

func (c *cli) run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, rootUsage)
		return exitUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "verify":
		return c.verify(rest)
	case "explain":
		return c.explain(rest)
	case "decode":
		return c.decode(rest)
	case "mint":
		return c.mint(rest)
	case "jwks":
		return c.jwks(rest)
	case "keys":
		return c.keys(rest)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(c.stdout, rootUsage)
		return exitOK
	case "version", "-version", "--version":
		fmt.Fprintln(c.stdout, buildinfo.Line("fbverify"))
		return exitOK
	default:
		fmt.Fprintf(c.stderr, "fbverify: unknown command %q\n\n%s", cmd, rootUsage)
		return exitUsage
	}
}

// command is a subcommand's flag set with its help text.
type command struct {
	fs    *flag.FlagSet
	usage string // synopsis and description, printed before the flags
	eg    string // examples, printed after the flags
}

func newCommand(name, usage, examples string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &command{fs: fs, usage: usage, eg: examples}
}

func (cmd *command) printHelp(w io.Writer) {
	fmt.Fprint(w, cmd.usage)
	fmt.Fprintln(w, "\nFlags:")
	printFlags(w, cmd.fs)
	if cmd.eg != "" {
		fmt.Fprint(w, "\nExamples:\n"+cmd.eg)
	}
}

// parse parses args, flags and positional arguments in any order (a flag
// after a token is still a flag). It returns the positional arguments, or
// an exit status when the command must stop now: 0 after --help, 2 after
// a usage error (both already printed).
func (c *cli) parse(cmd *command, args []string) (positional []string, stop bool, status int) {
	for {
		err := cmd.fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			cmd.printHelp(c.stdout)
			return nil, true, exitOK
		}
		if err != nil {
			return nil, true, c.usageError(cmd, "%v%s", err, suggestFlag(cmd.fs, err))
		}
		rest := cmd.fs.Args()
		if len(rest) == 0 {
			return positional, false, 0
		}
		// Parse stops at the first non-flag; "--" ends flags for good.
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), false, 0
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// usageError prints a usage error for cmd and returns exitUsage.
func (c *cli) usageError(cmd *command, format string, a ...any) int {
	fmt.Fprintf(c.stderr, "fbverify %s: %s\n", cmd.fs.Name(), fmt.Sprintf(format, a...))
	fmt.Fprintf(c.stderr, "Run \"fbverify %s --help\" for usage.\n", cmd.fs.Name())
	return exitUsage
}

// project returns flagValue, or the first of FIREBASE_PROJECT_ID and
// GOOGLE_CLOUD_PROJECT that is set.
func (c *cli) project(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	for _, name := range []string{"FIREBASE_PROJECT_ID", "GOOGLE_CLOUD_PROJECT"} {
		if v := c.getenv(name); v != "" {
			return v
		}
	}
	return ""
}

// timeFlag is a flag holding an instant, written as RFC 3339 or as Unix
// seconds.
type timeFlag struct {
	t   time.Time
	set bool
}

func (f *timeFlag) String() string {
	if !f.set {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f *timeFlag) Set(s string) error {
	t, err := parseTime(s)
	if err != nil {
		return err
	}
	f.t, f.set = t, true
	return nil
}

// parseTime reads RFC 3339 ("2026-11-25T12:00:00Z") or Unix seconds.
func parseTime(s string) (time.Time, error) {
	if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
		if sec <= 0 || sec > 1<<40 {
			return time.Time{}, fmt.Errorf("unix time %d is out of range", sec)
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("want RFC 3339 (2026-11-25T12:00:00Z) or Unix seconds, got %q", s)
	}
	return t, nil
}

// listFlag is a repeatable string flag that also splits on commas.
type listFlag []string

func (f *listFlag) String() string { return strings.Join(*f, ",") }

func (f *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*f = append(*f, v)
		}
	}
	return nil
}

// defaultKeyURL is the key endpoint of a kind, the one verify.New uses.
func defaultKeyURL(k verify.Kind) string {
	if k == verify.SessionCookie {
		return jwks.SessionCookieX509URL
	}
	return jwks.IDTokenJWKSURL
}

// printFlags is flag.PrintDefaults with the double-dash spelling that the
// help texts and examples use.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0s" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// suggestFlag returns " (did you mean --NAME?)" when err is the flag
// package's complaint about an undefined flag and fs has one within two
// edits of it (or starting with it), else "".
func suggestFlag(fs *flag.FlagSet, err error) string {
	const undefined = "flag provided but not defined: "
	msg := err.Error()
	if !strings.HasPrefix(msg, undefined) {
		return ""
	}
	typed := strings.TrimLeft(strings.TrimPrefix(msg, undefined), "-")
	best, bestDist := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		d := editDistance(typed, f.Name)
		if strings.HasPrefix(f.Name, typed) && len(typed) >= 3 {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	if best == "" {
		return ""
	}
	return " (did you mean --" + best + "?)"
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
