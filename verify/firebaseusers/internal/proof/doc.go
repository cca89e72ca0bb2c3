// Package proof holds the test that proves firebaseusers on real
// components: the Firebase Auth emulator (firebase-tools) with 2,500
// users, and PostgreSQL with two instances of a fleet. Run it with
// `bash ci.sh` in verify/firebaseusers, which starts both.
package proof
