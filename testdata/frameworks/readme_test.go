package frameworks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// section is the README section whose snippets this module and the
// adapter modules back.
const (
	sectionStart = "<!-- section: frameworks (issue 7) -->"
	sectionEnd   = "<!-- section:"
)

// sourceDirs are the directories whose Go files the snippets are cut
// from: this module (net/http, chi, gorilla/mux, echo) and the adapter
// modules, read as files (a module cannot import another's tests).
var sourceDirs = []string{
	".",
	"../../verify/ginauth",
	"../../verify/fiberauth",
	"../../verify/grpcauth",
	"../../verify/connectauth",
}

// TestReadmeSnippetsAreTested checks that every Go block of the README's
// framework section appears, line by line and in order, in one Go file of
// sourceDirs (leading and trailing blanks aside), so the README cannot
// drift from the tested code.
func TestReadmeSnippetsAreTested(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlocks(t, string(readme))
	if len(blocks) < 8 {
		t.Fatalf("found %d Go blocks in the section, want one per framework (8)", len(blocks))
	}
	sources := goSources(t)
	for _, block := range blocks {
		name := block[0]
		t.Run(name, func(t *testing.T) {
			for _, src := range sources {
				if containsLines(src, block) {
					return
				}
			}
			t.Errorf("this README snippet is in no Go file of %v:\n%s", sourceDirs, strings.Join(block, "\n"))
		})
	}
}

// goBlocks returns the trimmed lines of each ```go block of the section.
func goBlocks(t *testing.T, readme string) [][]string {
	t.Helper()
	_, after, ok := strings.Cut(readme, sectionStart)
	if !ok {
		t.Fatalf("README has no %q", sectionStart)
	}
	section, _, _ := strings.Cut(after, sectionEnd)
	var blocks [][]string
	var cur []string
	in := false
	for _, line := range strings.Split(section, "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```go":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			if len(cur) > 0 {
				blocks = append(blocks, cur)
			}
		case in && strings.TrimSpace(line) != "":
			cur = append(cur, strings.TrimSpace(line))
		}
	}
	if in {
		t.Fatal("README: unclosed ```go block in the section")
	}
	return blocks
}

// goSources returns the trimmed, non-blank lines of every Go file under
// sourceDirs.
func goSources(t *testing.T) [][]string {
	t.Helper()
	var sources [][]string
	for _, dir := range sourceDirs {
		sources = append(sources, goSourcesIn(t, dir)...)
	}
	return sources
}

// goSourcesIn returns the trimmed, non-blank lines of every Go file under
// dir.
func goSourcesIn(t *testing.T, dir string) [][]string {
	t.Helper()
	var sources [][]string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var lines []string
		for _, line := range strings.Split(string(b), "\n") {
			if s := strings.TrimSpace(line); s != "" {
				lines = append(lines, s)
			}
		}
		sources = append(sources, lines)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sources
}

// containsLines reports whether want occurs as consecutive lines of src.
func containsLines(src, want []string) bool {
	for i := 0; i+len(want) <= len(src); i++ {
		match := true
		for j := range want {
			if src[i+j] != want[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
