package rag

import (
	"math"
	"slices"
)

// matrix holds unit vectors row by row.
type matrix struct {
	dim  int
	rows []float32 // rows[i*dim : (i+1)*dim] is row i
}

func newMatrix(vecs [][]float32) matrix {
	if len(vecs) == 0 {
		return matrix{}
	}
	m := matrix{dim: len(vecs[0]), rows: make([]float32, 0, len(vecs)*len(vecs[0]))}
	for _, v := range vecs {
		m.rows = append(m.rows, v...)
	}
	return m
}

func (m matrix) len() int {
	if m.dim == 0 {
		return 0
	}
	return len(m.rows) / m.dim
}

func (m matrix) row(i int) []float32 { return m.rows[i*m.dim : (i+1)*m.dim] }

// similarities returns the cosine similarity of q with every row (the dot
// product: all vectors are unit length). A vector of another size matches
// nothing.
func (m matrix) similarities(q []float32) []float64 {
	n := m.len()
	out := make([]float64, n)
	if len(q) != m.dim {
		return out
	}
	for i := range n {
		out[i] = float64(dot(q, m.row(i)))
	}
	return out
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// background is the similarity a model gives to texts that have nothing to
// do with each other, measured on the catalog: how far a query's
// similarity stands above it is comparable across models, whose raw cosine
// ranges differ widely (MiniLM's unrelated texts sit near 0.05, other
// models' near 0.7).
type background struct {
	center, spread float64
}

// probeTopics are requests about things a study catalog of VR apps rarely
// covers. Their similarities to the catalog's texts sample what unrelated
// means for the model; the median and the median absolute deviation are
// robust to the few a catalog does cover.
var probeTopics = []string{
	"jewelry appraisal", "lottery numbers", "laundry stain removal", "real estate investing", "pet grooming",
	"wedding planning", "plumbing repairs", "fashion trends", "car insurance claims", "hair styling",
	"fishing lures", "gardening tomatoes", "baking sourdough bread", "stamp collecting", "poker strategy",
	"mortgage refinancing", "dog training", "beekeeping", "tattoo design", "skincare routine",
	"cryptocurrency trading", "home renovation", "bird watching", "carpentry tools", "scuba certification",
	"horse riding", "calligraphy", "funeral planning", "retirement savings", "lawn care",
	"interior decorating", "coupon clipping",
}

// measureBackground returns the robust center and spread of the
// similarities between probes and rows.
func measureBackground(probes [][]float32, rows matrix) background {
	var sims []float64
	for _, p := range probes {
		sims = append(sims, rows.similarities(p)...)
	}
	if len(sims) == 0 {
		return background{0, 1}
	}
	med := median(sims)
	dev := make([]float64, len(sims))
	for i, s := range sims {
		dev[i] = math.Abs(s - med)
	}
	spread := 1.4826 * median(dev) // MAD scaled to a standard deviation
	if spread < 1e-3 {
		spread = 1e-3
	}
	return background{med, spread}
}

// z says how many spreads a similarity stands above unrelated texts.
func (b background) z(sim float64) float64 { return (sim - b.center) / b.spread }

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
