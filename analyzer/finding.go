// Package analyzer provides sgcheck's orchestration: from snapshots to
// classified flows, policy input, Rego evaluation, proofs and the Finding
// values that reports print.
package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"

	"github.com/sgcheck/sgcheck/model"
)

// Severity levels, lowest first.
var severities = []string{"INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

// SeverityRank orders severities; unknown names rank below INFO.
func SeverityRank(s string) int {
	for i, v := range severities {
		if strings.EqualFold(v, s) {
			return i
		}
	}
	return -1
}

// Location is a file range in a finding (contract v1).
type Location struct {
	File      string `json:"file"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
}

// LocationOf converts a model source range.
func LocationOf(s model.Source) *Location {
	if s.File == "" {
		return nil
	}
	end := s.EndLine
	if end < s.StartLine {
		end = s.StartLine
	}
	return &Location{File: s.File, StartLine: s.StartLine, EndLine: end}
}

// Related is a secondary location of a finding: the reverse rule, the
// attachment, the other group.
type Related struct {
	Message  string    `json:"message"`
	Location *Location `json:"location,omitempty"`
}

// Event is one step of a proof timeline.
type Event struct {
	T        int       `json:"t"`
	Event    string    `json:"event"`
	Verdict  string    `json:"verdict,omitempty"`
	Why      string    `json:"why,omitempty"`
	Location *Location `json:"-"`
}

// Proof is the replayed packet timeline behind a finding.
type Proof struct {
	Verified bool    `json:"verified"`
	Events   []Event `json:"events"`
}

// Finding is everything a report needs about one finding (contract v1).
type Finding struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Severity    string         `json:"severity"`
	Message     string         `json:"message"`
	Resource    string         `json:"resource"`
	Rule        string         `json:"rule,omitempty"`
	Location    *Location      `json:"location,omitempty"`
	Related     []Related      `json:"related,omitempty"`
	Facts       map[string]any `json:"facts"`
	Remediation string         `json:"remediation,omitempty"`
	Fingerprint string         `json:"fingerprint"`
	// Instances names the other module instances (their rule, or resource)
	// where the same module code gives this same finding (MergeInstances).
	Instances []string `json:"instances,omitempty"`
	// ModuleLocation is where a finding located at a module call is
	// declared inside the module; an ignore there also applies.
	ModuleLocation *Location `json:"-"`
	// CallerLocations are the module calls further out than Location
	// (innermost first); an ignore at one of them also applies.
	CallerLocations []*Location `json:"-"`
	Proof           *Proof      `json:"proof,omitempty"`

	// subject is the revocation, flip or rule the policy reported on.
	subject string
}

// fingerprint identifies a finding across runs: it covers the policy, the
// resource, the rule and the facts, not line numbers, so that moving code
// does not make a finding new.
func (f *Finding) fingerprint() string {
	facts, _ := json.Marshal(f.Facts) // map keys are sorted by encoding/json
	h := sha256.New()
	for _, s := range []string{f.ID, f.Resource, f.Rule, string(facts)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// SortFindings orders findings by file, line, id, then fingerprint.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		af, bf, al, bl := "", "", 0, 0
		if a.Location != nil {
			af, al = a.Location.File, a.Location.StartLine
		}
		if b.Location != nil {
			bf, bl = b.Location.File, b.Location.StartLine
		}
		if af != bf {
			return af < bf
		}
		if al != bl {
			return al < bl
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Fingerprint < b.Fingerprint
	})
}
