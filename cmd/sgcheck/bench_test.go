package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/sgcheck/sgcheck/internal/gen"
)

// benchTree writes (once per shape and size) a generated tree for the
// benchmarks, in the temporary directory; nothing generated is committed.
func benchTree(b *testing.B, shape gen.Shape, rules int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("sgcheck-bench-%s-%d", shape, rules))
	if _, err := os.Stat(dir); err != nil {
		tmp := dir + ".tmp"
		os.RemoveAll(tmp)
		if _, err := gen.WriteShape(tmp, rules, shape); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// cost is what one run took: wall time, CPU time (user and system, every
// thread of the process) and the peak of the memory the Go runtime held
// from the operating system.
type cost struct {
	wall, cpu time.Duration
	peak      uint64
}

// measure runs f once, after a collection, sampling memory every 2 ms,
// with Go's default collector settings (GOGC=100, no memory limit): the
// floor runs as a plain program would; a scan sets its own (run does).
func measure(f func()) cost {
	debug.SetMemoryLimit(math.MaxInt64)
	debug.SetGCPercent(100)
	runtime.GC()
	debug.FreeOSMemory()
	samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	held := func() uint64 {
		metrics.Read(samples)
		return samples[0].Value.Uint64() - samples[1].Value.Uint64()
	}
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			h := held()
			mu.Lock()
			peak = max(peak, h)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	cpu0, start := processCPU(), time.Now()
	f()
	c := cost{wall: time.Since(start), cpu: processCPU() - cpu0}
	close(done)
	wg.Wait()
	c.peak = max(peak, held())
	return c
}

// parseFloor is the least any HCL scanner must do: read and parse every file.
func parseFloor(b *testing.B, dir string) {
	if err := parseTree(dir); err != nil {
		b.Fatal(err)
	}
}

func parseTree(dir string) error {
	p := hclparse.NewParser()
	return filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
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
}

// childJob, in the environment of the test binary started again by a
// benchmark or a test, makes that process one job (runChild): "scan" runs
// sgcheck with the arguments as the command does, "floor" parses the tree
// the argument names, and moreChildJobs has the others.
const childJob = "SGCHECK_BENCH_CHILD"

// moreChildJobs are the jobs of tests that need a process of their own.
var moreChildJobs = map[string]func(args []string) int{}

func runChild(job string, args []string) int {
	if f := moreChildJobs[job]; f != nil {
		return f(args)
	}
	code := exitError
	switch job {
	case "scan":
		code = run(context.Background(), scanArgs(args), io.Discard, io.Discard)
	case "floor":
		if len(args) == 1 && parseTree(args[0]) == nil {
			code = exitClean
		}
	}
	fmt.Println(peakRSS()) // for measureProcess
	return code
}

// peakRSS is this process's peak resident memory since it started its
// program (VmHWM, Linux; 0 elsewhere). The rusage of a child does not
// give it: Linux counts in its maxrss the memory of the process it was
// started from, up to the exec, and Go starts a child in its parent's
// memory.
func peakRSS() uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		var kb uint64
		if n, _ := fmt.Sscanf(line, "VmHWM: %d kB", &kb); n == 1 {
			return kb << 10
		}
	}
	return 0
}

// measureProcess runs one job (runChild) in a process of its own, in
// directory wd, and returns its wall time, the CPU time of the process and
// its peak resident memory: what a user of the command sees, each process
// with its own heap.
func measureProcess(b *testing.B, wd, job string, args ...string) cost {
	b.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = wd
	cmd.Env = append(os.Environ(), childJob+"="+job)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("%s %v: %v: %s", job, args, err, stderr.String())
	}
	wall := time.Since(start)
	c := cost{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	fmt.Sscan(string(out), &c.peak)
	return c
}

// scanArgs are a benchmark's arguments for sgcheck: a JSON report, which
// findings do not make fail.
func scanArgs(args []string) []string {
	return append(args, "--format", "json", "--fail-on", "none")
}

// scan runs sgcheck in this process, without warming the heap with huge
// pages: the ranges it marks would stay marked for the floor measured in
// the same process (BenchmarkScanProcess measures both as processes).
func scan(b *testing.B, args ...string) {
	noWarm = true
	if code := run(context.Background(), scanArgs(args), io.Discard, io.Discard); code != 0 {
		b.Fatalf("%v: exit %d", args, code)
	}
}

// median of the durations.
func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// reportFloor runs floor and scan b.N times each, paired, and reports the
// medians' ratios (x-floor-cpu, x-floor-wall), the scan's median wall time
// and its peak memory.
func reportFloor(b *testing.B, floor, work func() cost) {
	var fw, fc, sw, sc []time.Duration
	var peak, floorPeak uint64
	for i := 0; i < b.N; i++ {
		f := floor()
		s := work()
		fw, fc, sw, sc = append(fw, f.wall), append(fc, f.cpu), append(sw, s.wall), append(sc, s.cpu)
		peak, floorPeak = max(peak, s.peak), max(floorPeak, f.peak)
	}
	b.ReportMetric(float64(floorPeak)/(1<<20), "floor-peak-MiB")
	b.ReportMetric(float64(median(sc))/float64(median(fc)), "x-floor-cpu")
	b.ReportMetric(float64(median(sw))/float64(median(fw)), "x-floor-wall")
	b.ReportMetric(median(sw).Seconds(), "s/scan")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
}

// BenchmarkScan runs the whole scan (load, classify, policies, proofs, JSON
// report) on a generated tree of every shape (internal/gen) and reports its
// CPU and wall time against the hclparse floor measured in the same run
// (medians of paired runs) and its peak memory. Run:
//
//	go test ./cmd/sgcheck -run '^$' -bench 'Scan$' -benchtime 5x
//
// SGCHECK_BENCH_RULES sets the size (default 10000).
func BenchmarkScan(b *testing.B) {
	benchScan(b, inProcess, func(b *testing.B, dir string) cost { return measure(func() { parseFloor(b, dir) }) })
}

// BenchmarkScanProcess is BenchmarkScan with the floor and the scan each
// run as a process of its own, as CI runs sgcheck: each has its own heap,
// and the scan's is warmed with huge pages where Linux offers them
// (warmHeap). Its peaks are resident memory (the whole process's).
func BenchmarkScanProcess(b *testing.B) {
	benchScan(b, asProcess, func(b *testing.B, dir string) cost { return measureProcess(b, "", "floor", dir) })
}

func benchScan(b *testing.B, run runner, floor func(b *testing.B, dir string) cost) {
	rules := 10000
	if v := os.Getenv("SGCHECK_BENCH_RULES"); v != "" {
		fmt.Sscan(v, &rules)
	}
	for _, shape := range gen.Shapes {
		b.Run(fmt.Sprintf("shape=%s/rules=%d", shape, rules), func(b *testing.B) {
			dir := benchTree(b, shape, rules)
			b.ResetTimer()
			reportFloor(b, func() cost { return floor(b, dir) }, func() cost { return run(b, "", dir) })
		})
	}
}

// BenchmarkScaling reports how the scan grows from 10k to 100k rules on the
// shape that costs most per rule (one root module, groups without
// attachments): ratio is the 100k scan's median wall time over the 10k one
// (linear is 10), and ratio-cpu the same for CPU time. In this process,
// as in BenchmarkScan, each run starts with the heap given back to the
// system (measure) and not warmed, so every page it touches is a fault of
// its own: the 100k scan, which the memory limit lets grow to some
// 1.3 GiB, makes 13–14 times the 10k scan's faults.
func BenchmarkScaling(b *testing.B) { benchScaling(b, inProcess) }

// BenchmarkScalingProcess is BenchmarkScaling with every scan a process
// of its own, as CI runs sgcheck: each warms its heap (warmHeap) for the
// size of its input.
func BenchmarkScalingProcess(b *testing.B) { benchScaling(b, asProcess) }

func benchScaling(b *testing.B, run runner) {
	small, large := benchTree(b, gen.OneRoot, 10000), benchTree(b, gen.OneRoot, 100000)
	b.ResetTimer()
	var s, l []cost
	for i := 0; i < b.N; i++ {
		s = append(s, run(b, "", small))
		l = append(l, run(b, "", large))
	}
	ratio := func(of func(cost) time.Duration) float64 {
		med := func(cs []cost) time.Duration {
			var d []time.Duration
			for _, c := range cs {
				d = append(d, of(c))
			}
			return median(d)
		}
		return float64(med(l)) / float64(med(s))
	}
	b.ReportMetric(ratio(func(c cost) time.Duration { return c.wall }), "ratio-100k/10k")
	b.ReportMetric(ratio(func(c cost) time.Duration { return c.cpu }), "ratio-cpu")
}

// changedTree copies a generated tree with 1 % of its rules removed:
// spread, every tenth service (in every root) loses its database rule;
// local, the 50 services of the first root lose their database and peer
// rules (a pull request that touches one stack).
func changedTree(b *testing.B, dir string, local bool) string {
	b.Helper()
	out := dir + "-changed"
	if local {
		out = dir + "-changed-local"
	}
	if _, err := os.Stat(out); err == nil {
		return out
	}
	tmp := out + ".tmp"
	os.RemoveAll(tmp)
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		dst := filepath.Join(tmp, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(src)
		var names []string
		for i := 0; i < 100000; i += 10 {
			names = append(names, fmt.Sprintf(`resource "aws_security_group_rule" "svc%d_db" {`, i))
		}
		if local {
			names = nil
			for i := 0; i < 50; i++ {
				names = append(names, fmt.Sprintf(`resource "aws_security_group_rule" "svc%d_db" {`, i),
					fmt.Sprintf(`resource "aws_vpc_security_group_ingress_rule" "svc%d_peer" {`, i))
			}
		}
		for _, name := range names {
			if k := strings.Index(text, name); k >= 0 {
				end := k + strings.Index(text[k:], "\n}\n") + 3
				text = text[:k] + text[end:]
			}
		}
		return os.WriteFile(dst, []byte(text), 0o644)
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, out); err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkChange reports change analysis against a plain scan of one
// side, on the 10k stacks tree with 1 % of the rules removed: `diff OLD
// NEW` and `--base HEAD` in a git repository (x-scan-wall, x-scan-cpu), the
// removals spread over every root, and (diff-local, base-local) within one
// root, and diff run from inside NEW (diff-here); in this process (scan), BenchmarkChangeProcess in processes of
// their own.
func BenchmarkChange(b *testing.B) { benchChange(b, inProcess) }

// BenchmarkChangeProcess is BenchmarkChange with every run a process.
func BenchmarkChangeProcess(b *testing.B) { benchChange(b, asProcess) }

// BenchmarkChangeShapes is BenchmarkChangeProcess's spread change (1 %
// of the rules removed, wherever they are) on every shape: `diff OLD NEW`
// (diff/SHAPE) and `--base HEAD` (base/SHAPE), each run a process.
func BenchmarkChangeShapes(b *testing.B) {
	for _, kind := range []string{"diff", "base"} {
		for _, shape := range gen.Shapes {
			b.Run(kind+"/"+string(shape), func(b *testing.B) {
				old := benchTree(b, shape, 10000)
				changed := changedTree(b, old, false)
				if kind == "diff" {
					reportChange(b, func() cost { return asProcess(b, "", changed) },
						func() cost { return asProcess(b, "", "diff", old, changed) })
					return
				}
				repo := gitTree(b, old, changed)
				reportChange(b, func() cost { return asProcess(b, repo, ".") },
					func() cost { return asProcess(b, repo, "--base", "HEAD", ".") })
			})
		}
	}
}

// runner runs sgcheck with args in directory wd ("": where the benchmark
// is) and measures it.
type runner func(b *testing.B, wd string, args ...string) cost

func inProcess(b *testing.B, wd string, args ...string) cost {
	if wd != "" {
		was, _ := os.Getwd()
		defer os.Chdir(was)
		if err := os.Chdir(wd); err != nil {
			b.Fatal(err)
		}
	}
	return measure(func() { scan(b, args...) })
}

func asProcess(b *testing.B, wd string, args ...string) cost {
	return measureProcess(b, wd, "scan", args...)
}

func benchChange(b *testing.B, run runner) {
	old := benchTree(b, gen.Stacks, 10000)
	changed := changedTree(b, old, false)
	diff := func(b *testing.B, changed string) {
		reportChange(b, func() cost { return run(b, "", changed) },
			func() cost { return run(b, "", "diff", old, changed) })
	}
	base := func(b *testing.B, changed string) {
		repo := gitTree(b, old, changed)
		reportChange(b, func() cost { return run(b, repo, ".") },
			func() cost { return run(b, repo, "--base", "HEAD", ".") })
	}
	b.Run("diff", func(b *testing.B) { diff(b, changed) })
	// from inside NEW, as in a checkout: diff ../old .
	b.Run("diff-here", func(b *testing.B) {
		reportChange(b, func() cost { return run(b, changed, ".") },
			func() cost { return run(b, changed, "diff", old, ".") })
	})
	b.Run("diff-local", func(b *testing.B) { diff(b, changedTree(b, old, true)) })
	b.Run("base", func(b *testing.B) { base(b, changed) })
	b.Run("base-local", func(b *testing.B) { base(b, changedTree(b, old, true)) })
}

// reportChange runs plain and change b.N times each, paired, and reports
// the medians' ratios (x-scan-wall, x-scan-cpu).
func reportChange(b *testing.B, plain, change func() cost) {
	b.ResetTimer()
	var pw, pc, cw, cc []time.Duration
	for i := 0; i < b.N; i++ {
		p, c := plain(), change()
		pw, pc, cw, cc = append(pw, p.wall), append(pc, p.cpu), append(cw, c.wall), append(cc, c.cpu)
	}
	b.ReportMetric(float64(median(cw))/float64(median(pw)), "x-scan-wall")
	b.ReportMetric(float64(median(cc))/float64(median(pc)), "x-scan-cpu")
}

// gitTree makes a git repository whose HEAD holds old and whose working
// tree holds changed.
func gitTree(b *testing.B, old, changed string) string {
	b.Helper()
	repo := filepath.Join(b.TempDir(), "repo")
	cp := func(from string) {
		os.RemoveAll(filepath.Join(repo, "infra"))
		if out, err := exec.Command("cp", "-r", from, filepath.Join(repo, "infra")).CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=bench", "-c", "user.email=bench@example.com"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	if err := os.MkdirAll(repo, 0o755); err != nil {
		b.Fatal(err)
	}
	git("init", "-q")
	cp(old)
	git("add", "-A")
	git("commit", "-qm", "base")
	// packed, as a clone or a fetch leaves the base a CI job compares
	// with: read from loose objects, the revision's trees and blobs cost git
	// several times the CPU (on the 10k-rule trees, 0.1 of a scan)
	git("repack", "-adq")
	cp(changed)
	// as a checkout the change was made in: the files it left alone have
	// the file stamps the index holds (the copy gave every file new ones)
	git("update-index", "-q", "--refresh")
	return repo
}
