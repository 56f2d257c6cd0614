package eval

import "math"

// calibrationBins splits match percentages into ten ranges: 0-9, ..., 90-100.
const calibrationBins = 10

// Bin is one range of predicted probability in a reliability table.
type Bin struct {
	From, To float64 // predicted probability range [From, To)
	Pairs    int     // (query, app) pairs whose prediction fell here
	// Predicted is their mean match percentage as a probability, Observed
	// the mean label (1 relevant, 0.5 acceptable, 0 otherwise).
	Predicted float64
	Observed  float64
}

// Calibration compares match percentages with the labels.
type Calibration struct {
	// ECE is the expected calibration error: the mean distance between
	// predicted and observed relevance, weighted by pairs per bin.
	ECE   float64 `json:"ece"`
	Pairs int     `json:"pairs"`
	Bins  []Bin   `json:"bins"`
}

type calibrator struct {
	n     [calibrationBins]int
	p, y  [calibrationBins]float64
	total int
}

// add records one prediction p (0-1) and its label y (0-1).
func (c *calibrator) add(p, y float64) {
	b := min(int(math.Floor(p*calibrationBins)), calibrationBins-1)
	b = max(b, 0)
	c.n[b]++
	c.p[b] += p
	c.y[b] += y
	c.total++
}

func (c *calibrator) result() Calibration {
	out := Calibration{Pairs: c.total}
	for b := range calibrationBins {
		bin := Bin{From: float64(b) / calibrationBins, To: float64(b+1) / calibrationBins, Pairs: c.n[b]}
		if c.n[b] > 0 {
			bin.Predicted = c.p[b] / float64(c.n[b])
			bin.Observed = c.y[b] / float64(c.n[b])
			out.ECE += float64(c.n[b]) / float64(c.total) * math.Abs(bin.Predicted-bin.Observed)
		}
		out.Bins = append(out.Bins, bin)
	}
	return out
}
