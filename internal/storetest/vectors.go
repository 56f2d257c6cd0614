package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/vrrec/vrrec"
)

// Vectors checks a vrrec.VectorStore.
func Vectors(t *testing.T, open func(t *testing.T) vrrec.VectorStore) {
	ctx := context.Background()
	s := open(t)
	if got, err := s.Vectors(ctx, "m1", []string{"a"}); err != nil || len(got) != 0 {
		t.Fatalf("an empty store returned %v, %v", got, err)
	}
	// More keys than one batch, vectors with awkward values.
	many := map[string][]float32{}
	for i := range 1200 {
		many[vrrec.TextKey(fmt.Sprint("text ", i))] = []float32{float32(i), -0.5, 1e-30, 3.4e38}
	}
	if err := s.SaveVectors(ctx, "m1", many); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveVectors(ctx, "m2", map[string][]float32{"a": {9}}); err != nil {
		t.Fatal(err)
	}
	keys := []string{"missing"}
	for k := range many {
		keys = append(keys, k)
	}
	got, err := s.Vectors(ctx, "m1", keys)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, many) {
		t.Errorf("read back %d vectors, want the %d saved", len(got), len(many))
	}
	if got, _ := s.Vectors(ctx, "m2", []string{"a", keys[1]}); !reflect.DeepEqual(got, map[string][]float32{"a": {9}}) {
		t.Errorf("model m2 holds %v; vectors of models must not mix", got)
	}
	// Saving again replaces, and leaves the others.
	k := keys[1]
	if err := s.SaveVectors(ctx, "m1", map[string][]float32{k: {1, 2}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Vectors(ctx, "m1", []string{k, keys[2]}); !reflect.DeepEqual(got[k], []float32{1, 2}) || !reflect.DeepEqual(got[keys[2]], many[keys[2]]) {
		t.Errorf("after replacing one vector: %v", got)
	}
}
