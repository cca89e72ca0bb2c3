package verify_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestMarkdownSnippetsAreCutFromTestedCode holds every Go snippet of every
// Markdown file of the repository (the README, each program's and module's
// README, the guides under .github) to the code it says it is cut from:
// each ```go block follows a line "<!-- from PATH -->" naming a file of the
// repository (compiled and tested by .ci/run, in this module or a nested
// one), and each of the block's lines stands in that file, in the same
// order. A renamed option or a changed signature then fails here instead of
// in a reader's editor. A block may call only exported names, builtins and
// what it declares itself, so that it compiles when pasted.
func TestMarkdownSnippetsAreCutFromTestedCode(t *testing.T) {
	files := markdownFiles(t, "..")
	blocks := 0
	for _, md := range files {
		b, err := os.ReadFile(md)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(filepath.ToSlash(md), "../")
		lines := strings.Split(string(b), "\n")
		for i := 0; i < len(lines); i++ {
			if !strings.HasPrefix(lines[i], "```go") {
				continue
			}
			blocks++
			start := i + 1
			end := start
			for end < len(lines) && !strings.HasPrefix(lines[end], "```") {
				end++
			}
			if end == len(lines) {
				t.Fatalf("%s line %d: unclosed go block", name, i+1)
			}
			path, ok := snippetSource(lines[:i])
			if !ok {
				t.Errorf("%s line %d: go block without a <!-- from PATH --> line before it", name, i+1)
			} else if missing, err := notCutFrom(lines[start:end], "../"+path); err != nil {
				t.Errorf("%s line %d: %v", name, i+1, err)
			} else if missing != "" {
				t.Errorf("%s line %d: %q is not in %s (in this order)", name, i+1, missing, path)
			}
			if f := unexportedCalls(lines[start:end]); len(f) > 0 {
				t.Errorf("%s line %d: the block calls %v, which a reader cannot call", name, i+1, f)
			}
			i = end
		}
	}
	if blocks < 16 {
		t.Errorf("found %d go blocks in %d Markdown files, want at least 16", blocks, len(files))
	}
}

// markdownFiles lists the *.md files below root, leaving out what is not
// the repository's own (node_modules, .git).
func markdownFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("found %d Markdown files below %s", len(files), root)
	}
	return files
}

// callRE finds a call of a name that no package qualifies.
var callRE = regexp.MustCompile(`(^|[^.\w])([a-z_]\w*)\(`)

// goWords are Go's keywords and builtins that read like calls.
var goWords = map[string]bool{
	"func": true, "if": true, "for": true, "switch": true, "return": true, "go": true, "defer": true,
	"append": true, "cap": true, "clear": true, "close": true, "copy": true, "delete": true, "len": true,
	"make": true, "max": true, "min": true, "new": true, "panic": true, "print": true, "println": true,
	"recover": true, "string": true, "byte": true, "int": true, "int64": true, "float64": true, "any": true,
	"error": true, "rune": true, "bool": true, "uint64": true, "select": true, "case": true,
}

// unexportedCalls lists the unqualified lower-case names a block calls
// without declaring them: private helpers of the file it was cut from.
func unexportedCalls(block []string) []string {
	text := strings.Join(block, "\n")
	declared := map[string]bool{}
	for _, l := range block {
		l = strings.TrimSpace(l)
		if name, ok := strings.CutPrefix(l, "func "); ok {
			if i := strings.IndexAny(name, "(["); i > 0 {
				declared[name[:i]] = true
			}
		}
		if lhs, _, ok := strings.Cut(l, ":="); ok {
			for _, n := range strings.Split(lhs, ",") {
				declared[strings.TrimSpace(n)] = true
			}
		}
		if rest, ok := strings.CutPrefix(l, "var "); ok {
			declared[strings.Fields(rest)[0]] = true
		}
	}
	var out []string
	for _, m := range callRE.FindAllStringSubmatch(text, -1) {
		name := m[2]
		if !goWords[name] && !declared[name] && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// snippetSource returns the PATH of the last non-blank line before a
// block if it reads <!-- from PATH -->.
func snippetSource(before []string) (string, bool) {
	for i := len(before) - 1; i >= 0; i-- {
		l := strings.TrimSpace(before[i])
		if l == "" {
			continue
		}
		path, ok := strings.CutPrefix(l, "<!-- from ")
		path, ok2 := strings.CutSuffix(path, " -->")
		return path, ok && ok2 && path != ""
	}
	return "", false
}

// notCutFrom returns the first line of block (compared without leading
// and trailing space) that does not stand in the file after the lines
// before it, or "" if all do.
func notCutFrom(block []string, file string) (string, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var have []string
	for _, l := range strings.Split(string(src), "\n") {
		have = append(have, strings.TrimSpace(l))
	}
	at := 0
	for _, want := range block {
		want = strings.TrimSpace(want)
		if want == "" {
			continue
		}
		for at < len(have) && have[at] != want {
			at++
		}
		if at == len(have) {
			return want, nil
		}
		at++
	}
	return "", nil
}

// A snippet line that is not in its file, or a block with no source, is
// reported: the check above can fail.
func TestREADMESnippetCheckCatchesDrift(t *testing.T) {
	block := []string{"v, err := verify.New(\"my-project\")", "defer v.Close()"}
	if missing, err := notCutFrom(block, "entrypoints_example_test.go"); err != nil || missing != "" {
		t.Fatalf("lines of ExampleNew: missing %q, %v", missing, err)
	}
	drifted := []string{"defer v.Close()", "v, err := verify.New(\"my-project\")"}
	if missing, _ := notCutFrom(drifted, "entrypoints_example_test.go"); missing == "" {
		t.Error("lines out of order were accepted")
	}
	renamed := []string{"v, err := verify.New(\"my-project\", verify.WithKind(verify.SessionCookie))"}
	if missing, _ := notCutFrom(renamed, "entrypoints_example_test.go"); missing == "" {
		t.Error("a line in no file was accepted")
	}
	if _, ok := snippetSource([]string{"Some text.", ""}); ok {
		t.Error("a block without a source line was accepted")
	}
	private := []string{"header, payload := decodeSegments(t, token)", "tok, err := v.Verify(ctx, token)"}
	if got := unexportedCalls(private); !slices.Equal(got, []string{"decodeSegments"}) {
		t.Errorf("unexportedCalls = %v, want [decodeSegments]", got)
	}
	own := []string{"check := func(uid string) {}", "check(\"alice\")", "fmt.Println(len(os.Args))"}
	if got := unexportedCalls(own); len(got) != 0 {
		t.Errorf("unexportedCalls of a block that declares what it calls = %v, want none", got)
	}
}
