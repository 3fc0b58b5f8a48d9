package model

import (
	"reflect"
	"testing"
)

// Add carries every list and count of the snapshot added: a field added to
// Snapshot later and forgotten in Add fails here.
func TestAddCarriesEveryField(t *testing.T) {
	var o Snapshot
	v := reflect.ValueOf(&o).Elem()
	for i := 0; i < v.NumField(); i++ {
		if !v.Type().Field(i).IsExported() {
			continue
		}
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 2, 2))
			if f.Type().Elem().Kind() == reflect.String {
				f.Index(0).SetString("a.tf")
				f.Index(1).SetString("b.tf")
			}
		case reflect.Int:
			f.SetInt(3)
		default:
			t.Fatalf("field %s of kind %s: teach Add and this test about it", v.Type().Field(i).Name, f.Kind())
		}
	}
	s := Snapshot{IgnoreFiles: []string{"b.tf", "c.tf"}, Unknowns: 1}
	s.Add(&o)
	s.Add(&Snapshot{})
	sv := reflect.ValueOf(&s).Elem()
	for i := 0; i < sv.NumField(); i++ {
		name := sv.Type().Field(i).Name
		if !sv.Type().Field(i).IsExported() {
			continue
		}
		f := sv.Field(i)
		switch {
		case name == "IgnoreFiles":
			if !reflect.DeepEqual(s.IgnoreFiles, []string{"a.tf", "b.tf", "c.tf"}) {
				t.Errorf("IgnoreFiles = %v, want the sorted union", s.IgnoreFiles)
			}
		case name == "Unknowns":
			if s.Unknowns != 4 {
				t.Errorf("Unknowns = %d, want 4", s.Unknowns)
			}
		case f.Kind() == reflect.Slice && f.Len() != 2:
			t.Errorf("%s: %d elements after Add, want 2", name, f.Len())
		case f.Kind() == reflect.Int && f.Int() != 3:
			t.Errorf("%s = %d after Add, want 3", name, f.Int())
		}
	}
}
