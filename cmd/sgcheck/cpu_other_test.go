//go:build !unix

package main

import (
	"os"
	"time"
)

// processCPU is not measured here: the benchmarks report wall time only.
func processCPU() time.Duration { return 0 }

// maxRSS is not measured here.
func maxRSS(*os.ProcessState) uint64 { return 0 }
