package model

import "bytes"

// ignoreMarkers start the inline comments that suppress findings:
// sgcheck's own, and those of the scanners teams move from (checkov,
// Trivy, tfsec), which suppress the equivalent checks.
var ignoreMarkers = [][]byte{[]byte("sgcheck:ignore"), []byte("checkov:skip="), []byte("trivy:ignore:"),
	[]byte("tfsec:ignore:")}

// HoldsIgnoreComment reports whether src may hold a comment that
// suppresses findings (peers: another scanner's one only).
func HoldsIgnoreComment(src []byte, peers bool) bool {
	for i, m := range ignoreMarkers {
		if (i > 0 || !peers) && bytes.Contains(src, m) {
			return true
		}
	}
	return false
}
