package terraform

import (
	"path/filepath"
	"sync"
)

// pairing lets the two loads of a change analysis run at the same time
// and meet root by root: the leader (the working tree) evaluates a root,
// then the follower (the revision) evaluates its own copy of it, reusing
// what the leader parsed and, when nothing the root depends on differs,
// what it evaluated; the follower then lets go of the root's syntax
// trees. At most the roots between the two are held, rather than every
// tree of the repository until the second load begins.
type pairing struct {
	planned chan struct{} // closed once the leader's roots are known
	once    sync.Once
	mu      sync.Mutex
	roots   map[string]chan struct{} // the leader's roots → closed when evaluated
}

// Pair makes the cache pair two loads that run at the same time: the one
// whose Options.Follow is set waits, for each root, for the other's
// evaluation of the same directory. The leader must be started (its load
// always ends the pairing, even when it fails).
func (c *ParseCache) Pair() {
	c.pair = &pairing{planned: make(chan struct{}), roots: map[string]chan struct{}{}}
}

// plan publishes the leader's roots.
func (p *pairing) plan(roots []string) {
	p.mu.Lock()
	for _, r := range roots {
		if p.roots[r] == nil {
			p.roots[r] = make(chan struct{})
		}
	}
	p.mu.Unlock()
	p.once.Do(func() { close(p.planned) })
}

// done marks the leader's root evaluated (or abandoned).
func (p *pairing) done(root string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ch := p.roots[root]; ch != nil {
		close(ch)
		delete(p.roots, root)
	}
}

// finish ends the leader's load: whatever it did not reach is released.
func (p *pairing) finish() {
	p.once.Do(func() { close(p.planned) })
	p.mu.Lock()
	defer p.mu.Unlock()
	for r, ch := range p.roots {
		close(ch)
		delete(p.roots, r)
	}
}

// wait blocks the follower until the leader is done with root, when the
// leader has it.
func (p *pairing) wait(root string) {
	<-p.planned
	p.mu.Lock()
	ch := p.roots[root]
	p.mu.Unlock()
	if ch != nil {
		<-ch
	}
}

// releaseTrees drops the syntax trees of dir's files (their bytes stay,
// for comparing roots): the follower is done with them.
func (c *ParseCache) releaseTrees(dir string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range c.byDir[filepath.FromSlash(DisplayPath(dir))] {
		if f := c.m[name]; f.file != nil {
			c.m[name] = cachedFile{src: f.src}
		}
	}
}
