package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"testing"
)

// anonHugePages is the process's anonymous memory backed by transparent
// huge pages, in bytes.
func anonHugePages(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		t.Skip(err)
	}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		var kb int64
		if n, _ := fmt.Sscanf(s.Text(), "AnonHugePages: %d kB", &kb); n == 1 {
			return kb << 10
		}
	}
	t.Skip("no AnonHugePages in /proc/self/smaps_rollup")
	return 0
}

// TestWarmHeapMapsHugePages checks that warmHeap leaves the heap with huge
// pages mapped, where Linux gives them on request.
func TestWarmHeapMapsHugePages(t *testing.T) {
	if !hugePagesUsable() {
		t.Skip("transparent huge pages are not given on request here")
	}
	before := anonHugePages(t)
	if !warmHeap(64 << 20) {
		t.Fatal("warmHeap did not warm the heap")
	}
	// the runtime may give some back before this is read; most is kept
	if got := anonHugePages(t) - before; got < 32<<20 {
		t.Errorf("huge pages mapped grew by %d MiB, want at least 32", got>>20)
	}
}
