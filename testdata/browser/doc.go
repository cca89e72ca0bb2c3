// Package browser holds the browser test of fbverify-demo's token
// inspector: it builds the demo from this checkout, drives headless
// Chromium (Debian's package) through chromedp, and saves a screenshot of
// each state. Run it with `bash ci.sh` in this directory.
package browser
