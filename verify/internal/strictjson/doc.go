// Package strictjson is the JSON grammar behind the token parser of
// package claimcheck: a single pass over one JSON object that checks the
// full grammar of RFC 8259 and the strictness a token needs, and hands
// each member to a caller that reads the values it knows.
//
// # What is refused
//
//   - Anything but one object, after optional white space, followed by
//     nothing but white space.
//   - A string that is not valid UTF-8, or has a control character or a
//     bad escape.
//   - A number that is not JSON, or beyond float64's range (1e400): Go's
//     encoding/json could not decode it into an interface value.
//   - A key repeated in one object, where keys are compared under the
//     case folding encoding/json applies to field names
//     (strings.EqualFold: "aud" and "AUD" are the same key, and so are
//     "kid" and "\u212aid", spelled with the Kelvin sign). Two
//     readers that disagree on which of two "aud" members wins is a
//     classic way to smuggle a claim past a verifier.
//   - A key that folds to one of the caller's names without being spelled
//     exactly like it ("Aud" where "aud" is read).
//   - Nesting deeper than MaxDepth, an object of more than MaxMembers
//     members, or more than MaxValues members and array elements in all.
//
// # Cost
//
// Every check costs time in proportion to the bytes it reads, whatever the
// input: keys are compared through a hash of their folded form, seeded at
// start-up so that no one can choose keys that collide, and folding looks
// runes up in a table built once. The limits bound the work a refusal can
// take before the RSA check, the step a forged token cannot skip.
//
// The code is plain on purpose: it reads bytes one at a time through
// bounds-checked indexes, with no word-at-a-time tricks and no unsafe.
// The whole parse of a genuine payload is about 3% of a verification's
// instructions (about 12,400 of 421,000), most of which is the RSA check.
//
// So the rule for this package is: no speed work on the parser unless it
// lowers an attacker's ceiling (the costliest input a verifier can be
// sent, bounded by package verify's BenchmarkGates) or saves at least 2%
// of a verification, measured as instructions with callgrind on a
// benchmark binary (GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind
// --toggle-collect='*Verifier).Verify' ...) and as time with paired
// benchmarks. The few shortcuts kept each hold a bound of BenchmarkGates:
// a key is checked, unescaped and folded in one pass over its bytes, with
// two- and three-byte runes folded where they are read (a forged token
// filled with keys of such runes cost 2.6 verifications when keys were
// checked in one pass and folded in another, 2.0 to 2.3 now); plain
// string bytes are read in a tight loop; an
// object's lone key is left unhashed; and numbers at float64's edge are
// compared digit by digit. Everything else the earlier, faster parser did
// (reading eight bytes at a time, claim names matched by word compares,
// NumericDates read eight digits at a time) saved less than 2% of a
// verification together, and was dropped.
//
// # Files
//
// decoder.go holds the Decoder, its limits and errors; object.go objects
// and the values skipped; key.go keys, read and folded, and the names a
// caller reads; fold.go the fold table and the set of folded keys;
// string.go strings and escapes; number.go numbers; typed.go the readers of
// typed members, which record a value of the wrong JSON type as
// encoding/json words it.
package strictjson
