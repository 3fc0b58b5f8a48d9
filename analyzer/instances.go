package analyzer

import (
	"regexp"
	"slices"
	"strings"
)

// instancePrefix matches what makes an address one module instance's: the
// root it was loaded under (examples/web:) and the module calls it is
// reached through (module.app.module.sg[0].), in front of a resource
// address.
var instancePrefix = regexp.MustCompile(`(?:[\w./-]+:)?(?:module\.[\w-]+(?:\[[^\]]*\])?\.)+`)

// sameCode is a finding's text with the module instances taken out of its
// addresses: equal for the same finding of the same module code reached
// through different roots or calls.
func sameCode(s string) string {
	if !strings.Contains(s, "module.") {
		return s
	}
	return instancePrefix.ReplaceAllString(s, "")
}

// MergeInstances folds the findings that one piece of module code gives in
// every instance of the module (a module called from several roots, such as
// a repository's examples, or called several times) into one: the first in
// order, which names the others in Instances and, as related locations,
// the module call that leads to each. Such findings are reported at the
// same module call with the same text but for the instance addresses; as
// separate findings they would repeat one defect once per instance. fs is
// in report order; so is the result.
func MergeInstances(fs []Finding) []Finding {
	type key struct {
		id, severity, message, remediation string
		at, module                         Location
	}
	first := map[key]int{}
	out := fs[:0:0]
	for _, f := range fs {
		if f.ModuleLocation == nil || f.Location == nil {
			out = append(out, f)
			continue
		}
		k := key{f.ID, f.Severity, sameCode(f.Message), sameCode(f.Remediation), *f.Location, *f.ModuleLocation}
		i, ok := first[k]
		if !ok {
			first[k] = len(out)
			out = append(out, f)
			continue
		}
		m := &out[i]
		name := f.Rule
		if name == "" {
			name = f.Resource
		}
		m.Instances = append(m.Instances, name)
		via := f.Location
		if n := len(f.CallerLocations); n > 0 && f.CallerLocations[n-1] != nil {
			via = f.CallerLocations[n-1]
		}
		m.Related = append(slices.Clip(m.Related), Related{Message: "the same finding in " + name, Location: via})
	}
	return out
}
