package analyzer

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// maxNamedAttachments is how many attachments a folded finding's message
// names; the facts list every one.
const maxNamedAttachments = 5

// MergeAttachments folds the findings that one rule gives alike on several
// attachments (a group on four instances: one revocation, four findings
// that differ only in the instance they name) into one, in the place of
// the first in order: the one whose attachment comes first by name, whose
// message names every attachment in place of its own, whose facts keep
// "attachment" and list them all in "attachments", and whose proof and
// fingerprint are kept. Findings fold only where
// everything else is the same: policy, severity, rule, location, related
// locations, remediation (a network ACL deny for the subnets of each),
// the other facts (the window, the reverse rule) and the message but for
// the attachment's name, which it holds once. fs is in report order; so is
// the result.
func MergeAttachments(fs []Finding) []Finding {
	groups := map[string][]int{}
	keys := make([]string, len(fs))
	for i, f := range fs {
		if k, ok := attachmentKey(f); ok {
			keys[i] = k
			groups[k] = append(groups[k], i)
		}
	}
	out := fs[:0:0]
	for i, f := range fs {
		g := groups[keys[i]]
		switch {
		case keys[i] == "" || len(g) == 1:
			out = append(out, f)
		case g[0] == i:
			out = append(out, mergeAttachments(fs, g))
		}
	}
	return out
}

// mergeAttachments folds the findings fs[g...], alike but for their
// attachment, into the one whose attachment comes first by name (numbers
// in order: web[2] before web[10]).
func mergeAttachments(fs []Finding, g []int) Finding {
	name := func(i int) string { return fs[i].Facts["attachment"].(string) }
	g = slices.Clone(g)
	slices.SortStableFunc(g, func(a, b int) int { return NaturalCompare(name(a), name(b)) })
	m := fs[g[0]]
	names := make([]string, len(g))
	for k, i := range g {
		names[k] = name(i)
	}
	facts := make(map[string]any, len(m.Facts)+1)
	for k, v := range m.Facts {
		facts[k] = v
	}
	facts["attachments"] = names
	m.Facts = facts
	m.Message = strings.Replace(m.Message, names[0], nameList(names), 1)
	return m
}

// NaturalCompare orders names as people number them: the runs of digits
// in them by value.
func NaturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

// digits is the length of the run of digits s starts with.
func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// attachmentKey is what a finding about one attachment has in common with
// the same finding on another: everything but the attachment's name. ok is
// false for a finding that names no attachment, or names it other than
// once in its message.
func attachmentKey(f Finding) (string, bool) {
	att, _ := f.Facts["attachment"].(string)
	if att == "" || strings.Count(f.Message, att) != 1 {
		return "", false
	}
	facts := make(map[string]any, len(f.Facts))
	for k, v := range f.Facts {
		if k != "attachment" {
			facts[k] = v
		}
	}
	b, err := json.Marshal(struct {
		ID, Severity, Rule, Resource, Remediation, Message string
		Location                                           *Location
		Related                                            []Related
		Facts                                              map[string]any
		Module                                             *Location
		Callers                                            []*Location
	}{f.ID, f.Severity, f.Rule, f.Resource, f.Remediation, strings.Replace(f.Message, att, "\x00", 1),
		f.Location, f.Related, facts, f.ModuleLocation, f.CallerLocations})
	if err != nil {
		return "", false
	}
	return string(b), true
}

// nameList names the attachments for a message: every one up to
// maxNamedAttachments, then how many more.
func nameList(names []string) string {
	if len(names) > maxNamedAttachments {
		shown := strings.Join(names[:maxNamedAttachments-1], ", ")
		return fmt.Sprintf("%s and %d other attachments", shown, len(names)-maxNamedAttachments+1)
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
