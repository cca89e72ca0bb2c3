package verify_test

import (
	"os"
	"strings"
	"testing"
)

// readmeGoBlocks returns the ```go blocks of the README section that
// starts with the heading.
func readmeGoBlocks(t *testing.T, heading string) [][]string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "\n"+heading+"\n")
	if start < 0 {
		t.Fatalf("README has no section %q", heading)
	}
	section := readme[start+1:]
	if end := strings.Index(section[len(heading):], "\n## "); end >= 0 {
		section = section[:len(heading)+end]
	}
	var blocks [][]string
	for _, part := range strings.Split(section, "```go\n")[1:] {
		code, _, ok := strings.Cut(part, "```")
		if !ok {
			t.Fatalf("section %q has an unclosed go block", heading)
		}
		blocks = append(blocks, strings.Split(strings.TrimSuffix(code, "\n"), "\n"))
	}
	if len(blocks) == 0 {
		t.Fatalf("section %q has no go block", heading)
	}
	return blocks
}

// Every line of the migration section's Go snippet stands, in order, in
// the example it says it is cut from, so the snippet compiles and runs.
func TestREADMEMigrationSnippetIsCutFromTheExample(t *testing.T) {
	src, err := os.ReadFile("migrate_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(src), "\n") {
		lines = append(lines, strings.TrimSpace(l))
	}
	for _, block := range readmeGoBlocks(t, "## Migrating from the Admin SDK") {
		at := 0
		for _, want := range block {
			want = strings.TrimSpace(want)
			found := false
			for ; at < len(lines); at++ {
				if lines[at] == want {
					found, at = true, at+1
					break
				}
			}
			if !found {
				t.Errorf("README line %q is not in migrate_example_test.go (in this order)", want)
				return
			}
		}
	}
}
