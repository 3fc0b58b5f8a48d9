package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/sgcheck/sgcheck/internal/gen"
)

// benchTree writes (once per size) a generated tree for the benchmarks.
func benchTree(b *testing.B, rules int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("sgcheck-bench-%d", rules))
	if _, err := os.Stat(dir); err != nil {
		tmp := dir + ".tmp"
		os.RemoveAll(tmp)
		if _, err := gen.Write(tmp, rules); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// parseFloor is the least any HCL scanner must do: read and parse every file.
func parseFloor(b *testing.B, dir string) time.Duration {
	start := time.Now()
	p := hclparse.NewParser()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".tf" {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if _, diags := p.ParseHCL(src, path); diags.HasErrors() {
			return diags
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// BenchmarkScan runs the whole scan (load, classify, policies, proofs, JSON
// report) on generated trees and reports its time against the hclparse
// floor measured in the same run (x-floor). Run:
//
//	go test ./cmd/sgcheck -run '^$' -bench Scan -benchtime 3x
func BenchmarkScan(b *testing.B) {
	tuneGC() // as main does
	for _, rules := range []int{10000, 20000, 50000, 100000} {
		b.Run(fmt.Sprintf("rules=%d", rules), func(b *testing.B) {
			dir := benchTree(b, rules)
			var floor, scan time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				floor += parseFloor(b, dir)
				start := time.Now()
				if code := run(context.Background(), []string{"--format", "json", "--fail-on", "none", dir}, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit %d", code)
				}
				scan += time.Since(start)
			}
			b.ReportMetric(float64(scan)/float64(floor), "x-floor")
			b.ReportMetric(scan.Seconds()/float64(b.N), "s/scan")
		})
	}
}
