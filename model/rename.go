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
	v := reflect.ValueOf(s).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			renameIn(v.Field(i), rename)
		}
	}
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

// renameIn renames the Sources in v, which must be settable.
func renameIn(v reflect.Value, rename func(string) string) {
	t := v.Type()
	if !holdsSource(t) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == sourceType {
			src := v.Addr().Interface().(*Source)
			if src.File != "" {
				src.File = rename(src.File)
			}
			return
		}
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() {
				renameIn(v.Field(i), rename)
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		c := reflect.MakeSlice(t, v.Len(), v.Len())
		reflect.Copy(c, v)
		for i := 0; i < c.Len(); i++ {
			renameIn(c.Index(i), rename)
		}
		v.Set(c)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			renameIn(v.Index(i), rename)
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		c := reflect.New(t.Elem())
		c.Elem().Set(v.Elem())
		renameIn(c.Elem(), rename)
		v.Set(c)
	case reflect.Map:
		if v.IsNil() {
			return
		}
		c := reflect.MakeMapWithSize(t, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			e := reflect.New(t.Elem()).Elem()
			e.Set(iter.Value())
			renameIn(e, rename)
			c.SetMapIndex(iter.Key(), e)
		}
		v.Set(c)
	}
}
