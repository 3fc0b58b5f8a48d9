// Command sgcheck analyses AWS security groups and network ACLs: it tells
// which rules admit tracked flows, which revocations will not cut live
// traffic and for how long, and proves each claim in a simulator.
package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/sgcheck/sgcheck/loader/terraform"
)

// version is set at build time with -ldflags "-X main.version=…" (release
// builds); otherwise toolVersion reads the module's build information.
var version = ""

// devVersion names a build from a source tree.
const devVersion = "0.1.0-dev"

// toolVersion is the version reports and --version print: the stamped
// one; else the module version `go install …@vX` records; else, for a
// build from a checkout, the development version with its commit.
func toolVersion() string {
	if version != "" {
		return version
	}
	return versionFrom(debug.ReadBuildInfo())
}

func versionFrom(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return devVersion
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return strings.TrimPrefix(v, "v")
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	switch {
	case rev != "" && dirty:
		return devVersion + "+" + rev + ".dirty"
	case rev != "":
		return devVersion + "+" + rev
	}
	return devVersion
}

// Exit codes.
const (
	exitClean    = 0
	exitFindings = 1
	exitError    = 2
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// tuneGC trades memory for time: a scan allocates a lot of short-lived
// parser garbage, so the collector runs rarely (GOGC=800), and the soft
// memory limit (limitMemory) bounds what that costs in memory: on the
// 10k-rule trees of BenchmarkScan this is 10–20 % less CPU than GOGC=200
// within the same peak. GOGC in the environment still wins.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(800)
	}
}

// memoryFloor and memoryPerInputByte set the soft memory limit a run keeps
// to (debug.SetMemoryLimit): the Go runtime collects more often as it
// nears it, instead of letting GOGC=200 triple the heap. A scan's live heap
// is 25–40 times its input's size (BenchmarkScan), so 48 times leaves room
// without making the collector run constantly; small inputs get the floor.
const (
	memoryFloor        = 140 << 20
	memoryPerInputByte = 48
)

// limitMemory sets the soft memory limit for inputs under paths (their
// configuration and JSON files' sizes), read sides times (2 for --plan,
// which loads a second configuration of about the same size; pairedSides
// for the paired loads of --base and diff), unless GOMEMLIMIT is set; then
// it backs the part of the heap the run is expected to use with huge pages
// where the system offers them (warmHeap).
func limitMemory(paths []string, sides int) {
	size := inputSize(paths)
	limit := debug.SetMemoryLimit(-1) // GOMEMLIMIT's, or none
	if os.Getenv("GOMEMLIMIT") == "" {
		limit = max(memoryFloor, memoryPerInputByte*size*int64(sides))
		debug.SetMemoryLimit(limit)
	}
	warmHeap(warmSize(size*int64(sides), limit))
}

// inputSize is the size of the configuration, JSON and variable files
// the loader reads under paths.
func inputSize(paths []string) int64 {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var size int64
	for _, p := range paths {
		root := terraform.WalkRoot(p)
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				// what the loader reads: hidden directories are skipped, but
				// .terraform holds the modules terraform init downloaded
				if n := d.Name(); path != root && (n == "node_modules" || (strings.HasPrefix(n, ".") && n != ".terraform")) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(path, ".tf") || strings.HasSuffix(path, ".tofu") || strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".tfvars") {
				if info, err := d.Info(); err == nil {
					size += info.Size()
				}
			}
			return nil
		})
	}
	return size
}

// run is the whole command, testable without a process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	tuneGC()
	if len(args) > 0 {
		switch args[0] {
		case "diff":
			return runDiff(ctx, args[1:], stdout, stderr)
		case "simulate":
			return runSimulate(ctx, args[1:], stdout, stderr)
		case "explain":
			return runExplain(ctx, args[1:], stdout, stderr)
		case "rules":
			return runRules(ctx, args[1:], stdout, stderr)
		case "help":
			return runScan(ctx, []string{"--help"}, stdout, stderr)
		case "version":
			if len(args) == 1 {
				fmt.Fprintf(stdout, "sgcheck %s\n", toolVersion())
				return exitClean
			}
		}
	}
	return runScan(ctx, args, stdout, stderr)
}

func usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "sgcheck: "+format+"\n", args...)
	fmt.Fprintln(stderr, "Run 'sgcheck --help' for usage.")
	return exitError
}
