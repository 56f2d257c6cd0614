package rag

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// Sample is one (query, app) pair of a labeled set: the evidence retrieval
// found and how relevant an advisor judged the app (1 relevant, 0.5
// acceptable, 0 not).
type Sample struct {
	Evidence Evidence
	Label    float64
	Query    int // which query: pairs and the best app are taken within one
}

// Evidence returns the evidence for every app of the catalog for a query,
// in catalog order, for fitting Weights.
func (e *Engine) Evidence(ctx context.Context, query string) ([]Evidence, error) {
	u := e.understand(query)
	qv, err := e.queryVector(ctx, u)
	if err != nil {
		return nil, err
	}
	return e.gather(ctx, u, qv, e.skillStanding(qv))
}

// Fit returns the weights that fit the labels, in two stages.
//
// Ranking: the evidence weights of a logistic model whose objective has
// two parts, the likelihood of each label and, weighted by pairs, the
// likelihood that of two apps for one query the more relevant one is
// stronger (which orders apps better than the first part alone).
//
// Calibration: a logistic model of the label on the strength of the app
// and the strength of its query's best app (both scaled by the share of
// the query the catalog covers), so the probability reflects both how
// well the app matches and whether anything matches well.
//
// l2 penalises every weight but the intercepts. Evidence weights and the
// calibration's Scale are kept non-negative.
func Fit(samples []Sample, l2, pairs float64) Weights {
	xs := make([][]float64, len(samples))
	ys := make([]float64, len(samples))
	for i, s := range samples {
		xs[i] = append([]float64{1}, s.Evidence.vector()...)
		ys[i] = s.Label
	}
	// Pairs within each query: (more relevant, less relevant, label gap).
	byQuery := map[int][]int{}
	for i, s := range samples {
		byQuery[s.Query] = append(byQuery[s.Query], i)
	}
	var ps []pair
	for _, idx := range byQuery {
		for _, i := range idx {
			for _, j := range idx {
				if ys[i] > ys[j] {
					ps = append(ps, pair{i, j, ys[i] - ys[j]})
				}
			}
		}
	}
	nonneg := make([]bool, features+1)
	for j := 1; j <= features; j++ {
		nonneg[j] = true
	}
	rank := logistic(xs, ys, ps, pairs, l2, nonneg)
	w := weightsFrom(rank[1:])

	// The calibration is fitted on the apps an answer shows, the top
	// calibrateTop of each query: their probability is what students see.
	best := map[int]float64{}
	strength := make([]float64, len(samples))
	for i, s := range samples {
		strength[i] = (1 - s.Evidence.Uncovered) * w.strength(s.Evidence)
		if b, ok := best[s.Query]; !ok || strength[i] > b {
			best[s.Query] = strength[i]
		}
	}
	var cs [][]float64
	var cy []float64
	for _, idx := range byQuery {
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(strength[b], strength[a]) })
		for _, i := range idx[:min(calibrateTop, len(idx))] {
			cs = append(cs, []float64{1, strength[i], best[samples[i].Query]})
			cy = append(cy, ys[i])
		}
	}
	cal := logistic(cs, cy, nil, 0, l2, []bool{false, true, false})
	w.Bias, w.Scale, w.Best = cal[0], cal[1], cal[2]
	return w
}

// calibrateTop is how many apps of each query the calibration is fitted on.
const calibrateTop = 8

// pair is two samples of one query, hi more relevant than lo by gap.
type pair struct {
	hi, lo int
	gap    float64
}

// logistic fits weights (index 0 the intercept) by Newton steps: the
// likelihood of the labels ys of xs, plus pairScale × (samples / pairs)
// times that of each pair's order, plus an L2 penalty on all but the
// intercept. A weight marked nonneg that would turn negative is fixed at
// zero.
func logistic(xs [][]float64, ys []float64, ps []pair, pairScale, l2 float64, nonneg []bool) []float64 {
	n := len(xs[0])
	w := make([]float64, n)
	free := make([]bool, n)
	for i := range free {
		free[i] = true
	}
	pairWeight := 0.0
	if len(ps) > 0 {
		pairWeight = pairScale * float64(len(xs)) / float64(len(ps))
	}
	score := func(x []float64) float64 {
		z := 0.0
		for j := range n {
			z += w[j] * x[j]
		}
		return z
	}
	d := make([]float64, n)
	for iter := 0; iter < 100; iter++ {
		grad := make([]float64, n)
		hess := make([][]float64, n)
		for i := range hess {
			hess[i] = make([]float64, n)
		}
		add := func(x []float64, y, weight float64) {
			p := sigmoid(score(x))
			r := (p - y) * weight
			h := max(p*(1-p), 1e-9) * weight
			for j := range n {
				grad[j] += r * x[j]
				for k := range n {
					hess[j][k] += h * x[j] * x[k]
				}
			}
		}
		for i, x := range xs {
			add(x, ys[i], 1)
		}
		for _, p := range ps {
			for j := range n {
				d[j] = xs[p.hi][j] - xs[p.lo][j]
			}
			add(d, 1, pairWeight*p.gap)
		}
		for j := 1; j < n; j++ {
			grad[j] += l2 * w[j]
			hess[j][j] += l2
		}
		step := solve(hess, grad, free)
		change := 0.0
		for j := range n {
			if !free[j] {
				continue
			}
			w[j] -= step[j]
			change = max(change, math.Abs(step[j]))
			if nonneg[j] && w[j] < 0 {
				w[j], free[j] = 0, false
			}
		}
		if change < 1e-7 {
			break
		}
	}
	return w
}

// solve returns x with A x = b over the free indices (others are zero), by
// Gaussian elimination with partial pivoting; A is symmetric positive
// definite on them.
func solve(a [][]float64, b []float64, free []bool) []float64 {
	var idx []int
	for i, f := range free {
		if f {
			idx = append(idx, i)
		}
	}
	m := len(idx)
	aug := make([][]float64, m)
	for r, i := range idx {
		aug[r] = make([]float64, m+1)
		for c, j := range idx {
			aug[r][c] = a[i][j]
		}
		aug[r][m] = b[i]
	}
	for col := range m {
		piv := col
		for r := col + 1; r < m; r++ {
			if math.Abs(aug[r][col]) > math.Abs(aug[piv][col]) {
				piv = r
			}
		}
		aug[col], aug[piv] = aug[piv], aug[col]
		if aug[col][col] == 0 {
			continue
		}
		for r := range m {
			if r == col {
				continue
			}
			f := aug[r][col] / aug[col][col]
			for c := col; c <= m; c++ {
				aug[r][c] -= f * aug[col][c]
			}
		}
	}
	out := make([]float64, len(free))
	for r, i := range idx {
		if aug[r][r] != 0 {
			out[i] = aug[r][m] / aug[r][r]
		}
	}
	return out
}
