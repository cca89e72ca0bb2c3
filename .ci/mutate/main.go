// Command mutate is a small mutation tester: it applies one-edit changes to
// the rules of the code (a comparison flipped to its neighbour or its
// opposite, && swapped with ||, a negation dropped, a constant's number
// moved by one), runs the tests of the package concerned for each, and
// reports which changes no test notices. It is for a person to run and
// read, not part of CI; a full pass takes an hour or more on two cores.
//
// It never edits the tree it is given: it copies the repository to a
// temporary directory (or -work) and mutates the copy.
//
//	go run ./.ci/mutate -list                    # count the mutants
//	go run ./.ci/mutate -out /tmp/mutants.tsv    # run them all
//	go run ./.ci/mutate -only jwks/members.go    # one file
//
// Each output line is: verdict, file:line:column, the change, and the
// first failing test (or "-"). A verdict is "caught", "survived", "timeout"
// (counted as caught: the change made a test hang) or "build" (the change
// does not compile; not counted).
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// target is a package whose rules are mutated, with the tests to run for
// each mutant: -skip drops tests that check speed or load rather than
// rules, and also names a consumer package whose tests get a second
// chance at a survivor.
type target struct {
	dir   string   // package directory, relative to the module root
	files []string // the files mutated, relative to dir
	skip  string   // go test -skip pattern
	// then: another package (directory, run pattern) tried on survivors.
	thenDir, thenRun string
}

var targets = []target{
	{dir: "claims", files: []string{"claims.go", "marshal.go"}},
	{dir: "jwks", files: []string{"keyset.go", "members.go", "remote.go", "snapshot.go", "encode.go", "fetchevent.go"},
		skip: "^Benchmark", thenDir: "verify", thenRun: "TestKeyRotationsOverAMonth|Snapshot|Refresh|KeySource|Rotation"},
	{dir: "jwks/internal/keyfetch", files: []string{"keyfetch.go"}, thenDir: "jwks", thenRun: "Remote|Fault|Fetch"},
	{dir: "verify", files: []string{"verify.go", "options.go", "middleware.go", "revocation.go", "cache.go", "refresh.go",
		"projectid.go", "appcheck.go", "errors.go", "observer.go"}, skip: "TestMiddlewareUnderLoad|TestKeyRotationsOverAMonth|Load|Bench"},
	{dir: "verify/internal/claimcheck", files: []string{"rules.go"}, thenDir: "verify", thenRun: "."},
	{dir: "cmd/fbverify-forward-auth", files: []string{"server.go", "metrics.go", "run.go"},
		skip: "Nginx|Caddy|Traefik|Load|Proxies|Binary"},
}

// mutant is one edit: replace the bytes [off, off+len(from)) by to.
type mutant struct {
	file     string // relative to the module root
	line     int
	col      int
	off      int
	from, to string
}

// flips are the edits of each operator: an order moved by its boundary,
// an equality negated, a conjunction swapped. (A comparison with nil,
// nearly always an error check that every test notices, is left alone.)
// job is a mutant with the package whose tests judge it.
type job struct {
	t target
	m mutant
}

var flips = map[token.Token][]string{
	token.LSS:  {"<="},
	token.LEQ:  {"<"},
	token.GTR:  {">="},
	token.GEQ:  {">"},
	token.EQL:  {"!="},
	token.NEQ:  {"=="},
	token.LAND: {"||"},
	token.LOR:  {"&&"},
}

// mutants lists the edits of one file.
func mutants(root, rel string) ([]mutant, error) {
	src, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, rel, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var out []mutant
	add := func(pos token.Pos, from, to string) {
		p := fset.Position(pos)
		out = append(out, mutant{file: rel, line: p.Line, col: p.Column, off: p.Offset, from: from, to: to})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if isNil(n.X) || isNil(n.Y) {
				return true
			}
			for _, to := range flips[n.Op] {
				add(n.OpPos, n.Op.String(), to)
			}
		case *ast.UnaryExpr:
			if n.Op == token.NOT {
				add(n.OpPos, "!", "")
			}
		case *ast.GenDecl:
			if n.Tok != token.CONST {
				return true
			}
			// The first integer of each constant's value, moved by one.
			for _, spec := range n.Specs {
				for _, v := range spec.(*ast.ValueSpec).Values {
					ast.Inspect(v, func(m ast.Node) bool {
						lit, ok := m.(*ast.BasicLit)
						if !ok || lit.Kind != token.INT {
							return true
						}
						if i, err := strconv.ParseInt(lit.Value, 0, 64); err == nil {
							add(lit.Pos(), lit.Value, strconv.FormatInt(i+1, 10))
						}
						return false
					})
				}
			}
			return false
		}
		return true
	})
	return out, nil
}

func isNil(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "nil"
}

var failLine = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)

// run runs go test in dir of the work tree, returning the verdict and the
// first failing test.
func run(work, dir, runPattern, skip string, timeout time.Duration) (string, string) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout+30*time.Second)
	defer cancel()
	args := []string{"test", "-count=1", "-failfast", "-timeout", timeout.String(), "-run", runPattern}
	if skip != "" {
		args = append(args, "-skip", skip)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "./"+dir)...)
	cmd.Dir = work
	if strings.HasPrefix(dir, "cmd/") {
		cmd.Dir, cmd.Args[len(cmd.Args)-1] = filepath.Join(work, dir), "."
	}
	outb, err := cmd.CombinedOutput()
	out := string(outb)
	switch {
	case err == nil:
		return "survived", "-"
	case strings.Contains(out, "[build failed]") || strings.Contains(out, "[setup failed]"):
		return "build", "-"
	case strings.Contains(out, "panic: test timed out") || ctx.Err() != nil:
		return "timeout", "-"
	}
	if m := failLine.FindStringSubmatch(out); m != nil {
		return "caught", m[1]
	}
	return "caught", "-"
}

func main() {
	list := flag.Bool("list", false, "list the mutants and exit")
	only := flag.String("only", "", "mutate only this file (relative to the module root)")
	outPath := flag.String("out", "", "append results to this file too")
	work := flag.String("work", "", "copy of the repository to mutate (made with cp -a if empty)")
	timeout := flag.Duration("timeout", 3*time.Minute, "bound on one package's tests")
	survivors := flag.String("survivors", "", "run only the mutants this earlier -out file lists as survived (to check new tests)")
	interleave := flag.Bool("interleave", false, "take the files' mutants in turn, so that a pass cut short has sampled every file")
	flag.Parse()

	root, err := os.Getwd()
	if err != nil {
		fail(err)
	}
	var all []job
	for _, t := range targets {
		for _, f := range t.files {
			rel := filepath.Join(t.dir, f)
			if *only != "" && rel != *only {
				continue
			}
			ms, err := mutants(root, rel)
			if err != nil {
				fail(err)
			}
			for _, m := range ms {
				all = append(all, job{t, m})
			}
		}
	}
	if *interleave {
		all = roundRobin(all)
	}
	done := map[string]bool{} // mutants already in -out, skipped on a resumed pass
	if *outPath != "" {
		if data, err := os.ReadFile(*outPath); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if f := strings.Split(line, "\t"); len(f) >= 3 {
					done[f[1]+"\t"+f[2]] = true
				}
			}
		}
	}
	if *survivors != "" {
		data, err := os.ReadFile(*survivors)
		if err != nil {
			fail(err)
		}
		keep := map[string]bool{}
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Split(line, "\t"); len(f) >= 3 && f[0] == "survived" {
				keep[f[1]+"\t"+f[2]] = true
			}
		}
		var only []job
		for _, x := range all {
			if keep[fmt.Sprintf("%s:%d:%d\t%s -> %q", x.m.file, x.m.line, x.m.col, x.m.from, x.m.to)] {
				only = append(only, x)
			}
		}
		all = only
	}
	if *list {
		for _, x := range all {
			fmt.Printf("%s:%d:%d %s -> %q\n", x.m.file, x.m.line, x.m.col, x.m.from, x.m.to)
		}
		fmt.Println(len(all), "mutants")
		return
	}
	if *work == "" {
		dir, err := os.MkdirTemp("", "mutate-")
		if err != nil {
			fail(err)
		}
		defer os.RemoveAll(dir)
		if out, err := exec.Command("cp", "-a", root+"/.", dir).CombinedOutput(); err != nil {
			fail(fmt.Errorf("copying the tree: %v: %s", err, out))
		}
		*work = dir
	}
	var sink *bufio.Writer
	if *outPath != "" {
		f, err := os.OpenFile(*outPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		sink = bufio.NewWriter(f)
		defer sink.Flush()
	}
	counts := map[string]int{}
	for i, x := range all {
		if done[fmt.Sprintf("%s:%d:%d\t%s -> %q", x.m.file, x.m.line, x.m.col, x.m.from, x.m.to)] {
			continue
		}
		path := filepath.Join(*work, x.m.file)
		orig, err := os.ReadFile(path)
		if err != nil {
			fail(err)
		}
		if !bytes.Equal(orig[x.m.off:x.m.off+len(x.m.from)], []byte(x.m.from)) {
			fail(fmt.Errorf("%s:%d: expected %q", x.m.file, x.m.line, x.m.from))
		}
		mutated := append(append(append([]byte(nil), orig[:x.m.off]...), x.m.to...), orig[x.m.off+len(x.m.from):]...)
		if err := os.WriteFile(path, mutated, 0o644); err != nil {
			fail(err)
		}
		verdict, test := run(*work, x.t.dir, ".", x.t.skip, *timeout)
		if verdict == "survived" && x.t.thenDir != "" {
			if v, tt := run(*work, x.t.thenDir, x.t.thenRun, "", *timeout); v == "caught" || v == "timeout" {
				verdict, test = v, x.t.thenDir+"."+tt
			}
		}
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			fail(err)
		}
		counts[verdict]++
		line := fmt.Sprintf("%s\t%s:%d:%d\t%s -> %q\t%s", verdict, x.m.file, x.m.line, x.m.col, x.m.from, x.m.to, test)
		fmt.Printf("[%d/%d] %s\n", i+1, len(all), line)
		if sink != nil {
			fmt.Fprintln(sink, line)
			sink.Flush()
		}
	}
	fmt.Printf("caught %d, timeout %d, survived %d, build %d\n", counts["caught"], counts["timeout"], counts["survived"], counts["build"])
}

// roundRobin orders xs by taking each file's next mutant in turn.
func roundRobin(xs []job) []job {
	byFile := map[string][]job{}
	var files []string
	for _, x := range xs {
		f := x.m.file
		if _, ok := byFile[f]; !ok {
			files = append(files, f)
		}
		byFile[f] = append(byFile[f], x)
	}
	var out []job
	for len(out) < len(xs) {
		for _, f := range files {
			if len(byFile[f]) > 0 {
				out = append(out, byFile[f][0])
				byFile[f] = byFile[f][1:]
			}
		}
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mutate:", err)
	os.Exit(1)
}
