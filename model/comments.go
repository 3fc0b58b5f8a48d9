package model

import "bytes"

// ignoreMarkers start the inline comments that suppress findings:
// sgcheck's own, and those of the scanners teams move from (checkov,
// Trivy, tfsec), which suppress the equivalent checks.
var ignoreMarkers = [][]byte{[]byte("sgcheck:ignore"), []byte("checkov:skip="), []byte("trivy:ignore:"),
	[]byte("tfsec:ignore:")}

// HoldsIgnoreComment reports whether src may hold a comment that
// suppresses findings.
func HoldsIgnoreComment(src []byte) bool {
	for _, m := range ignoreMarkers {
		if bytes.Contains(src, m) {
			return true
		}
	}
	return false
}
