package verify_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/fbverify/fbverify/verify"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// TestProjectIDsAreChecked gives each constructor that takes a project ID
// the good and the bad ones: a bad one is refused at once, with
// ErrInvalidProjectID and a message that says what to do.
func TestProjectIDsAreChecked(t *testing.T) {
	good := []string{
		"my-project", "demo-fbverify", "a12345", "abcdef", "a-b-c-d-e-f",
		"a23456789012345678901234567890", // 30 characters
		"example.com:my-project", "google.com:project-1", "a.b.example:abcdef",
	}
	bad := []struct{ id, says string }{
		{"", "empty project ID"},
		{"my-project\n", "trailing newline"},
		{"my-project\r\n", "white space or a control character"},
		{" my-project", "white space"},
		{"my project", "white space"},
		{"my-project\t", "white space"},
		{"my-\x00project", "control character"},
		{"my-project\u00a0", "white space"},
		{"123456789012", "looks like a project number; use the project ID"},
		{"0", "project number"},
		{"https://securetoken.google.com/my-project", "looks like a URL or an issuer"},
		{"securetoken.google.com/my-project", "URL or an issuer"},
		{"projects/my-project", "URL or an issuer"},
		{"My-Project", "lower case"},
		{"abc", "3 characters long"},
		{"abcde", "5 characters long"},
		{"a234567890123456789012345678901", "31 characters long"},
		{"1project", `starts with '1'`},
		{"-project", `starts with '-'`},
		{"my-project-", "ends with a hyphen"},
		{"my_project", `contains '_'`},
		{"my.project", `contains '.'`},
		{"mý-project", "contains"},
		{"example.com:", "0 characters long"},
		{":my-project", "is not a domain name"},
		{"com:my-project", "is not a domain name"},
		{"exa_mple.com:my-project", "is not a domain name"},
		{"-example.com:my-project", "is not a domain name"},
		{"example..com:my-project", "is not a domain name"},
		{"example.com:my-project:x", `contains ':'`},
		{"example.com:1abcdef", "starts with"},
	}
	signer := verifytest.NewSigner("my-project")
	keys := verify.WithKeySource(signer.KeySource())
	constructors := []struct {
		name string
		make func(id string) error
	}{
		{"New", func(id string) error { _, err := verify.New(id, keys); return err }},
		{"CheckProjectID", verify.CheckProjectID},
		{"WithExtraProjects", func(id string) error {
			_, err := verify.New("my-project", keys, verify.WithExtraProjects(id))
			return err
		}},
		{"NewAppCheck", func(id string) error {
			_, err := verify.NewAppCheck(verify.AppCheckProject{Number: "123456789012", ID: id}, keys)
			return err
		}},
	}
	for _, c := range constructors {
		t.Run(c.name, func(t *testing.T) {
			for _, id := range good {
				if err := c.make(id); err != nil {
					t.Errorf("%q: %v", id, err)
				}
			}
			for _, b := range bad {
				if c.name == "NewAppCheck" && b.id == "" {
					continue // the project ID is optional there
				}
				err := c.make(b.id)
				if !errors.Is(err, verify.ErrInvalidProjectID) || !strings.Contains(err.Error(), b.says) {
					t.Errorf("%q: %v, want ErrInvalidProjectID saying %q", b.id, err, b.says)
				}
			}
		})
	}
	if _, err := verify.NewAppCheck(verify.AppCheckProject{Number: "123456789012"}, keys); err != nil {
		t.Errorf("NewAppCheck without a project ID: %v", err)
	}
}
