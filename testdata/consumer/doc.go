// Package consumer is the proof that a new user can install the framework
// adapters and the programs. TestStrangerInstallsEachProgram runs
// `go install <program>@v0.1.0` for the CLI, the demo and the forward-auth
// server outside any checkout and reads each binary's --version.
// TestStrangerInstallsEachAdapter publishes the root module and each adapter module,
// from the working tree, to a module proxy on the file system (zips made
// with golang.org/x/mod/zip, as a real proxy serves them), then, for each
// adapter, in a fresh module outside the repository and with an empty
// module cache, runs go get, go mod tidy and go build as a new user would,
// and runs the program: a server of the framework behind the adapter that
// serves one verified request on loopback. It also checks the consumer's
// module graph: our modules and the framework's own, nothing of the other
// frameworks, and the go line left at 1.25.
//
// After the file proxy, the consumers' GOPROXY lists the machine's module
// cache (its download directory has a proxy's layout; the test first
// fetches each adapter's dependencies into it, as that module's go test
// does anyway), then the machine's own proxy (go env GOPROXY): the
// frameworks are downloaded once, and each consumer's module cache starts
// empty. Builds use -trimpath so that the four consumers share the build
// cache. The test runs only when FBVERIFY_CONSUMER_TEST=1 (ci.sh sets
// it), since it downloads and builds four frameworks.
package consumer
