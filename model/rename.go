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
	renamerOf(reflect.TypeOf(s).Elem())(reflect.ValueOf(s).Elem(), once)
	s.index = nil
}

var sourceType = reflect.TypeOf(Source{})

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

// A renamer renames the Sources in v, which must be settable, copying the
// slices, maps and pointers on the way to them.
type renamer func(v reflect.Value, rename func(string) string)

// renamers holds the renamer of each type, made once: it visits only the
// fields that can hold a Source.
var renamers = &perType[renamer]{}

func renamerOf(t reflect.Type) renamer { return renamers.of(t, makeRenamer) }

func renamerFor(t reflect.Type) func() renamer { return renamers.lazy(t, makeRenamer) }

// perType holds functions made once per type (by the build function its
// callers give).
type perType[F any] struct {
	m sync.Map // reflect.Type → F
}

// of returns the function of type t, made on first use.
func (p *perType[F]) of(t reflect.Type, build func(reflect.Type) F) F {
	if f, ok := p.m.Load(t); ok {
		return f.(F)
	}
	f := build(t)
	p.m.Store(t, f)
	return f
}

// lazy returns a function giving the function of t, looked up on its first
// call (a type may hold itself, so its function may be needed while it is
// being made).
func (p *perType[F]) lazy(t reflect.Type, build func(reflect.Type) F) func() F {
	var once sync.Once
	var f F
	return func() F {
		once.Do(func() { f = p.of(t, build) })
		return f
	}
}

func makeRenamer(t reflect.Type) renamer {
	if !holdsSource(t) {
		return func(reflect.Value, func(string) string) {}
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == sourceType {
			return func(v reflect.Value, rename func(string) string) {
				if src := v.Addr().Interface().(*Source); src.File != "" {
					src.File = rename(src.File)
				}
			}
		}
		type field struct {
			i int
			r func() renamer
		}
		var fields []field
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && holdsSource(f.Type) {
				fields = append(fields, field{i, renamerFor(f.Type)})
			}
		}
		return func(v reflect.Value, rename func(string) string) {
			for _, f := range fields {
				f.r()(v.Field(f.i), rename)
			}
		}
	case reflect.Slice:
		elem := renamerFor(t.Elem())
		return func(v reflect.Value, rename func(string) string) {
			if v.IsNil() {
				return
			}
			c := reflect.MakeSlice(t, v.Len(), v.Len())
			reflect.Copy(c, v)
			r := elem()
			for i := 0; i < c.Len(); i++ {
				r(c.Index(i), rename)
			}
			v.Set(c)
		}
	case reflect.Array:
		elem := renamerFor(t.Elem())
		return func(v reflect.Value, rename func(string) string) {
			r := elem()
			for i := 0; i < v.Len(); i++ {
				r(v.Index(i), rename)
			}
		}
	case reflect.Pointer:
		elem := renamerFor(t.Elem())
		return func(v reflect.Value, rename func(string) string) {
			if v.IsNil() {
				return
			}
			c := reflect.New(t.Elem())
			c.Elem().Set(v.Elem())
			elem()(c.Elem(), rename)
			v.Set(c)
		}
	case reflect.Map:
		elem := renamerFor(t.Elem())
		return func(v reflect.Value, rename func(string) string) {
			if v.IsNil() {
				return
			}
			c := reflect.MakeMapWithSize(t, v.Len())
			r := elem()
			iter := v.MapRange()
			for iter.Next() {
				e := reflect.New(t.Elem()).Elem()
				e.Set(iter.Value())
				r(e, rename)
				c.SetMapIndex(iter.Key(), e)
			}
			v.Set(c)
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
			clonerOf(f.Type)(cv.Field(i))
		}
	}
	return c
}

// A cloner replaces the slices, maps and pointers in v, which must be
// settable and hold a copy of a value, by copies of their own, down to
// values that share nothing mutable (flat); interfaces, channels and
// functions are kept as they are.
type cloner func(v reflect.Value)

// cloners holds the cloner of each type, made once: it visits only the
// fields that are not flat.
var cloners = &perType[cloner]{}

func clonerOf(t reflect.Type) cloner { return cloners.of(t, makeCloner) }

func clonerFor(t reflect.Type) func() cloner { return cloners.lazy(t, makeCloner) }

func makeCloner(t reflect.Type) cloner {
	if flat(t) {
		return func(reflect.Value) {}
	}
	switch t.Kind() {
	case reflect.Struct:
		type field struct {
			i int
			c func() cloner
		}
		var fields []field
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && !flat(f.Type) {
				fields = append(fields, field{i, clonerFor(f.Type)})
			}
		}
		return func(v reflect.Value) {
			for _, f := range fields {
				f.c()(v.Field(f.i))
			}
		}
	case reflect.Slice:
		elem, flatElem := clonerFor(t.Elem()), flat(t.Elem())
		return func(v reflect.Value) {
			if v.IsNil() {
				return
			}
			c := reflect.MakeSlice(t, v.Len(), v.Len())
			reflect.Copy(c, v)
			if !flatElem {
				e := elem()
				for i := 0; i < c.Len(); i++ {
					e(c.Index(i))
				}
			}
			v.Set(c)
		}
	case reflect.Array:
		elem := clonerFor(t.Elem())
		return func(v reflect.Value) {
			e := elem()
			for i := 0; i < v.Len(); i++ {
				e(v.Index(i))
			}
		}
	case reflect.Pointer:
		elem := clonerFor(t.Elem())
		return func(v reflect.Value) {
			if v.IsNil() {
				return
			}
			c := reflect.New(t.Elem())
			c.Elem().Set(v.Elem())
			elem()(c.Elem())
			v.Set(c)
		}
	case reflect.Map:
		elem := clonerFor(t.Elem())
		return func(v reflect.Value) {
			if v.IsNil() {
				return
			}
			c := reflect.MakeMapWithSize(t, v.Len())
			e := elem()
			iter := v.MapRange()
			for iter.Next() {
				x := reflect.New(t.Elem()).Elem()
				x.Set(iter.Value())
				e(x)
				c.SetMapIndex(iter.Key(), x)
			}
			v.Set(c)
		}
	}
	return func(reflect.Value) {}
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
