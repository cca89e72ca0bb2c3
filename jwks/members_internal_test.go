package jwks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// repeatedMembersReference is a slow, obviously right version of
// checkNoRepeatedMembers: it walks the document with encoding/json's
// tokenizer and compares each member name with every earlier one of its
// object by strings.EqualFold-like folding through foldName.
func repeatedMembersReference(data []byte) bool {
	type frame struct {
		names     []string
		object    bool
		expectKey bool
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []*frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expectKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			return false
		}
		if n := len(stack); n > 0 && stack[n-1].expectKey {
			if tok == json.Delim('}') {
				stack = stack[:n-1]
				valueDone()
				continue
			}
			name := tok.(string)
			for _, earlier := range stack[n-1].names {
				if string(foldName(nil, earlier)) == string(foldName(nil, name)) {
					return true
				}
			}
			stack[n-1].names = append(stack[n-1].names, name)
			stack[n-1].expectKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, expectKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}

// FuzzRepeatedMembers: on any valid JSON, the linear check agrees with the
// reference; on anything at all, it does not panic.
func FuzzRepeatedMembers(f *testing.F) {
	for _, path := range []string{"../testdata/jwks.json", "../testdata/x509.json"} {
		doc, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc)
	}
	for _, seed := range []string{
		`{"a":1,"a":2}`, `{"a":1,"A":2}`, `{"a":{"a":1},"b":[{"a":1},{"a":2}]}`,
		`{"k":"x","\u006b":"y"}`, `{"\u212a":1,"k":2}`, `{"ſ":1,"S":2}`, `{"a\"b":1,"a\"B":2}`,
		`{"a":"\"","a\\":1}`, `[{"x":1},{"x":1}]`, `{"":1,"":2}`, `{"a":[1,{"b":2,"c":{"b":3}}],"b":4}`,
		`{"\ud83d\ude00":1,"\ud83d\ude00":2}`, `{"é":1,"É":2}`, `"just a string"`, `{"a":1`, `{{{`,
		`{"keys":[{"kid":"a"}],"keys":[]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := checkNoRepeatedMembers(data)
		if err != nil && !errors.Is(err, ErrInvalidKeySet) {
			t.Fatalf("error %v does not wrap ErrInvalidKeySet", err)
		}
		if !json.Valid(data) {
			return
		}
		if want := repeatedMembersReference(data); (err != nil) != want {
			t.Fatalf("check says repeated=%v (%v), reference says %v, for %q", err != nil, err, want, data)
		}
	})
}

// BenchmarkRepeatCheckShare pairs ParseKeySet with the repeated-member
// check alone on Google-shaped documents, to show what the check adds.
func BenchmarkRepeatCheckShare(b *testing.B) {
	for _, name := range []string{"jwks.json", "x509.json"} {
		doc, err := os.ReadFile("../testdata/" + name)
		if err != nil {
			b.Fatal(err)
		}
		// Three keys, as Google publishes during a rotation.
		doc3 := threeKeys(b, doc)
		b.Run(strings.TrimSuffix(name, ".json")+"/parse", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseKeySet(doc3); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(strings.TrimSuffix(name, ".json")+"/check", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := checkNoRepeatedMembers(doc3); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// threeKeys turns a one-key document into a three-key one with distinct
// kids (the same key under each).
func threeKeys(b *testing.B, doc []byte) []byte {
	b.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		b.Fatal(err)
	}
	if raw, ok := m["keys"]; ok {
		var list []map[string]any
		if err := json.Unmarshal(raw, &list); err != nil {
			b.Fatal(err)
		}
		for _, kid := range []string{"second", "third"} {
			k := map[string]any{}
			for n, v := range list[0] {
				k[n] = v
			}
			k["kid"] = kid
			list = append(list, k)
		}
		out, _ := json.Marshal(map[string]any{"keys": list})
		return out
	}
	for kid, cert := range m {
		m[kid+"-2"], m[kid+"-3"] = cert, cert
		break
	}
	out, _ := json.Marshal(m)
	return out
}

// BenchmarkRepeatCheckLinear: the check on one object of n distinct
// members of one length and first letter (the shape a pairwise
// comparison is slowest on), n growing 4x per step: the time should too.
func BenchmarkRepeatCheckLinear(b *testing.B) {
	for _, n := range []int{4096, 16384, 65536} {
		var sb strings.Builder
		sb.WriteByte('{')
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `"k%07d":0`, i)
		}
		sb.WriteByte('}')
		doc := []byte(sb.String())
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if err := checkNoRepeatedMembers(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestRepeatedMembersAfterAnEscapedQuote: an escaped quote inside a value
// does not end the string, so the names after it are still read as names
// and a repeated kid is still found.
func TestRepeatedMembersAfterAnEscapedQuote(t *testing.T) {
	for _, doc := range []string{
		`{"a":"x\"","kid":"k1","kid":"k2"}`,
		`{"a":"x\\\"","kid":"k1","KID":"k2"}`,
		`{"keys":[{"x":"\"","kid":"k1","n":"AQAB","kid":"k2"}]}`,
		`{"\"":1,"kid":"k1","kid":"k2"}`,
	} {
		err := checkNoRepeatedMembers([]byte(doc))
		if !errors.Is(err, ErrInvalidKeySet) || !strings.Contains(err.Error(), `member "`) || !strings.Contains(err.Error(), "appears twice") {
			t.Errorf("%s: err = %v, want a repeated member", doc, err)
		}
	}
	if err := checkNoRepeatedMembers([]byte(`{"a":"x\"","kid":"k1","b":"\\","c":"\"kid\""}`)); err != nil {
		t.Errorf("no repeated member: err = %v", err)
	}
}

// TestRepeatedMembersBesideArrays: strings in an array are values, never
// names, however many commas separate them.
func TestRepeatedMembersBesideArrays(t *testing.T) {
	if err := checkNoRepeatedMembers([]byte(`{"x5c":["a","b","a"],"kid":"k1","alg":["a","a"]}`)); err != nil {
		t.Errorf("repeated array elements: err = %v, want none", err)
	}
	if err := checkNoRepeatedMembers([]byte(`{"x5c":["a","b"],"kid":"k1","kid":"k2"}`)); !errors.Is(err, ErrInvalidKeySet) {
		t.Errorf("a repeated kid after an array: err = %v, want ErrInvalidKeySet", err)
	}
}
