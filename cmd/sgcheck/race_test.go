//go:build race

package main

// raceEnabled: the tests run under the race detector, some ten times
// slower; the slowest sample fewer cases.
const raceEnabled = true
