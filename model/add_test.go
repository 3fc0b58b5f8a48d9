package model

import (
	"reflect"
	"testing"
)

// Add and Take carry every list and count of the snapshot added: a field
// added to Snapshot later and forgotten there fails here.
func TestAddCarriesEveryField(t *testing.T) {
	for _, take := range []bool{false, true} {
		addEveryField(t, take)
	}
}

func addEveryField(t *testing.T, take bool) {
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
	if take {
		s.Take(&o)
		s.Take(&Snapshot{})
		if &s.Rules[0] != &o.Rules[0] {
			t.Error("Take copied a list it could take")
		}
	} else {
		s.Add(&o)
		s.Add(&Snapshot{})
		if &s.Rules[0] == &o.Rules[0] {
			t.Error("Add shares a list with the snapshot added")
		}
	}
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
				t.Errorf("take %v: IgnoreFiles = %v, want the sorted union", take, s.IgnoreFiles)
			}
		case name == "Unknowns":
			if s.Unknowns != 4 {
				t.Errorf("take %v: Unknowns = %d, want 4", take, s.Unknowns)
			}
		case f.Kind() == reflect.Slice && f.Len() != 2:
			t.Errorf("take %v: %s: %d elements after Add, want 2", take, name, f.Len())
		case f.Kind() == reflect.Int && f.Int() != 3:
			t.Errorf("take %v: %s = %d after Add, want 3", take, name, f.Int())
		}
	}
}
