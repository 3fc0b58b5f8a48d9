package terraform

import (
	"bytes"
	"path/filepath"
	"sync"

	"github.com/hashicorp/hcl/v2"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// ParseCache shares parsed files between the loads of one run (the two
// sides of change analysis): a file with the same name and bytes on both
// sides is parsed once. A file's syntax tree depends on nothing else, and
// it is only read after the parse, so sharing it changes no result.
type ParseCache struct {
	mu sync.Mutex
	m  map[string]cachedFile
	// roots holds what each root module evaluated to, with everything the
	// evaluation read, so that the other side reuses it when all of that
	// is the same there.
	roots map[string]*rootResult
	// reused counts the roots taken from the other side, replayed the
	// blocks whose extraction was (replay.go), of which replayedBelow in
	// module instances below a root.
	reused, replayed, replayedBelow int
	// keep, when set, says which directories' syntax trees are worth
	// keeping for the other side; the others' are parsed again there if
	// needed (holding every tree of a large repository costs more in
	// collection than parsing a few again).
	keep func(dir string) bool
	// byDir lists the cached files by directory.
	byDir map[string][]string
	// pair, when set, pairs two loads running at the same time (Pair).
	pair *pairing
	// ahead holds the files the follower parsed while the leader
	// evaluated their root (parseAhead), by the follower's name, until
	// its own parse takes them
	ahead map[string]cachedFile
	// calls holds, by the leader's name, the local module calls of each
	// directory the leader parsed (to learn which directories are roots)
	// without a problem: the follower takes them for a directory with the
	// same bytes instead of parsing it (world.takeCalls)
	calls map[string]*dirCalls
	// callsTaken counts the directories whose calls the follower took
	// (for tests)
	callsTaken int
	// madeAhead and takenAhead count the trees parsed ahead and those
	// taken, modulesAhead the large roots read lazily ahead and taken
	// (for tests)
	madeAhead, takenAhead, modulesAhead int
}

type cachedFile struct {
	src   []byte
	file  *hcl.File
	diags hcl.Diagnostics
}

// NewParseCache returns an empty cache.
func NewParseCache() *ParseCache {
	return &ParseCache{m: map[string]cachedFile{}, roots: map[string]*rootResult{}, byDir: map[string][]string{},
		ahead: map[string]cachedFile{}}
}

// KeepTrees limits the syntax trees the cache keeps to the files of the
// directories for which keep is true, from now on and among those kept so
// far (roots are compared by the bytes each side read, not by the cache).
// It may be called while a load runs.
func (c *ParseCache) KeepTrees(keep func(dir string) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keep = keep
	for name, f := range c.m {
		if f.file != nil && !keep(cacheDir(name)) {
			c.m[name] = cachedFile{}
		}
	}
}

// cacheDir is the directory of a file named as the cache names it.
func cacheDir(name string) string { return filepath.Dir(filepath.FromSlash(name)) }

// countReplays counts blocks replayed in a root and below it.
func (c *ParseCache) countReplays(root, below int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.replayed += root + below
	c.replayedBelow += below
}

// lookup returns the tree parsed before for key and the same bytes; a nil
// cache has none.
func (c *ParseCache) lookup(key string, src []byte) (*hcl.File, hcl.Diagnostics, bool) {
	if c == nil {
		return nil, nil, false
	}
	c.mu.Lock()
	hit, ok := c.m[key]
	c.mu.Unlock()
	if ok && hit.file != nil && bytes.Equal(hit.src, src) {
		return hit.file, hit.diags, true
	}
	return nil, nil, false
}

// parse parses one file, or returns the tree parsed before for the same
// key and bytes. A file is cached under its key when that is its name (a
// mirrored follower looks files up under the leader's names, and its own
// would serve no one). A nil cache parses.
func (c *ParseCache) parse(name, key string, src []byte, json bool) (*hcl.File, hcl.Diagnostics) {
	if f, diags, ok := c.lookup(key, src); ok {
		return f, diags
	}
	f, diags, ok := c.takeAhead(name, src)
	if !ok {
		f, diags = parseFile(name, src, json)
	}
	if c != nil && key == name {
		c.mu.Lock()
		if _, seen := c.m[name]; !seen {
			d := cacheDir(name)
			c.byDir[d] = append(c.byDir[d], name)
		}
		if c.keep != nil && !c.keep(cacheDir(name)) {
			c.m[name] = cachedFile{}
		} else {
			c.m[name] = cachedFile{src: src, file: f, diags: diags}
		}
		c.mu.Unlock()
	}
	return f, diags
}

// parseFile parses one file's bytes.
func parseFile(name string, src []byte, json bool) (*hcl.File, hcl.Diagnostics) {
	if json {
		return hcljson.Parse(src, name)
	}
	f, diags := parseNative(src, name)
	if f != nil {
		unaliasResourceRefs(f, src)
	}
	return f, diags
}

// parseAhead parses, for the follower, a file (named name, key as the
// leader names it) whose bytes differ from those the leader parsed under
// key, and holds the tree until the follower's parse takes it; a file
// the leader did not parse, or holds no tree of, is left to that parse,
// as is one that fails the checks ok makes before a parse.
func (c *ParseCache) parseAhead(name, key string, src []byte, json bool, ok func([]byte) bool) {
	c.mu.Lock()
	hit := c.m[key]
	_, held := c.ahead[name]
	c.mu.Unlock()
	if hit.file == nil || held || bytes.Equal(hit.src, src) || !ok(src) {
		return
	}
	f, diags := parseFile(name, src, json)
	c.mu.Lock()
	c.ahead[name] = cachedFile{src: src, file: f, diags: diags}
	c.madeAhead++
	c.mu.Unlock()
}

// takeAhead returns the tree parseAhead made of name, for the same bytes.
func (c *ParseCache) takeAhead(name string, src []byte) (*hcl.File, hcl.Diagnostics, bool) {
	if c == nil {
		return nil, nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	hit, ok := c.ahead[name]
	delete(c.ahead, name)
	if !ok || !bytes.Equal(hit.src, src) {
		return nil, nil, false
	}
	c.takenAhead++
	return hit.file, hit.diags, true
}

// dirCalls is what the leader found a directory calling: the bytes of
// its files by name, how many parsed, and the sources of its local module
// calls in order.
type dirCalls struct {
	files   map[string][]byte
	n       int
	sources []string
}

// publishCalls gives the follower the leader's calls (before the leader
// publishes its roots: the follower reads them once those are known).
func (c *ParseCache) publishCalls(calls map[string]*dirCalls) {
	c.mu.Lock()
	c.calls = calls
	c.mu.Unlock()
}
