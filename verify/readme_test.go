package verify_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMESnippetsAreCutFromTestedCode holds every Go snippet of the
// README to the code it says it is cut from: each ```go block follows a
// line "<!-- from PATH -->" naming a file of the repository (compiled and
// tested by .ci/run, in this module or a nested one), and each of the
// block's lines stands in that file, in the same order. A renamed option
// or a changed signature then fails here instead of in a reader's editor.
func TestREADMESnippetsAreCutFromTestedCode(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	blocks := 0
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
			t.Fatalf("README line %d: unclosed go block", i+1)
		}
		path, ok := snippetSource(lines[:i])
		if !ok {
			t.Errorf("README line %d: go block without a <!-- from PATH --> line before it", i+1)
		} else if missing, err := notCutFrom(lines[start:end], "../"+path); err != nil {
			t.Errorf("README line %d: %v", i+1, err)
		} else if missing != "" {
			t.Errorf("README line %d: %q is not in %s (in this order)", i+1, missing, path)
		}
		i = end
	}
	if blocks < 19 {
		t.Errorf("found %d go blocks in the README, want at least 19", blocks)
	}
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
}
