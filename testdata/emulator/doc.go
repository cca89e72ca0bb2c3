// Package emulator holds the integration test that runs fbverify against
// the real Firebase Auth emulator (firebase-tools, pinned in
// package-lock.json). Run it with `bash ci.sh` in this directory.
package emulator
