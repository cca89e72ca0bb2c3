// Package jwks provides the public keys that Firebase tokens are verified
// with: Google's key endpoints fetched and cached (Remote), or a fixed set
// loaded from bytes or a file for airgapped use (Static). Both are a
// KeySource, which gives the RSA public key for a key ID. The package knows
// nothing of claims: package verify decides which tokens to accept.
//
// # Endpoints and documents
//
// Google publishes the keys of Firebase ID tokens at IDTokenJWKSURL,
// https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com,
// as a JWK Set ({"keys":[{"kid":…,"n":…,"e":…},…]}), and the same keys at
// IDTokenX509URL as a map of key ID to PEM X.509 certificate. Session
// cookies' keys come only as such a map (SessionCookieX509URL), App Check's
// only as a JWK Set (AppCheckJWKSURL). A Remote tells the two shapes apart
// by content, so any of these URLs works. A document is refused whole
// (ErrInvalidKeySet) when it is not JSON of either shape, names a member
// twice in one object (so a key ID cannot be given two keys), holds a
// private key, or has no usable RSA key; keys outside MinKeyBits..MaxKeyBits
// or with an even public exponent or one below 3 are refused.
//
// # Fetching
//
// NewRemote does no network I/O. The first lookup, or Refresh, fetches;
// every caller that needs a fetch while one is in flight waits for that
// same request, so a thousand concurrent first requests cause one fetch.
// A fetch is bounded by RemoteOptions.FetchTimeout (10 s) and its body by
// MaxBodyBytes (1 MiB); redirects are not followed. Each caller's wait is
// bounded by its own context, and one caller giving up does not fail the
// others. RemoteOptions.OnFetch reports every fetch (status, keys, max-age,
// duration, error), for metrics.
//
// # Caching
//
// Fetched keys stay fresh for the response's Cache-Control max-age less
// its Age header, as Google sends it (a few hours), clamped to
// MinTTL..MaxTTL (1 minute to 24 hours by default): a response that claims
// ten days is fresh for one, and no-cache or no-store count as max-age=0,
// so MinTTL. Without max-age, keys are fresh for DefaultTTL (1 hour).
// Freshness is judged by RemoteOptions.Now, the clock the verifier is
// given too. A lookup of a fresh, known key takes no lock and allocates
// nothing.
//
// # Refreshing
//
// A lookup of a known key after its freshness ran out returns the cached
// key at once and starts one refresh behind it. A lookup of an unknown key
// ID starts one refresh and waits for it, unless a fetch started less than
// MinRefreshInterval (30 s) ago: then it fails at once with ErrUnknownKey.
// So a storm of tokens with made-up key IDs costs at most one request per
// interval, and a token of a key Google has served for at least that
// interval always finds it. A failed or unusable fetch keeps the last good
// keys. While there are no keys at all, a failed fetch is retried after
// 1 s, then 2 s, 4 s, … up to MinRefreshInterval, and lookups fail with
// ErrKeysUnavailable meanwhile.
//
// Google rotates keys every few hours: a new key is published before it
// signs, and an old one stays published for a while after its last token.
// With the rules above, a genuine token is refused only when the endpoint
// has not served its key, answering without fault, for the whole
// MinRefreshInterval before the token arrived: the key is newer than that,
// or the endpoint is failing, or recovered less than that ago.
//
// # Snapshot file
//
// RemoteOptions.SnapshotFile (verify.WithKeySnapshot) lets a service that
// restarts while the endpoint is unreachable still verify tokens. Every
// successful fetch writes the document, its URL, fetch time and max-age to
// the file, with mode 0600, through a temporary file in the same directory
// renamed over it, so a crash leaves the old file or the new one. At start
// the file is read as a fallback, never as the cache: its keys serve only
// while no fetch has succeeded since start and the first fetch has failed
// or has not answered within SnapshotWait (3 s). The first lookups wait for
// that fetch as they would without a file; when the endpoint answers, only
// its keys count, and the file's are dropped. A file fetched more than
// MaxTTL (24 h) ago, in the future, of another URL, too large, or failing
// any check a fetched document must pass is ignored with a warning.
//
// The file is trusted input. Whoever can write it, and can also keep the
// service from reaching Google (or slow Google's answer past SnapshotWait)
// at start-up, can put a key of their own in it and have the service
// accept the tokens they sign until a fetch succeeds. Keep the file in a
// directory that only the service's user can write, never on a volume
// shared with other services or users, and give each service its own
// file. A service that would rather refuse every token than trust a file
// during an outage leaves SnapshotFile empty.
//
// # Static keys
//
// NewStatic, ParseKeySet and LoadFile make a fixed KeySource, for tests and
// for airgapped services that ship a copy of Google's keys and replace it
// before the keys rotate out.
package jwks
