package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fbverify/fbverify/verify"
)

const explainUsage = `Usage: fbverify explain [verify's flags] [--text] TOKEN|-

Says what each TOKEN is and why it is accepted or refused: its kind
(firebase_id_token, firebase_session_cookie, firebase_app_check_token,
firebase_emulator_token, firebase_custom_token, google_id_token,
google_access_token, other_jwt or not_a_jwt), the project it names, what
to send instead when it is another kind than the verifier takes, and
every rule, not only the first that fails, with what it expected, what it
found and how to fix it. Times are relative to now (or --at). With "-" or
no TOKEN, reads one token per line of standard input (blank lines are
skipped). The verdict is verify's, with the same flags.

One JSON object per token, one per line:

  {"kind":"firebase_id_token","accepts":"firebase_id_token","valid":false,
   "error":"token_expired","message":"...","project":"my-project",
   "rules":[{"rule":"exp","outcome":"fail","ok":false,"first":true,
   "code":"token_expired","expected":"...","found":"...",
   "when":"expired 3 h ago","fix":"..."},...],"times":[...]}

or, with --text, a table for a person to read.

Exit status: as verify's: 0 every token valid; 1 a token refused; 2 a
usage or set-up error.
`

const explainExamples = `  fbverify explain --project my-project "$TOKEN"
  fbverify explain --project my-project --text "$TOKEN"
  pbpaste | fbverify explain --project my-project --text -
  fbverify explain --project my-project --keys snapshot.json < tokens.txt | jq .kind
`

// explainResult is one line of explain's JSON output.
type explainResult struct {
	*verify.Report
	// Line is the token's line number in standard input, as in verify's
	// output; absent for tokens given as arguments.
	Line int `json:"line,omitempty"`
}

func (c *cli) explain(args []string) int {
	cmd := newCommand("explain", explainUsage, explainExamples)
	f := addVerifierFlags(cmd.fs)
	text := cmd.fs.Bool("text", false, "print a table for a person to read instead of JSON")
	tokens, stop, status := c.parse(cmd, args)
	if stop {
		return status
	}
	var explain func(ctx context.Context, token string) *verify.Report
	if *f.appCheck != "" {
		a, err := c.newAppCheck(*f.appCheck, f.projectID(c), *f.keysFile, f.clock(c), *f.leeway, *f.maxBytes)
		if err != nil {
			fmt.Fprintf(c.stderr, "fbverify explain: %s\n", plainMessage(err))
			return exitUsage
		}
		defer a.Close()
		explain = a.Explain
	} else {
		v, closeAll, status := c.verifier(cmd, f)
		if v == nil {
			return status
		}
		defer closeAll()
		explain = v.Explain
	}
	// Lines are read up to decode's limit, so that a long token is still
	// explained (and refused by the size rule) rather than skipped.
	limit := max(*f.maxBytes, maxDecodeBytes)
	return c.eachToken(cmd, tokens, limit, true, func(w io.Writer, token string, tooLong, line int) (int, error) {
		var rep *verify.Report
		if tooLong > 0 {
			rep = tooLongReport(tooLong, *f.maxBytes)
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			rep = explain(ctx, token)
			cancel()
		}
		st := exitOK
		switch {
		case verify.IsServerSide(rep.Err):
			st = exitUsage
		case !rep.Valid:
			st = exitInvalid
		}
		if *text {
			return st, writeReport(w, rep, line)
		}
		return st, encodeLine(w, explainResult{Report: rep, Line: line})
	})
}

// tooLongReport is the report on a line of n bytes, too long to be read.
func tooLongReport(n, limit int) *verify.Report {
	err := fmt.Errorf("%w: %d bytes, limit %d", verify.ErrTooLarge, n, limit)
	return &verify.Report{Kind: verify.NotAJWT, Code: verify.ErrorCode(err), Message: plainMessage(err), Err: err,
		Rules: []verify.RuleCheck{{Rule: "size", Outcome: verify.Fail, First: true, Code: verify.ErrorCode(err),
			Expected: fmt.Sprintf("at most %d bytes", limit), Found: fmt.Sprintf("%d bytes", n),
			Fix: "Send the token alone, one per line."}}}
}

// writeReport writes rep as a table for a person.
func writeReport(w io.Writer, rep *verify.Report, line int) error {
	var b strings.Builder
	verdict := "VALID"
	if !rep.Valid {
		verdict = "REFUSED (" + rep.Code + ")"
	}
	where := ""
	if line > 0 {
		where = fmt.Sprintf("line %d: ", line)
	}
	fmt.Fprintf(&b, "%s%s\n", where, verdict)
	kind := string(rep.Kind)
	if rep.Project != "" {
		kind += ", project " + rep.Project
		if rep.OtherProject {
			kind += " (not one this verifier accepts)"
		}
	}
	fmt.Fprintf(&b, "  kind:     %s\n  accepts:  %s\n", kind, rep.Accepts)
	if rep.UID != "" {
		fmt.Fprintf(&b, "  uid:      %s\n", rep.UID)
	}
	if rep.Message != "" {
		fmt.Fprintf(&b, "  why:      %s\n", rep.Message)
	}
	if rep.SendInstead != "" {
		fmt.Fprintf(&b, "  instead:  %s\n", rep.SendInstead)
	}
	if rep.Clock != "" {
		fmt.Fprintf(&b, "  clock:    %s\n", rep.Clock)
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  RULE\tRESULT\tEXPECTED\tFOUND")
	var fixes []string
	for _, r := range rep.Rules {
		result := map[verify.Outcome]string{verify.Pass: "ok", verify.Fail: "FAIL", verify.NotChecked: "not checked"}[r.Outcome]
		if r.First {
			result += " (first)"
		}
		found := r.Found
		if r.When != "" {
			found += " (" + r.When + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.Rule, result, r.Expected, found)
		if r.Fix != "" {
			fixes = append(fixes, fmt.Sprintf("  %s: %s\n", r.Rule, r.Fix))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(fixes) > 0 {
		b.WriteString("\nfixes:\n" + strings.Join(fixes, ""))
	}
	b.WriteString("\n")
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ") // tabwriter pads an empty last cell
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n"))
	return err
}
