package rag

import (
	"testing"
)

// Five near-identical apps and two different ones, all fitting a broad
// question about as well: the diversified top five holds both different
// ones; a question with a confident pick keeps its order.
func TestDiversifyBroadQuestions(t *testing.T) {
	twin := []float32{1, 0, 0}
	vecs := [][]float32{twin, twin, twin, twin, twin, {0, 1, 0}, {0, 0, 1}}
	e := &Engine{opts: Options{Diversity: 0.3}, appVecs: newMatrix(vecs), twinSim: 0.5}
	broad := []scored{{app: 0, p: 0.45, strength: 7}, {app: 1, p: 0.44, strength: 6}, {app: 2, p: 0.43, strength: 5}, {app: 3, p: 0.42, strength: 4}, {app: 4, p: 0.41, strength: 3}, {app: 5, p: 0.38, strength: 2}, {app: 6, p: 0.36, strength: 1}}
	got := e.diversify(broad)
	top5 := map[int]bool{}
	for _, s := range got[:5] {
		top5[s.app] = true
	}
	if got[0].app != 0 || !top5[5] || !top5[6] {
		t.Errorf("diversified order %v: want the best first and both different apps in the top five", got)
	}
	if len(got) != len(broad) {
		t.Errorf("diversify changed the number of apps: %d", len(got))
	}

	confident := append([]scored{{app: 0, p: 0.9, strength: 9}}, broad[1:]...)
	if out := e.diversify(confident); out[1].app != 1 || out[5].app != 5 {
		t.Errorf("a question with a confident pick was reordered: %v", out)
	}
	few := []scored{{app: 0, p: 0.45, strength: 3}, {app: 1, p: 0.44, strength: 2}, {app: 5, p: 0.1, strength: 1}}
	if out := e.diversify(few); out[1].app != 1 {
		t.Errorf("a question with few close candidates was reordered: %v", out)
	}
	e.opts.Diversity = 0
	if out := e.diversify(broad); out[4].app != 4 {
		t.Errorf("diversity off still reordered: %v", out)
	}
}
