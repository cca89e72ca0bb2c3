// Command fbverify verifies, decodes and mints Firebase ID tokens and
// session cookies from the command line, offline if given a key file.
//
// Run "fbverify help" for the subcommands and "fbverify <command> --help"
// for each one's flags and examples.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
