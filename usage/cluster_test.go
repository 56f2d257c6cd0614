package usage

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// unit returns the unit vector at angle degrees in the plane.
func unit(deg float64) []float32 {
	r := deg * math.Pi / 180
	return []float32{float32(math.Cos(r)), float32(math.Sin(r))}
}

func TestClusterIsAverageLinkage(t *testing.T) {
	// 0°, 40° and 85°: 0° and 40° are cos 40° = 0.77 apart, 40° and 85°
	// cos 45° = 0.71, the ends cos 85° = 0.09. Single linkage at 0.7 would
	// chain all three; average linkage joins 0° and 40°, then 85° sees
	// them at (0.71+0.09)/2 = 0.40 and stays apart.
	vecs := [][]float32{unit(0), unit(40), unit(85), unit(180)}
	if got := Cluster(vecs, nil, 0.7); !reflect.DeepEqual(got, [][]int{{0, 1}, {2}, {3}}) {
		t.Errorf("at 0.7: %v", got)
	}
	if got := Cluster(vecs, nil, 0.35); !reflect.DeepEqual(got, [][]int{{0, 1, 2}, {3}}) {
		t.Errorf("at 0.35: %v", got)
	}
	if got := Cluster(vecs, nil, 1.1); len(got) != 4 {
		t.Errorf("nothing reaches 1.1: %v", got)
	}
	if got := Cluster(nil, nil, 0.5); got != nil {
		t.Errorf("no vectors: %v", got)
	}
}

func TestClusterWeighsRepeatedQuestions(t *testing.T) {
	// 80° is 0.17 from 0° and 0.77 from 40°. Asked once each, the pair
	// {0°, 40°} is 0.47 from 80°; with 40° asked eight times it is
	// (1·0.17 + 8·0.77)/9 = 0.70.
	vecs := [][]float32{unit(0), unit(40), unit(80)}
	if got := Cluster(vecs, []int{1, 1, 1}, 0.6); len(got) != 2 {
		t.Errorf("asked once each: %v", got)
	}
	if got := Cluster(vecs, []int{1, 8, 1}, 0.6); len(got) != 1 {
		t.Errorf("40° asked eight times: %v", got)
	}
}

// BenchmarkCluster groups as many distinct questions as a demand report
// reads at most (MaxUnmet), as 384-dimensional unit vectors.
func BenchmarkCluster(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	vecs := make([][]float32, MaxUnmet)
	for i := range vecs {
		v := make([]float32, 384)
		var n float64
		for j := range v {
			v[j] = float32(rng.NormFloat64())
			n += float64(v[j] * v[j])
		}
		for j := range v {
			v[j] /= float32(math.Sqrt(n))
		}
		vecs[i] = v
	}
	for b.Loop() {
		Cluster(vecs, nil, TopicSimilarity)
	}
}
