// Command gen writes a synthetic Terraform tree for benchmarks:
//
//	go run ./internal/gen/gentree -rules 10000 -shape one-root -out /tmp/sgcheck-bench
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/sgcheck/sgcheck/internal/gen"
)

func main() {
	rules := flag.Int("rules", 10000, "number of security group rules")
	out := flag.String("out", "", "directory to write (must not exist)")
	shape := flag.String("shape", "stacks", "layout: stacks, one-root, one-file, flat, module, open, quiet or examples")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen: -out is required")
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil {
		fmt.Fprintf(os.Stderr, "gen: %s exists\n", *out)
		os.Exit(2)
	}
	known := false
	for _, s := range gen.Shapes {
		known = known || string(s) == *shape
	}
	if !known {
		fmt.Fprintf(os.Stderr, "gen: unknown shape %q\n", *shape)
		os.Exit(2)
	}
	n, err := gen.WriteShape(*out, *rules, gen.Shape(*shape))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("%d files, about %d rules, in %s\n", n, *rules, *out)
}
