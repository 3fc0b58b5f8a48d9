package analyzer

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sgcheck/sgcheck/internal/safeio"
	"github.com/sgcheck/sgcheck/model"
)

// Suppression says why a finding is not reported: an inline comment
//
//	# sgcheck:ignore SGC006 -- break-glass access, reviewed 2026-11
//
// on the line before the finding's block or on any line of it. The ids are
// required (comma separated); the reason after "--" is recorded.
type Suppression struct {
	Reason   string    `json:"reason"`
	Location *Location `json:"location"`
}

// Suppressed is a finding an inline comment suppressed.
type Suppressed struct {
	Finding
	Suppression Suppression `json:"suppression"`
}

var ignoreRe = regexp.MustCompile(`(?:#|//)\s*sgcheck:ignore\s+([A-Za-z0-9_,:./\s-]+?)\s*(?:exp:(\S+)\s*)?(?:--\s*(.*))?$`)

type ignore struct {
	// peer is the comment of another scanner this ignore was read from
	// ("checkov:skip=CKV_AWS_24"), "" for sgcheck:ignore; blockStart and
	// blockEnd are the lines of the top-level block it is in or just
	// above, which it covers whole, as those scanners have it
	peer                 string
	blockStart, blockEnd int
	ids                  map[string]bool
	// values restricts an id to findings one of whose facts has one of
	// these values (SGC204:8080, SGC202:203.0.113.0/24); no entry: all.
	values map[string][]string
	reason string
	line   int
	// expires is the last day the ignore applies (exp:YYYY-MM-DD), "" for
	// none; badExpiry holds an expiry that is not a date.
	expires   string
	badExpiry string
}

// Today is the date expiring ignores are judged against (YYYY-MM-DD, UTC):
// SOURCE_DATE_EPOCH when set, for reproducible runs, else the clock.
func Today() string {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC().Format(time.DateOnly)
		}
	}
	return time.Now().UTC().Format(time.DateOnly)
}

// expired reports whether the ignore no longer applies on today.
func (ig *ignore) expired(today string) bool { return ig.expires != "" && ig.expires < today }

// Suppress splits findings into those reported and those an inline
// comment suppresses. read reads a source file (nil means os.ReadFile).
// With peers, the comments of other scanners that name an equivalent
// check suppress too (PeerIgnores).
func Suppress(fs []Finding, read func(string) ([]byte, error), peers PeerIgnores) (kept []Finding, suppressed []Suppressed) {
	if read == nil {
		read = safeio.ReadFile
	}
	cache := map[string][]ignore{}
	today := Today()
	for _, f := range fs {
		if f.Location == nil {
			kept = append(kept, f)
			continue
		}
		ignores, ok := cache[f.Location.File]
		if !ok {
			ignores = scanIgnores(read, f.Location.File, peers)
			cache[f.Location.File] = ignores
		}
		hit, at := findIgnore(ignores, f.ID, f.Facts, f.Location, today), f.Location
		for _, l := range append(slices.Clip(f.CallerLocations), f.ModuleLocation) {
			if hit != nil || l == nil {
				continue
			}
			at = l
			mod, ok := cache[at.File]
			if !ok {
				mod = scanIgnores(read, at.File, peers)
				cache[at.File] = mod
			}
			hit = findIgnore(mod, f.ID, f.Facts, at, today)
		}
		if hit == nil {
			kept = append(kept, f)
			continue
		}
		reason := hit.reason
		if hit.peer != "" {
			reason = strings.TrimSuffix(hit.peer+": "+hit.reason, ": ")
		}
		suppressed = append(suppressed, Suppressed{Finding: f, Suppression: Suppression{Reason: reason,
			Location: &Location{File: at.File, StartLine: hit.line, EndLine: hit.line}}})
	}
	return kept, suppressed
}

// matches reports whether the ignore covers a finding of id with facts:
// always without values, else when a fact (or an element of a list fact)
// equals one of them.
func (ig *ignore) matches(id string, facts map[string]any) bool {
	values := ig.values[id]
	if len(values) == 0 {
		return true
	}
	for _, v := range facts {
		items, ok := v.([]any)
		if !ok {
			items = []any{v}
		}
		for _, it := range items {
			s := fmt.Sprint(it)
			if f, ok := it.(float64); ok {
				s = strconv.FormatFloat(f, 'f', -1, 64)
			}
			if slices.Contains(values, s) {
				return true
			}
		}
	}
	return false
}

// findIgnore is the ignore of id that covers the block at loc, if any.
func findIgnore(ignores []ignore, id string, facts map[string]any, loc *Location, today string) *ignore {
	for i := range ignores {
		ig := &ignores[i]
		near := ig.line >= loc.StartLine-1 && ig.line <= loc.EndLine
		// another scanner's comment covers its whole top-level block
		inBlock := ig.blockEnd > 0 && loc.StartLine >= ig.blockStart && loc.StartLine <= ig.blockEnd
		if ig.ids[id] && ig.matches(id, facts) && !ig.expired(today) && (near || inBlock) {
			return ig
		}
	}
	return nil
}

// scanIgnores reads a file's sgcheck:ignore comments and, with peers, the
// other scanners' comments that name an equivalent check.
func scanIgnores(read func(string) ([]byte, error), file string, peers PeerIgnores) []ignore {
	src, err := read(file)
	if err != nil || !model.HoldsIgnoreComment(src) {
		return nil
	}
	var out []ignore
	var blocks []span
	if peers != nil {
		blocks = topBlocks(src)
	}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if peers != nil {
			for _, ig := range peers.scan(sc.Text(), line) {
				if b, ok := blockOf(blocks, line); ok {
					ig.blockStart, ig.blockEnd = b.start, b.end
				}
				out = append(out, ig)
			}
		}
		m := ignoreRe.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ig := ignore{ids: map[string]bool{}, values: map[string][]string{}, reason: strings.TrimSpace(m[3]), line: line}
		if m[2] != "" {
			if _, err := time.Parse(time.DateOnly, m[2]); err != nil {
				ig.badExpiry = m[2]
			} else {
				ig.expires = m[2]
			}
		}
		for _, id := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			id, value, ok := strings.Cut(id, ":")
			id = strings.ToUpper(id)
			ig.ids[id] = true
			if ok {
				ig.values[id] = append(ig.values[id], value)
			}
		}
		out = append(out, ig)
	}
	return out
}

// CheckIgnores reports sgcheck:ignore comments in files that name an id no
// policy has, and, when unusedToo, those that suppressed nothing in this
// run (in change analysis only new findings are reported, so an ignore of
// an older one would look unused: pass false there). files are the
// configuration files that hold ignore comments (Snapshot.IgnoreFiles).
func CheckIgnores(files []string, suppressed []Suppressed, known map[string]bool, unusedToo bool, read func(string) ([]byte, error)) []model.Diagnostic {
	if read == nil {
		read = safeio.ReadFile
	}
	used := map[string]bool{}
	for _, s := range suppressed {
		if l := s.Suppression.Location; l != nil {
			used[fmt.Sprintf("%s:%d", l.File, l.StartLine)] = true
		}
	}
	var out []model.Diagnostic
	today := Today()
	for _, file := range files {
		for _, ig := range scanIgnores(read, file, nil) {
			var unknown []string
			for id := range ig.ids {
				if !known[id] {
					unknown = append(unknown, id)
				}
			}
			sort.Strings(unknown)
			switch {
			case ig.badExpiry != "":
				out = append(out, model.Diagnostic{File: file, Line: ig.line, Warning: true,
					Message: fmt.Sprintf("sgcheck:ignore exp:%s is not a date (want exp:YYYY-MM-DD); the ignore never expires", ig.badExpiry)})
			case ig.expired(today):
				out = append(out, model.Diagnostic{File: file, Line: ig.line, Warning: true,
					Message: fmt.Sprintf("sgcheck:ignore expired on %s: what it suppressed is reported again", ig.expires)})
			case len(unknown) > 0:
				out = append(out, model.Diagnostic{File: file, Line: ig.line, Warning: true,
					Message: fmt.Sprintf("sgcheck:ignore names %s, which no check has (see the README's list of checks)", strings.Join(unknown, ", "))})
			case unusedToo && !used[fmt.Sprintf("%s:%d", file, ig.line)]:
				out = append(out, model.Diagnostic{File: file, Line: ig.line, Warning: true,
					Message: "sgcheck:ignore suppresses nothing here: no finding of the ids it names is on this line or the block below it"})
			}
		}
	}
	return out
}
