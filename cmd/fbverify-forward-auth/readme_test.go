package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeConfigs are the configs in testdata whose marked part the README
// shows; identity is true for a proxy's, which must pass every identity
// header on.
var readmeConfigs = []struct {
	proxy, file, fence string
	identity           bool
}{
	{"nginx", "nginx-site.conf", "nginx", true},
	{"caddy", "Caddyfile", "caddyfile", true},
	{"traefik", "traefik.yml", "yaml", true},
	{"traefik-static", "traefik-static.yml", "yaml", false},
	{"envoy", "envoy.yaml", "yaml", true},
	{"policies", "policies.conf", "text", false},
	{"unit", "../fbverify-forward-auth.service", "ini", false},
	{"image", "../Containerfile", "dockerfile", false},
}

// TestReadmeSnippetsAreTheTestedConfigs checks that this program's README's proxy
// snippets are, line for line, the marked parts of the configs in testdata
// (which proxy_test.go runs for nginx, Caddy and Traefik), and that each
// proxy's config passes every identity header on.
func TestReadmeSnippetsAreTheTestedConfigs(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := fencedBlocks(string(readme))
	for _, c := range readmeConfigs {
		t.Run(c.proxy, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			part := markedPart(t, string(b), c.proxy)
			found := false
			for _, blk := range blocks[c.fence] {
				if blk == part {
					found = true
				}
			}
			if !found {
				t.Errorf("no ```%s block of README.md is testdata/%s's marked part:\n%s", c.fence, c.file, part)
			}
			for _, h := range identityHeaders {
				if !c.identity {
					break
				}
				if !strings.Contains(strings.ToLower(part), strings.ToLower(h)) {
					t.Errorf("testdata/%s does not pass %s on", c.file, h)
				}
			}
		})
	}
	n := 0
	for _, bs := range blocks {
		n += len(bs)
	}
	if n < len(readmeConfigs) {
		t.Errorf("README.md has %d config blocks, want at least %d", n, len(readmeConfigs))
	}
}

// markedPart returns the lines between "README <proxy>: begin" and
// "README <proxy>: end", with their common indentation removed.
func markedPart(t *testing.T, text, proxy string) string {
	t.Helper()
	var lines []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.Contains(line, "README "+proxy+": begin"):
			in = true
		case strings.Contains(line, "README "+proxy+": end"):
			return dedent(lines)
		case in:
			lines = append(lines, strings.TrimRight(line, " \t"))
		}
	}
	t.Fatalf("no README markers for %s", proxy)
	return ""
}

// dedent removes the indentation that every non-blank line shares.
func dedent(lines []string) string {
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if common < 0 || n < common {
			common = n
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) >= common && common > 0 {
			l = l[common:]
		}
		out[i] = l
	}
	return strings.Trim(strings.Join(out, "\n"), "\n")
}

// fencedBlocks returns the fenced code blocks of text by their language.
func fencedBlocks(text string) map[string][]string {
	blocks := map[string][]string{}
	var lang string
	var cur []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case !in && strings.HasPrefix(trimmed, "```") && len(trimmed) > 3:
			in, lang, cur = true, trimmed[3:], nil
		case in && trimmed == "```":
			in = false
			blocks[lang] = append(blocks[lang], strings.Trim(strings.Join(cur, "\n"), "\n"))
		case in:
			cur = append(cur, strings.TrimRight(line, " \t"))
		}
	}
	return blocks
}
