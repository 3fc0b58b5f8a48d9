package model

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// fill gives v (settable) a value in every exported field, two elements in
// every slice, one entry in every map and a File "old/<path>" in every
// Source, down to depth.
func fill(v reflect.Value, path string, depth int) {
	if depth == 0 {
		return
	}
	t := v.Type()
	switch t.Kind() {
	case reflect.Struct:
		if t == sourceType {
			v.Addr().Interface().(*Source).File = "old/" + path
			return
		}
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() {
				fill(v.Field(i), path+"."+t.Field(i).Name, depth-1)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(t, 2, 2)
		for i := 0; i < 2; i++ {
			fill(s.Index(i), path+"[]", depth-1)
		}
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		fill(p.Elem(), path, depth-1)
		v.Set(p)
	case reflect.Map:
		m := reflect.MakeMap(t)
		k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		fill(e, path+"{}", depth-1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.String:
		v.SetString(path)
	}
}

// filled is a snapshot with a value in every field (fill), and its JSON.
func filled(t *testing.T) (Snapshot, string) {
	t.Helper()
	var s Snapshot
	fill(reflect.ValueOf(&s).Elem(), "snap", 12)
	b, err := json.Marshal(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s, string(b)
}

// Every Source of a snapshot is renamed, wherever it is held, and a
// snapshot sharing its slices, maps and pointers keeps its own names.
func TestRenameFiles(t *testing.T) {
	s, before := filled(t)
	sources := strings.Count(before, `"old/`)
	if sources < 20 {
		t.Fatalf("only %d sources filled", sources)
	}
	renamed := s // shares every slice, map and pointer with s
	renamed.RenameFiles(func(f string) string { return "new/" + strings.TrimPrefix(f, "old/") })
	after, _ := json.Marshal(&renamed)
	if n := strings.Count(string(after), `"new/`); n != sources || strings.Contains(string(after), `"old/`) {
		t.Errorf("%d of %d sources renamed: %s", n, sources, after)
	}
	if again, _ := json.Marshal(&s); string(again) != before {
		t.Errorf("renaming a copy changed the original")
	}
	if strings.ReplaceAll(string(after), `"new/`, `"old/`) != before {
		t.Errorf("renaming changed more than files")
	}
}

// scribble writes, in place, over every string and int reachable from v
// (settable) through slices, pointers and maps, without replacing any of
// them: what shares them with another value changes that value too.
func scribble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				scribble(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			scribble(v.Index(i))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			scribble(v.Elem())
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(iter.Value())
			scribble(e)
			v.SetMapIndex(iter.Key(), e)
		}
	case reflect.String:
		v.SetString("scribbled")
	case reflect.Int:
		v.SetInt(7)
	}
}

// A clone is equal to the snapshot and shares nothing with it that an edit
// in place could reach.
func TestClone(t *testing.T) {
	s, before := filled(t)
	c := s.Clone()
	if !reflect.DeepEqual(c, &s) {
		t.Fatalf("the clone differs")
	}
	scribble(reflect.ValueOf(c).Elem())
	after, _ := json.Marshal(c)
	if string(after) == before || !strings.Contains(string(after), "scribbled") {
		t.Fatalf("nothing scribbled")
	}
	if again, _ := json.Marshal(&s); string(again) != before {
		t.Errorf("editing the clone in place changed the original")
	}
	// and the other way round
	d := s.Clone()
	scribble(reflect.ValueOf(&s).Elem())
	if again, _ := json.Marshal(d); string(again) != before {
		t.Errorf("editing the original in place changed the clone")
	}
}

// EachSource reaches every Source, wherever it is held (map values
// included), and its edits stay.
func TestEachSource(t *testing.T) {
	s, before := filled(t)
	sources := strings.Count(before, `"old/`)
	c := s.Clone()
	visited := 0
	c.EachSource(func(src *Source) {
		visited++
		src.File = "new/" + strings.TrimPrefix(src.File, "old/")
		src.StartLine += 1000
	})
	after, _ := json.Marshal(c)
	if visited != sources || strings.Count(string(after), `"new/`) != sources || strings.Contains(string(after), `"old/`) {
		t.Errorf("%d visited, %d of %d sources edited: %s", visited, strings.Count(string(after), `"new/`), sources, after)
	}
	if again, _ := json.Marshal(&s); string(again) != before {
		t.Error("the snapshot cloned was edited")
	}
}
