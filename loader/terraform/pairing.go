package terraform

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/sgcheck/sgcheck/model"
)

// pairing lets the two loads of a change analysis run at the same time
// and meet root by root: the leader (the working tree; NEW for diff)
// evaluates a root, then the follower (the revision; OLD) evaluates its
// own copy of it, reusing what the leader parsed and, when nothing the
// root depends on differs, what it evaluated; the follower then lets go
// of the root's syntax trees. At most the roots between the two are
// held, rather than every tree of the repository until the second load
// begins.
type pairing struct {
	planned chan struct{} // closed once the leader's roots are known
	once    sync.Once
	mu      sync.Mutex
	roots   map[string]chan struct{} // the leader's roots → closed when evaluated
	// parsed holds the leader's roots → closed once their own files are
	// parsed (or when evaluated): the follower then parses its copies of
	// the files that differ while the leader evaluates
	parsed map[string]chan struct{}
	// followed is closed once the follower is done with the leader's
	// results: until then the leader edits nothing it kept (finishing its
	// snapshot edits nested lists in place), so the follower copies a
	// result only when it takes it.
	followed     chan struct{}
	followedOnce sync.Once
}

// Pair makes the cache pair two loads that run at the same time: the one
// whose Options.Follow is set waits, for each root, for the other's
// evaluation of the same directory, and the other waits, before it
// returns, for the follower to be done with its roots. Both loads must
// be started; each releases the other when it ends, even when it fails.
func (c *ParseCache) Pair() {
	c.pair = &pairing{planned: make(chan struct{}), roots: map[string]chan struct{}{}, parsed: map[string]chan struct{}{},
		followed: make(chan struct{})}
}

// follow marks the follower done with the leader's results.
func (p *pairing) follow() { p.followedOnce.Do(func() { close(p.followed) }) }

// plan publishes the leader's roots.
func (p *pairing) plan(roots []string) {
	p.mu.Lock()
	for _, r := range roots {
		if p.roots[r] == nil {
			p.roots[r], p.parsed[r] = make(chan struct{}), make(chan struct{})
		}
	}
	p.mu.Unlock()
	p.once.Do(func() { close(p.planned) })
}

// done marks the leader's root evaluated (or abandoned).
func (p *pairing) done(root string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.release(p.parsed, root)
	p.release(p.roots, root)
}

// parsedRoot marks the leader's root's own files parsed.
func (p *pairing) parsedRoot(root string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.release(p.parsed, root)
}

// release closes and forgets root's channel of chans, if still there;
// p.mu is held.
func (p *pairing) release(chans map[string]chan struct{}, root string) {
	if ch := chans[root]; ch != nil {
		close(ch)
		delete(chans, root)
	}
}

// finish ends the leader's load: whatever it did not reach is released.
func (p *pairing) finish() {
	p.once.Do(func() { close(p.planned) })
	p.mu.Lock()
	defer p.mu.Unlock()
	for r := range p.roots {
		p.release(p.parsed, r)
		p.release(p.roots, r)
	}
}

// wait blocks the follower until the leader is done with root, when the
// leader has it.
func (p *pairing) wait(root string) { p.await(p.roots, root) }

// waitParsed blocks the follower until the leader has parsed root's own
// files (or is done with it), when the leader has it.
func (p *pairing) waitParsed(root string) { p.await(p.parsed, root) }

func (p *pairing) await(chans map[string]chan struct{}, root string) {
	<-p.planned
	p.mu.Lock()
	ch := chans[root]
	p.mu.Unlock()
	if ch != nil {
		<-ch
	}
}

// releaseTrees drops the syntax trees of dir's files: the follower is done
// with them.
func (c *ParseCache) releaseTrees(dir string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range c.byDir[filepath.FromSlash(DisplayPath(dir))] {
		if f := c.m[name]; f.file != nil {
			c.m[name] = cachedFile{}
		}
	}
}

// dropAhead drops what the follower parsed ahead of its root dir (its own
// name) and did not take.
func (c *ParseCache) dropAhead(dir string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name := range c.ahead {
		if cacheDir(name) == filepath.FromSlash(DisplayPath(dir)) {
			delete(c.ahead, name)
		}
	}
}

// Mirror pairs two directories compared with each other (diff OLD NEW):
// Own, the follower's, and Leader, the leader's. A file under Own is
// looked up in the cache, and a root's result reused, under the name of
// the file at the same place under Leader; what the follower takes from
// the leader (syntax trees, reused roots) names the leader's files, and is
// renamed to its own when the load ends. Files outside both directories
// (modules both sides call by the same path) have one name on both sides.
// The directories must not hold each other, and one named by an absolute
// path must not hold the working directory (display paths name the files
// below it relative to it). Own may be the working directory itself, not
// Leader: every relative name that does not climb out is under ".", and
// messages quote the working directory's files with no prefix to rename.
type Mirror struct {
	Own, Leader string
}

func (m *Mirror) clean() *Mirror {
	return &Mirror{Own: filepath.Clean(m.Own), Leader: filepath.Clean(m.Leader)}
}

// under reports whether p is dir or inside it (both cleaned). Every
// relative path that does not climb out of it is inside ".".
func under(p, dir string) bool {
	_, ok := below(p, dir, string(filepath.Separator))
	return ok
}

// below returns the rest of p after dir and its separator sep ("." for
// dir itself), and whether p is dir or inside it (both cleaned).
func below(p, dir, sep string) (string, bool) {
	switch {
	case p == dir:
		return ".", true
	case dir == ".":
		climbs := p == ".." || strings.HasPrefix(p, ".."+sep) || strings.HasPrefix(p, "../")
		rooted := filepath.IsAbs(p) || strings.HasPrefix(p, sep) || strings.HasPrefix(p, "/")
		return p, !climbs && !rooted
	case strings.HasPrefix(p, dir+sep):
		return p[len(dir)+len(sep):], true
	}
	return "", false
}

// swapPrefix moves p from under dir from to the same place under to
// (either may be ".", the working directory).
func swapPrefix(p, from, to, sep string) string {
	rest, ok := below(p, from, sep)
	switch {
	case !ok:
		return p
	case rest == ".":
		return to
	case to == ".":
		return rest
	}
	return to + sep + rest
}

// leaderName names a file or directory of this side as the leader names
// its counterpart.
func (w *world) leaderName(p string) string {
	if w.mirror == nil {
		return p
	}
	return swapPrefix(filepath.Clean(p), w.mirror.Own, w.mirror.Leader, string(filepath.Separator))
}

// ownFile names a file as sources name it (a display path) under this
// side's name: a file parsed by the leader, whose tree a mirrored follower
// took, is named under the leader's directory. Messages that quote a
// position use it; sources and diagnostics are renamed when the load ends.
func (w *world) ownFile(name string) string {
	if w.mirror == nil {
		return name
	}
	return Counterpart(w.mirror.Leader, w.mirror.Own)(name)
}

// ownName is the inverse of leaderName.
func (w *world) ownName(p string) string {
	if w.mirror == nil {
		return p
	}
	return swapPrefix(filepath.Clean(p), w.mirror.Leader, w.mirror.Own, string(filepath.Separator))
}

// rename gives what the follower took from the leader its own names: the
// files of every source and diagnostic, and the paths diagnostics quote in
// their messages: positions (display paths) and the scanned tree (its
// real absolute path, which a file function refused to leave).
func (m *Mirror) rename(s *model.Snapshot, diags []model.Diagnostic) {
	from, to := DisplayPath(m.Leader), DisplayPath(m.Own)
	roots := scanRootsOf([]string{m.Leader, m.Own})
	name := Counterpart(m.Leader, m.Own)
	s.RenameFiles(name)
	for i := range diags {
		diags[i].File = name(diags[i].File)
		msg := diags[i].Message
		if len(roots) == 2 {
			msg = renameScanRoot(msg, roots[0], roots[1])
		}
		diags[i].Message = replacePath(msg, from, to)
	}
}

// renameScanRoot replaces old by new in the list of scanned trees that a
// file function's refusal quotes (confine): absolute paths, which name a
// tree whatever the working directory.
func renameScanRoot(msg, old, new string) string {
	k := strings.Index(msg, escapeMarker+" (")
	if k < 0 {
		return msg
	}
	start := k + len(escapeMarker) + 2
	n := strings.IndexByte(msg[start:], ')')
	if n < 0 {
		return msg
	}
	roots := strings.Split(msg[start:start+n], ", ")
	for i, r := range roots {
		if r == old {
			roots[i] = new
		}
	}
	return msg[:start] + strings.Join(roots, ", ") + msg[start+n:]
}

// replacePath replaces the path old by new in msg wherever old stands
// as a path or begins one: after a space, bracket, quote or the start, and
// before a separator, the end, or punctuation. With new ".", a path that
// old begins loses it and its separator ("dir/a.tf" becomes "a.tf").
func replacePath(msg, old, new string) string {
	var b strings.Builder
	for {
		k := strings.Index(msg, old)
		if k < 0 {
			b.WriteString(msg)
			return b.String()
		}
		end := k + len(old)
		before := k == 0 || strings.ContainsRune(" \t([{\"'`=", rune(msg[k-1]))
		after := end == len(msg) || strings.ContainsRune("/ \t)]}\"'`:,;", rune(msg[end]))
		b.WriteString(msg[:k])
		switch {
		case !before || !after:
			b.WriteString(old)
		case new == "." && end < len(msg) && msg[end] == '/':
			end++
		default:
			b.WriteString(new)
		}
		msg = msg[end:]
	}
}

// Counterpart names a file under the directory own (as sources name files)
// as the file at the same place under other.
func Counterpart(own, other string) func(string) string {
	from, to := DisplayPath(own), DisplayPath(other)
	return func(f string) string { return swapPrefix(f, from, to, "/") }
}

// takeCalls returns, for those of dirs (directories that mention
// "module") whose files hold, byte for byte, what the leader parsed
// without a problem, the sources of the local modules the leader found
// them calling, and counts their files as a parse would. The others are
// parsed (parseAll); these are parsed only if a root that is not taken
// whole needs them.
func (w *world) takeCalls(dirs []string, pair *pairing) map[string][]string {
	<-pair.planned // the leader publishes its calls before its roots
	w.cache.mu.Lock()
	published := w.cache.calls
	w.cache.mu.Unlock()
	if len(published) == 0 {
		return nil
	}
	out := map[string][]string{}
	for _, d := range dirs {
		info := published[w.leaderName(d)]
		files := w.dirFiles(d)
		differs := func(f string) bool {
			want, ok := info.files[w.leaderName(f)]
			if !ok {
				return true
			}
			got, err := w.peek(f)
			return err != nil || !bytes.Equal(got, want)
		}
		if info == nil || len(files) != len(info.files) || slices.ContainsFunc(files, differs) {
			continue
		}
		out[d] = info.sources
		w.filesRead.add(d, info.n)
	}
	w.cache.mu.Lock()
	w.cache.callsTaken += len(out)
	w.cache.mu.Unlock()
	return out
}
