//go:build !linux

package main

// warmHeap does nothing where transparent huge pages are not Linux's.
func warmHeap(n int64) bool { return false }

func hugePagesUsable() bool { return false }
