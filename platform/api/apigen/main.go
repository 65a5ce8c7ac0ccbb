// Command apigen writes a module's api_gen.go from its contract interface:
// the bus method names, the bus client, the bus handlers, the v3 routes and
// the list of declarations. A module runs it with
//
//	//go:generate go run github.com/bkjob/bkjob/platform/api/apigen -contract Full -module manage
//
// and a test (apigen's own, over every module) fails when a generated file
// is stale. The directives it reads are described in parse.go.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	contract := flag.String("contract", "Service", "the contract interface to generate from")
	module := flag.String("module", "", "the module's bus prefix (default: the package name)")
	dir := flag.String("dir", ".", "the package directory")
	client := flag.String("client", "Client", "the name of the generated bus client type")
	check := flag.Bool("check", false, "fail if the generated file differs instead of writing it")
	flag.Parse()
	if err := run(*dir, options{contract: *contract, module: *module, client: *client}, *check); err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(1)
	}
}

// options say what to generate from and how to name it.
type options struct {
	contract string // the contract interface
	module   string // the bus prefix; the package name when empty
	client   string // the bus client type; "Client" when empty
}

func run(dir string, o options, check bool) error {
	files, err := Generate(dir, o)
	if err != nil {
		return err
	}
	for _, f := range files {
		out := filepath.Join(dir, f.name)
		if check {
			old, err := os.ReadFile(out) //nolint:gosec // G304: the package directory go generate runs in
			if err != nil {
				return fmt.Errorf("read %s: %w", out, err)
			}
			if string(old) != string(f.src) {
				return fmt.Errorf("%s is stale: run go generate in %s", out, dir)
			}
			continue
		}
		if err := os.WriteFile(out, f.src, 0o644); err != nil { //nolint:gosec // G306: Go source is world-readable like its neighbours
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	return nil
}
