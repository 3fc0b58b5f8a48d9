package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// anonHugePages is the process's anonymous memory backed by transparent
// huge pages, in bytes.
func anonHugePages() (int64, error) {
	b, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		return 0, err
	}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		var kb int64
		if n, _ := fmt.Sscanf(s.Text(), "AnonHugePages: %d kB", &kb); n == 1 {
			return kb << 10, nil
		}
	}
	return 0, errors.New("no AnonHugePages in /proc/self/smaps_rollup")
}

func init() {
	// warm, as a process of its own (a fresh heap, as the command's at
	// start): warm 64 MiB and print how much more memory huge pages map
	moreChildJobs["warm"] = func([]string) int {
		before, err := anonHugePages()
		if err != nil || !warmHeap(64<<20) {
			return exitError
		}
		after, err := anonHugePages()
		if err != nil {
			return exitError
		}
		fmt.Println(after - before)
		return exitClean
	}
}

// TestWarmHeapMapsHugePages checks, in a process of its own, that warmHeap
// leaves the heap with huge pages mapped where Linux gives them on request.
func TestWarmHeapMapsHugePages(t *testing.T) {
	if !hugePagesUsable() {
		t.Skip("transparent huge pages are not given on request here")
	}
	if _, err := anonHugePages(); err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childJob+"=warm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("warm: %v", err)
	}
	var grew int64
	fmt.Sscan(strings.TrimSpace(string(out)), &grew)
	// the runtime may give a little back before it is read
	if grew < 32<<20 {
		t.Errorf("huge pages mapped grew by %d MiB, want at least 32", grew>>20)
	}
}

// TestTouchEveryHugePage checks that touch faults in each huge page once,
// at its first byte, whatever the number of goroutines, and nothing else.
func TestTouchEveryHugePage(t *testing.T) {
	for _, par := range []int{0, 1, 2, 3, 5, 8} {
		pages := make([]byte, 5*hugePage)
		touch(pages, par)
		for i, b := range pages {
			want := byte(0)
			if i%hugePage == 0 {
				want = 1
			}
			if b != want {
				t.Fatalf("par %d: byte %d of huge page %d is %d, want %d", par, i%hugePage, i/hugePage, b, want)
			}
		}
	}
}
