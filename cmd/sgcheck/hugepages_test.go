package main

import "testing"

func TestWarmSize(t *testing.T) {
	for _, c := range []struct {
		size, limit, want int64
	}{
		{size: 10 << 10, limit: memoryFloor, want: 0},                         // a small repository: not worth it
		{size: 400 << 10, limit: memoryFloor, want: 0},                        // 16,000,000 bytes: under the floor
		{size: 1 << 20, limit: memoryFloor, want: 40 << 20},                   // 40 times the input
		{size: 3 << 20, limit: memoryFloor, want: 120 << 20},                  // the 10k-rule trees
		{size: 4 << 20, limit: memoryFloor, want: memoryFloor - warmHeadroom}, // held under the limit
		{size: 64 << 20, limit: 20 << 20, want: 0},                            // a limit too low to warm under
	} {
		if got := warmSize(c.size, c.limit); got != c.want {
			t.Errorf("warmSize(%d, %d) = %d, want %d", c.size, c.limit, got, c.want)
		}
	}
}

func TestPairedSides(t *testing.T) {
	want := 1
	if hugePagesUsable() {
		want = 2
	}
	if got := pairedSides(); got != want {
		t.Errorf("pairedSides() = %d with huge pages usable %v", got, hugePagesUsable())
	}
	t.Setenv("SGCHECK_HUGEPAGES", "off")
	if hugePagesUsable() || pairedSides() != 1 || warmHeap(64<<20) {
		t.Error("SGCHECK_HUGEPAGES=off: huge pages still used")
	}
}
