package usage

import "slices"

// Cluster groups unit vectors by average-linkage agglomerative clustering:
// the two groups whose members are most similar on average (mean cosine
// similarity of every cross pair) merge first, and merging stops when no
// two groups reach minSim. It returns the groups as indexes into vecs,
// each group in index order, the groups in the order of their first member.
// Weights count how often each vector occurs (nil: once each), so a
// question asked ten times pulls its group ten times as hard. It takes
// O(n²) memory and about O(n²) time for the merges a dashboard sees.
func Cluster(vecs [][]float32, weights []int, minSim float64) [][]int {
	n := len(vecs)
	if n == 0 {
		return nil
	}
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
		if weights != nil {
			w[i] = float64(max(weights[i], 1))
		}
	}
	sim := make([][]float64, n)
	for i := range sim {
		sim[i] = make([]float64, n)
		for j := range i {
			s := dot(vecs[i], vecs[j])
			sim[i][j], sim[j][i] = s, s
		}
	}
	members := make([][]int, n)
	alive := make([]bool, n)
	for i := range members {
		members[i], alive[i] = []int{i}, true
	}
	// best[i] is the live group most similar to i.
	best := make([]int, n)
	nearest := func(i int) int {
		b := -1
		for j := range n {
			if j != i && alive[j] && (b < 0 || sim[i][j] > sim[i][b]) {
				b = j
			}
		}
		return b
	}
	for i := range best {
		best[i] = nearest(i)
	}
	for {
		a := -1
		for i := range n {
			if alive[i] && best[i] >= 0 && (a < 0 || sim[i][best[i]] > sim[a][best[a]]) {
				a = i
			}
		}
		if a < 0 || sim[a][best[a]] < minSim {
			break
		}
		b := best[a]
		if b < a {
			a, b = b, a
		}
		// Average linkage (Lance-Williams): the merged group's similarity
		// to k is the weighted mean of its parts'.
		for k := range n {
			if alive[k] && k != a && k != b {
				s := (w[a]*sim[a][k] + w[b]*sim[b][k]) / (w[a] + w[b])
				sim[a][k], sim[k][a] = s, s
			}
		}
		w[a] += w[b]
		members[a] = append(members[a], members[b]...)
		alive[b], members[b] = false, nil
		for k := range n {
			if alive[k] && (k == a || best[k] == a || best[k] == b) {
				best[k] = nearest(k)
			} else if alive[k] && best[k] >= 0 && sim[k][a] > sim[k][best[k]] {
				best[k] = a
			}
		}
	}
	var out [][]int
	for i := range n {
		if alive[i] {
			slices.Sort(members[i])
			out = append(out, members[i])
		}
	}
	return out
}

func dot(a, b []float32) float64 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}
