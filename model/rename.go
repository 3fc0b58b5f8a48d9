package model

import (
	"reflect"
	"sync"
)

// RenameFiles replaces the file of every Source in the snapshot by what
// rename returns for it. Slices on the way to a Source are copied, never
// written in place: a snapshot may share them with another (change
// analysis reuses a root's results from the other side).
func (s *Snapshot) RenameFiles(rename func(string) string) {
	// a snapshot names few files from many sources: each is renamed once,
	// and the sources of one file share the new name
	renamed := map[string]string{}
	once := func(f string) string {
		r, ok := renamed[f]
		if !ok {
			r = rename(f)
			renamed[f] = r
		}
		return r
	}
	renamers.of(reflect.TypeOf(s).Elem())(reflect.ValueOf(s).Elem(), once)
	s.index = nil
}

var sourceType = reflect.TypeOf(Source{})

// EachSource calls f on every Source in the snapshot, which f may edit in
// place: the snapshot must share nothing that holds one with another (a
// Clone, or lists taken from one).
func (s *Snapshot) EachSource(f func(*Source)) {
	visitors.of(reflect.TypeOf(s).Elem())(reflect.ValueOf(s).Elem(), f)
}

// A visitor calls f on every Source within v (addressable).
type visitor func(v reflect.Value, f func(*Source))

// visitors holds one visitor per type, which visits only the fields and
// elements that may hold a Source (a change analysis moves the sources of
// thousands of small views of a snapshot: walking every field of each by
// reflection cost more than moving them).
var visitors = &perType[visitor]{}

func init() { visitors.make = makeVisitor }

// perType makes, on first use, and holds one F per type.
type perType[F any] struct {
	make func(reflect.Type) F
	m    sync.Map // reflect.Type → F
}

// of returns the F of type t, made on first use.
func (c *perType[F]) of(t reflect.Type) F {
	if f, ok := c.m.Load(t); ok {
		return f.(F)
	}
	f := c.make(t)
	c.m.Store(t, f)
	return f
}

// lazy returns a function giving the F of t, looked up on its first call
// (a type may hold itself, so its F may be needed while it is being made).
func (c *perType[F]) lazy(t reflect.Type) func() F {
	var once sync.Once
	var f F
	return func() F {
		once.Do(func() { f = c.of(t) })
		return f
	}
}

func makeVisitor(t reflect.Type) visitor {
	vs := visitors
	if !holdsSource(t) {
		return func(reflect.Value, func(*Source)) {}
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == sourceType {
			return func(v reflect.Value, f func(*Source)) { f(v.Addr().Interface().(*Source)) }
		}
		type field struct {
			i int
			v func() visitor
		}
		var fields []field
		for i := 0; i < t.NumField(); i++ {
			if sf := t.Field(i); sf.IsExported() && holdsSource(sf.Type) {
				fields = append(fields, field{i, vs.lazy(sf.Type)})
			}
		}
		return func(v reflect.Value, f func(*Source)) {
			for _, fd := range fields {
				fd.v()(v.Field(fd.i), f)
			}
		}
	case reflect.Slice, reflect.Array:
		elem := vs.lazy(t.Elem())
		return func(v reflect.Value, f func(*Source)) {
			if n := v.Len(); n > 0 {
				e := elem()
				for i := 0; i < n; i++ {
					e(v.Index(i), f)
				}
			}
		}
	case reflect.Pointer:
		elem := vs.lazy(t.Elem())
		return func(v reflect.Value, f func(*Source)) {
			if !v.IsNil() {
				elem()(v.Elem(), f)
			}
		}
	case reflect.Map:
		// a map's values are not addressable: each is copied, visited
		// and stored again
		elem := vs.lazy(t.Elem())
		return func(v reflect.Value, f func(*Source)) {
			e := elem()
			for _, k := range v.MapKeys() {
				x := reflect.New(t.Elem()).Elem()
				x.Set(v.MapIndex(k))
				e(x, f)
				v.SetMapIndex(k, x)
			}
		}
	}
	return func(reflect.Value, func(*Source)) {}
}

var holds sync.Map // reflect.Type → bool

// holdsSource reports whether values of type t can contain a Source.
func holdsSource(t reflect.Type) bool {
	if h, ok := holds.Load(t); ok {
		return h.(bool)
	}
	h := holdsSourceSeen(t, map[reflect.Type]bool{})
	holds.Store(t, h)
	return h
}

func holdsSourceSeen(t reflect.Type, seen map[reflect.Type]bool) bool {
	if t == sourceType {
		return true
	}
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() && holdsSourceSeen(t.Field(i).Type, seen) {
				return true
			}
		}
	case reflect.Slice, reflect.Array, reflect.Pointer, reflect.Map:
		return holdsSourceSeen(t.Elem(), seen)
	}
	return false
}

// A copier copies, in v (settable, holding a copy of a value), the slices,
// maps and pointers on the way to the values its set reaches, so that v
// shares none of them with the value it was copied from (interfaces,
// channels and functions are kept as they are); with rename, it also
// renames the file of every Source it reaches.
type copier func(v reflect.Value, rename func(string) string)

// copiers makes and holds one copier per type: it visits only what reaches
// says may hold what it copies for.
type copiers struct {
	reaches func(reflect.Type) bool
	perType[copier]
}

func newCopiers(reaches func(reflect.Type) bool) *copiers {
	c := &copiers{reaches: reaches}
	c.perType.make = c.makeCopier
	return c
}

var (
	// renamers reach the Sources (RenameFiles)
	renamers = newCopiers(holdsSource)
	// cloners reach everything a copy would share (Clone)
	cloners = newCopiers(func(t reflect.Type) bool { return !flat(t) })
)

func (c *copiers) makeCopier(t reflect.Type) copier {
	if !c.reaches(t) {
		return func(reflect.Value, func(string) string) {}
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == sourceType {
			return func(v reflect.Value, rename func(string) string) {
				if src := v.Addr().Interface().(*Source); rename != nil && src.File != "" {
					src.File = rename(src.File)
				}
			}
		}
		type field struct {
			i int
			c func() copier
		}
		var fields []field
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && c.reaches(f.Type) {
				fields = append(fields, field{i, c.lazy(f.Type)})
			}
		}
		return func(v reflect.Value, rename func(string) string) {
			for _, f := range fields {
				f.c()(v.Field(f.i), rename)
			}
		}
	case reflect.Slice:
		elem, reached := c.lazy(t.Elem()), c.reaches(t.Elem())
		return func(v reflect.Value, rename func(string) string) {
			if v.IsNil() {
				return
			}
			s := reflect.MakeSlice(t, v.Len(), v.Len())
			reflect.Copy(s, v)
			if reached {
				e := elem()
				for i := 0; i < s.Len(); i++ {
					e(s.Index(i), rename)
				}
			}
			v.Set(s)
		}
	case reflect.Array:
		elem := c.lazy(t.Elem())
		return func(v reflect.Value, rename func(string) string) {
			e := elem()
			for i := 0; i < v.Len(); i++ {
				e(v.Index(i), rename)
			}
		}
	case reflect.Pointer:
		elem := c.lazy(t.Elem())
		return func(v reflect.Value, rename func(string) string) {
			if v.IsNil() {
				return
			}
			p := reflect.New(t.Elem())
			p.Elem().Set(v.Elem())
			elem()(p.Elem(), rename)
			v.Set(p)
		}
	case reflect.Map:
		elem := c.lazy(t.Elem())
		return func(v reflect.Value, rename func(string) string) {
			if v.IsNil() {
				return
			}
			m := reflect.MakeMapWithSize(t, v.Len())
			e := elem()
			iter := v.MapRange()
			for iter.Next() {
				x := reflect.New(t.Elem()).Elem()
				x.Set(iter.Value())
				e(x, rename)
				m.SetMapIndex(iter.Key(), x)
			}
			v.Set(m)
		}
	}
	return func(reflect.Value, func(string) string) {}
}

// Clone returns a deep copy of the snapshot: no slice, map or pointer is
// shared with s (strings are). A load that takes a root's result from the
// other side of a change analysis takes a clone: each side then edits its
// own snapshot in place (finishing it, adding state files) without
// touching the other's.
func (s *Snapshot) Clone() *Snapshot {
	c := &Snapshot{}
	cv, sv := reflect.ValueOf(c).Elem(), reflect.ValueOf(s).Elem()
	t := sv.Type()
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() {
			cv.Field(i).Set(sv.Field(i))
			cloners.of(f.Type)(cv.Field(i), nil)
		}
	}
	return c
}

var flats sync.Map // reflect.Type → bool

// flat reports whether a copy of a value of type t shares nothing mutable
// with it (unexported fields, such as netip.Prefix's, count as flat).
func flat(t reflect.Type) bool {
	if f, ok := flats.Load(t); ok {
		return f.(bool)
	}
	f := true
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func:
		f = false
	case reflect.Array:
		f = flat(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() && !flat(t.Field(i).Type) {
				f = false
			}
		}
	}
	flats.Store(t, f)
	return f
}
