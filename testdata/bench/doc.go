// Package bench times fbverify against the Firebase Admin SDK for Go,
// lestrrat-go/jwx, coreos/go-oidc and golang-jwt on the same token, and
// checks first that each of them accepts it and refuses a tampered and an
// expired one. It is a separate module so that none of those libraries
// becomes a dependency of fbverify itself. Run ./run.sh for the table.
package bench
