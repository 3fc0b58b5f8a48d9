package tracking

import "strings"

// Instance families built on Nitro v6, whose default TCP established idle
// timeout is 350 s instead of 432000 s (docs/aws-semantics.md §4; EC2 API
// Reference, ConnectionTrackingSpecification: "Default: 350 seconds for
// Nitro v6 instance types (excluding P6e-GB200); 432000 seconds for all
// other instance types").
//
// Source: the "Hypervisor" column of the instance family summaries in
// "Amazon EC2 instance types: Specifications" (general purpose, compute
// optimized, memory optimized, storage optimized, accelerated computing and
// high-performance computing), where it reads Nitro v6. Keep this list in
// step with those pages; a family added there is added here, nothing else
// changes. P6e-GB200 is excluded by the API reference whatever its page says.
var nitroV6Families = map[string]bool{
	// general purpose
	"m8a": true, "m8azn": true, "m8gb": true, "m8gn": true, "m8i": true, "m8id": true, "m8i-flex": true,
	"m8in": true, "m8idn": true, "m8ine": true, "m8ib": true, "m8idb": true, "m9g": true, "m9gd": true,
	// compute optimized
	"c8a": true, "c8gb": true, "c8gn": true, "c8i": true, "c8id": true, "c8i-flex": true, "c8in": true,
	"c8ine": true, "c8ib": true,
	// memory optimized
	"r8a": true, "r8gb": true, "r8gn": true, "r8i": true, "r8id": true, "r8i-flex": true, "r8in": true,
	"r8idn": true, "r8ib": true, "r8idb": true, "x8aedz": true, "x8i": true,
	// storage optimized
	"i8ge": true,
	// accelerated computing
	"p6-b200": true,
	// high-performance computing
	"hpc8a": true,
}

// NitroV6TCPDefault is the default TCP established timeout on Nitro v6.
const NitroV6TCPDefault = 350

// IsNitroV6 reports whether an instance type (m8i.large) is of a Nitro v6
// family. P6e-GB200 is not, as the API reference says.
func IsNitroV6(instanceType string) bool {
	family, _, _ := strings.Cut(strings.ToLower(instanceType), ".")
	return family != "p6e-gb200" && nitroV6Families[family]
}
