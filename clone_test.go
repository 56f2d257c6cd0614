package vrrec_test

import (
	"reflect"
	"testing"

	"github.com/vrrec/vrrec"
)

// fill sets every slice in v, however deep, to one element, and every
// string to a value, so a clone can be checked field by field.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.String:
		v.SetString("x")
	}
}

// sharesSlice reports the path of a slice a and b share.
func sharesSlice(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if a.Type().Field(i).IsExported() {
				if p := sharesSlice(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
					return p
				}
			}
		}
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for i := 0; i < a.Len(); i++ {
			if p := sharesSlice(a.Index(i), b.Index(i), path+"[i]"); p != "" {
				return p
			}
		}
	}
	return ""
}

// A clone shares no slice with its original, at any depth: a field added
// to Result, Need or AppRecommendation without its copy fails here.
func TestResultCloneSharesNothing(t *testing.T) {
	var r vrrec.Result
	fill(reflect.ValueOf(&r).Elem())
	c := r.Clone()
	if !reflect.DeepEqual(&r, c) {
		t.Fatalf("clone differs: %+v", c)
	}
	if p := sharesSlice(reflect.ValueOf(r), reflect.ValueOf(*c), "Result"); p != "" {
		t.Errorf("the clone shares %s with the original", p)
	}
	c.Apps[0].MatchedSkills[0] = "changed"
	if r.Apps[0].MatchedSkills[0] != "x" {
		t.Error("changing the clone changed the original")
	}
}
