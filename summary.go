package vrrec

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"math"
	"slices"
	"sort"
	"time"
)

// DaySummary is what stays of one day's interactions once their rows are
// deleted (by retention, or because a student asked to be forgotten): counts
// and latencies, no words and no ids. Stats adds the summaries to the rows
// still kept, so the dashboard's statistics survive the deletion.
type DaySummary struct {
	Day          string `json:"day"` // YYYY-MM-DD, UTC
	Interactions int    `json:"interactions"`
	// Users counts the distinct students among them; a student whose rows
	// were summarised twice on one day (forgotten, then the day expired)
	// is counted once each time.
	Users int `json:"users"`
	// Latencies are the answers' latencies in milliseconds, ascending: the
	// average, the percentile and the distribution need them.
	Latencies []float64      `json:"latencies"`
	Intents   map[string]int `json:"intents"`
	Apps      map[string]int `json:"apps"`
}

// Day is the UTC day key of t, as Stats.PerDay and DaySummary name days.
func Day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// SummarizeDays summarises interactions by UTC day.
func SummarizeDays(items []Interaction) map[string]DaySummary {
	out := map[string]DaySummary{}
	users := map[string]map[string]bool{}
	for _, it := range items {
		day := Day(it.Time)
		s, ok := out[day]
		if !ok {
			s = DaySummary{Day: day, Intents: map[string]int{}, Apps: map[string]int{}}
			users[day] = map[string]bool{}
		}
		s.Interactions++
		s.Latencies = append(s.Latencies, it.LatencyMS)
		s.Intents[it.Intent]++
		for _, app := range it.Apps {
			s.Apps[app]++
		}
		users[day][it.UserID] = true
		s.Users = len(users[day])
		out[day] = s
	}
	for day, s := range out {
		slices.Sort(s.Latencies)
		out[day] = s
	}
	return out
}

// Add returns s with o's counts added (o must be of the same day).
func (s DaySummary) Add(o DaySummary) DaySummary {
	out := DaySummary{Day: s.Day, Interactions: s.Interactions + o.Interactions, Users: s.Users + o.Users,
		Latencies: slices.Sorted(slices.Values(slices.Concat(s.Latencies, o.Latencies))),
		Intents:   maps.Clone(s.Intents), Apps: maps.Clone(s.Apps)}
	if out.Intents == nil {
		out.Intents = map[string]int{}
	}
	if out.Apps == nil {
		out.Apps = map[string]int{}
	}
	for k, n := range o.Intents {
		out.Intents[k] += n
	}
	for k, n := range o.Apps {
		out.Apps[k] += n
	}
	return out
}

// RowStats are the statistics of the interaction rows still kept, as a
// store computes them, before CombineStats adds the summarised days.
type RowStats struct {
	Total, UniqueUsers int
	LatencySum         float64
	// P95 is the rows' nearest-rank 95th percentile.
	P95 float64
	// Intents and Apps count every intent and app, in any order.
	Intents, Apps []Count
	PerDay        []Count
	// Latency is the rows' distribution over LatencyBuckets.
	Latency []Count
}

// StatsTop is how many intents and apps Stats lists.
const StatsTop = 10

// CombineStats returns the statistics of the kept rows and the summarised
// days together. latencies loads the kept rows' latencies; it is called only
// when there are summarised days, for the percentile.
func CombineStats(rows RowStats, days []DaySummary, latencies func() ([]float64, error)) (Stats, error) {
	s := Stats{Total: rows.Total, UniqueUsers: rows.UniqueUsers, P95LatencyMS: rows.P95, SummarizedDays: len(days)}
	sum := rows.LatencySum
	intents, apps, perDay := countMap(rows.Intents), countMap(rows.Apps), countMap(rows.PerDay)
	latency := slices.Clone(rows.Latency)
	if len(latency) != len(LatencyBuckets)+1 {
		latency = make([]Count, len(LatencyBuckets)+1)
	}
	for i, l := range LatencyBucketLabels() {
		latency[i].Key = l
	}
	if len(days) > 0 {
		all, err := latencies()
		if err != nil {
			return s, err
		}
		for _, d := range days {
			s.Total += d.Interactions
			s.UniqueUsers += d.Users
			perDay[d.Day] += d.Interactions
			for k, n := range d.Intents {
				intents[k] += n
			}
			for k, n := range d.Apps {
				apps[k] += n
			}
			for _, ms := range d.Latencies {
				sum += ms
				latency[LatencyBucket(ms)].Count++
			}
			all = append(all, d.Latencies...)
		}
		s.P95LatencyMS = Percentile(all, 0.95)
	}
	if s.Total > 0 {
		s.AvgLatencyMS = math.Round(sum/float64(s.Total)*10) / 10
	}
	s.Intents, s.Apps = topCounts(intents, StatsTop), topCounts(apps, StatsTop)
	s.PerDay = make([]Count, 0, len(perDay))
	for _, day := range slices.Sorted(maps.Keys(perDay)) {
		s.PerDay = append(s.PerDay, Count{Key: day, Count: perDay[day]})
	}
	s.Latency = latency
	return s, nil
}

func countMap(counts []Count) map[string]int {
	m := make(map[string]int, len(counts))
	for _, c := range counts {
		m[c.Key] += c.Count
	}
	return m
}

// topCounts lists the n most frequent keys, ties by key.
func topCounts(m map[string]int, n int) []Count {
	out := make([]Count, 0, len(m))
	for k, c := range m {
		out = append(out, Count{Key: k, Count: c})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(b.Count-a.Count, cmp.Compare(a.Key, b.Key)) })
	return out[:min(n, len(out))]
}

// LatencyBucket is the index of the LatencyBuckets range ms falls in.
func LatencyBucket(ms float64) int {
	return sort.Search(len(LatencyBuckets), func(i int) bool { return ms < LatencyBuckets[i] })
}

// Percentile is the nearest-rank p-quantile of values (0 for none).
func Percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sorted := slices.Sorted(slices.Values(values))
	return sorted[int(math.Ceil(p*float64(len(sorted))))-1]
}

// ForgottenKey is how stores remember a student who asked to be forgotten:
// a hash of the id, so that interactions of theirs still waiting in a spool
// are refused when they arrive, without the id itself being kept.
func ForgottenKey(userID string) string {
	sum := sha256.Sum256([]byte("forgotten:" + userID))
	return hex.EncodeToString(sum[:])
}
