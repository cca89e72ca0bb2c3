package hybrid_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadmeSnippetsAreThisModulesCode checks that every go and sql block of
// the README's section is, line for line (indentation aside), consecutive
// lines of one Go file here, so that the walk-through cannot drift from the
// code these tests run. It needs no database.
func TestReadmeSnippetsAreThisModulesCode(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := fencedBlocks(string(readme), "go", "sql")
	if len(blocks) < 5 {
		t.Fatalf("found %d go and sql blocks in README.md, want at least 5", len(blocks))
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var sources [][]string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, trimmedLines(string(b)))
	}
	for _, block := range blocks {
		found := false
		for _, src := range sources {
			if hasRun(src, block) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("this README snippet is not in the module's code:\n%s", strings.Join(block, "\n"))
		}
	}
}

// fencedBlocks returns the trimmed lines of each fenced block of the given
// languages.
func fencedBlocks(text string, langs ...string) [][]string {
	var blocks [][]string
	var cur []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case !in && strings.HasPrefix(l, "```"):
			for _, lang := range langs {
				if l == "```"+lang {
					in, cur = true, nil
				}
			}
		case in && l == "```":
			in = false
			blocks = append(blocks, cur)
		case in && l != "":
			cur = append(cur, l)
		}
	}
	return blocks
}

func trimmedLines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if l := strings.TrimSpace(line); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// hasRun reports whether want occurs as consecutive lines of src.
func hasRun(src, want []string) bool {
	for i := 0; i+len(want) <= len(src); i++ {
		if slices.Equal(src[i:i+len(want)], want) {
			return true
		}
	}
	return false
}
