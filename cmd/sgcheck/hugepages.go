package main

// A scan's heap grows to 100 MiB and more on a large repository, and every
// 4 KiB page of it is first touched through a page fault. Where faults are
// dear (on the 2-core virtual machines of BenchmarkScan one costs about
// 14 µs: 140 MiB of heap, 36,000 faults, half a second of CPU, a third of
// the whole scan), backing the heap with transparent huge pages makes them
// 512 times fewer. The Go runtime does not ask for huge pages for the heap,
// and where Linux gives them only to memory that asks
// (/sys/kernel/mm/transparent_hugepage/enabled set to "madvise", a common
// default) warmHeap asks: it allocates the part of the heap the run is expected to
// use as one block, marks it MADV_HUGEPAGE, touches it, and frees it; the
// runtime then places the scan's objects in those pages. Nothing else
// changes: the same memory limit, the same collector, the same output.

// warmPerInputByte and warmFloor size the heap warmHeap prepares: a scan's
// heap grows to some 40 times its input's size before the memory limit
// holds it (BenchmarkScan: 3 MB of input, 116–121 MB heap goals); below
// warmFloor the faults saved are too few to matter. warmHeadroom keeps the
// block under the memory limit with the runtime's own memory beside it.
const (
	warmPerInputByte = 40
	warmFloor        = 16 << 20
	warmHeadroom     = 12 << 20
)

// noWarm turns warmHeap off (the benchmarks that run sgcheck in their own
// process, beside the floor they compare it with).
var noWarm bool

// warmSize is how much heap to prepare for inputs of size bytes under a
// memory limit: 0 when too little to matter.
func warmSize(size, limit int64) int64 {
	n := min(size*warmPerInputByte, limit-warmHeadroom)
	if n < warmFloor {
		return 0
	}
	return n
}

// pairedSides is how many sides' memory the paired loads of change
// analysis (diff of two directories, --base) are given: both snapshots are
// live at once, and a higher limit lets the collector run less often. That
// pays where the heap is warmed (10k-rule trees, spread removals: 14 % less
// CPU than one side's limit); where every page of a larger heap costs a
// fault, the faults cost more than the collections saved, and one side's
// limit is kept.
func pairedSides() int {
	if hugePagesUsable() {
		return 2
	}
	return 1
}
