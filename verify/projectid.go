package verify

import (
	"fmt"
	"strings"
	"unicode"
)

// CheckProjectID returns why id cannot be a Google Cloud (Firebase)
// project ID, wrapping ErrInvalidProjectID, or nil: the check New,
// NewSessionCookieVerifier and WithExtraProjects make, for a program that
// takes a project ID for another use (a test token minter, say) and should
// refuse what a verifier would.
func CheckProjectID(id string) error { return checkProjectID(id) }

// checkProjectID returns why id cannot be a Google Cloud (Firebase) project
// ID, wrapping ErrInvalidProjectID, or nil. A project ID is 6 to 30
// lower-case letters, digits and hyphens, starting with a letter and not
// ending with a hyphen; older projects may carry a domain before a colon,
// as in "example.com:my-project". Anything else would only ever fail every
// token with invalid_audience, so it is refused when the verifier is made,
// with a hint for the usual slips: a project number, an issuer URL, a
// trailing newline from a file or a mounted secret.
func checkProjectID(id string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidProjectID, id, fmt.Sprintf(format, args...))
	}
	switch {
	case id == "":
		return fmt.Errorf("%w: empty project ID", ErrInvalidProjectID)
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return bad("it contains white space or a control character (a trailing newline from a file or a mounted secret?); trim it")
	case strings.Contains(id, "://") || strings.Contains(id, "/"):
		return bad("that looks like a URL or an issuer; pass only the project ID, such as the part after %q", "securetoken.google.com/")
	case strings.Trim(id, "0123456789") == "":
		return bad("that looks like a project number; use the project ID (Firebase console, Project settings)")
	case strings.ToLower(id) != id:
		return bad("project IDs are lower case")
	}
	domain, name, scoped := strings.Cut(id, ":")
	if !scoped {
		name = domain
	} else if err := checkDomain(domain); err != "" {
		return bad("the domain before ':' %s", err)
	}
	if err := checkProjectName(name); err != "" {
		return bad("%s (a project ID is 6 to 30 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen)", err)
	}
	return nil
}

// checkProjectName returns what is wrong with a project ID without its
// domain, or "".
func checkProjectName(name string) string {
	switch {
	case len(name) < 6 || len(name) > 30:
		return fmt.Sprintf("it is %d characters long", len(name))
	case name[0] < 'a' || name[0] > 'z':
		return fmt.Sprintf("it starts with %q", name[0])
	case name[len(name)-1] == '-':
		return "it ends with a hyphen"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return fmt.Sprintf("it contains %q", c)
		}
	}
	return ""
}

// checkDomain returns what is wrong with the domain of a domain-scoped
// project ID, or "": it must be a DNS name of at least two labels.
func checkDomain(domain string) string {
	labels := strings.Split(domain, ".")
	if len(domain) > 253 || len(labels) < 2 {
		return "is not a domain name"
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "is not a domain name"
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return "is not a domain name"
			}
		}
	}
	return ""
}
