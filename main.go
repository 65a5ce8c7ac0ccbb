// Command bkjob is a job platform in one binary: run scripts and distribute
// files across fleets of hosts. See README.md.
package main

import (
	"os"

	"github.com/bkjob/bkjob/modules/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
