// Package differential compares fbverify's decisions with the Firebase
// Admin SDK for Go on a corpus of valid and mutated tokens, offline. It is
// a nested module so the Admin SDK and its dependencies stay out of the
// root module. See differential_test.go.
package differential
