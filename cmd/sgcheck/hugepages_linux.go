package main

import (
	"bytes"
	"math"
	"os"
	"runtime"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePage is the size of a transparent huge page on the platforms Go
// supports on Linux with them (x86-64, arm64 with 4 KiB base pages).
const hugePage = 2 << 20

// warmHeap backs n bytes of the heap with transparent huge pages, when
// Linux gives them only on request (the "madvise" setting: "always" gives
// them without asking, "never" not at all; hugePagesUsable). It reports
// whether it did.
func warmHeap(n int64) bool {
	if n < hugePage || n > math.MaxInt/4 || !hugePagesUsable() {
		return false // (a 32-bit address space has no room for much)
	}
	n &^= hugePage - 1
	b := make([]byte, n+hugePage)
	// the aligned huge pages within the block
	off := int(-uintptr(unsafe.Pointer(&b[0])) & (hugePage - 1))
	pages := b[off : off+int(n)]
	if unix.Madvise(pages, unix.MADV_HUGEPAGE) != nil {
		return false
	}
	touch(pages, runtime.GOMAXPROCS(0))
	runtime.KeepAlive(b)
	runtime.GC() // the block is garbage: its pages return to the heap, mapped
	return true
}

// touch faults in every huge page of pages, from par goroutines at once:
// a fault makes the kernel zero the whole 2 MiB page, and where the host of
// a virtual machine has taken the memory back it faults in the host too, so
// one page costs from 0.1 ms to 3 ms, and touching 240 MiB alone took
// 320 ms where two cores took 190 ms (the same CPU time, spread).
func touch(pages []byte, par int) {
	n := len(pages) / hugePage
	par = max(1, min(par, n))
	var wg sync.WaitGroup
	for g := range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += par {
				pages[i*hugePage] = 1 // one fault maps the whole huge page
			}
		}()
	}
	wg.Wait()
}

// hugePagesUsable reports whether warmHeap may ask for huge pages:
// SGCHECK_HUGEPAGES is not "off" and transparent huge pages are given to
// memory that asks for them, and only to it.
func hugePagesUsable() bool {
	if noWarm || os.Getenv("SGCHECK_HUGEPAGES") == "off" {
		return false
	}
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	return err == nil && bytes.Contains(mode, []byte("[madvise]"))
}
