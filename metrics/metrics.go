// Package metrics exposes vrrec's Prometheus metrics: HTTP traffic, rate
// limiting, the LLM, recommendation stages, the interaction journal and
// jobs. Other packages report through small hooks (funcs and interfaces);
// only this package and cmd/vrrec know Prometheus.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors, registered in their own registry.
type Metrics struct {
	Registry *prometheus.Registry

	httpDuration *prometheus.HistogramVec
	inFlight     prometheus.Gauge
	rejections   *prometheus.CounterVec
	switches     *prometheus.CounterVec
	stages       *prometheus.HistogramVec
	llmLatency   prometheus.Histogram
	llmTokens    *prometheus.HistogramVec
	jobs         *prometheus.HistogramVec
}

// New registers every collector, with the Go runtime and process ones.
func New() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vrrec_http_request_duration_seconds", Help: "HTTP requests by route pattern, method and status.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 120},
		}, []string{"route", "method", "status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "vrrec_http_requests_in_flight", Help: "HTTP requests being served."}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vrrec_ratelimit_rejections_total", Help: "Requests refused with 429, by limited route and counting store.",
		}, []string{"route", "store"}),
		switches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vrrec_ratelimit_store_switches_total", Help: "Switches of the rate-limit store, by the store switched to.",
		}, []string{"to"}),
		stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vrrec_recommendation_stage_seconds", Help: "Time spent per recommendation stage (embed, retrieve, rank, llm).",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .05, .25, 1, 5, 30},
		}, []string{"stage"}),
		llmLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vrrec_llm_call_seconds", Help: "LLM calls, retries included.", Buckets: prometheus.ExponentialBuckets(.05, 2, 12),
		}),
		llmTokens: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vrrec_llm_call_tokens", Help: "Tokens per LLM call as the server counted them (usage), by kind: prompt or completion.",
			Buckets: []float64{16, 32, 64, 128, 256, 512, 768, 1024, 1536, 2048, 4096, 8192},
		}, []string{"kind"}),
		jobs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vrrec_job_duration_seconds", Help: "Data-management jobs by type and outcome.", Buckets: prometheus.ExponentialBuckets(.5, 2, 14),
		}, []string{"type", "outcome"}),
	}
	r.MustRegister(m.httpDuration, m.inFlight, m.rejections, m.switches, m.stages, m.llmLatency, m.llmTokens, m.jobs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// RequestStarted and RequestDone implement web.Observer.
func (m *Metrics) RequestStarted() { m.inFlight.Inc() }

// RequestDone records a finished request; route is the matched pattern.
func (m *Metrics) RequestDone(route, method string, status int, d time.Duration) {
	m.inFlight.Dec()
	if route == "" {
		route = "unmatched"
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
	default:
		method = "OTHER" // clients may send any token: keep the series bounded
	}
	m.httpDuration.WithLabelValues(route, method, strconv.Itoa(status)).Observe(d.Seconds())
}

// RateLimited counts a 429 on a limited route ("default", "chat", "login")
// under the store that counted it ("redis", "memory").
func (m *Metrics) RateLimited(route, store string) { m.rejections.WithLabelValues(route, store).Inc() }

// StoreSwitched counts a rate-limit store switch.
func (m *Metrics) StoreSwitched(to string) { m.switches.WithLabelValues(to).Inc() }

// Stage records one recommendation stage.
func (m *Metrics) Stage(stage string, d time.Duration) {
	m.stages.WithLabelValues(stage).Observe(d.Seconds())
}

// LLMCall records one LLM call: its time and the tokens it read and wrote
// (a server that reports no usage records none).
func (m *Metrics) LLMCall(d time.Duration, promptTokens, completionTokens int64) {
	m.llmLatency.Observe(d.Seconds())
	if promptTokens > 0 || completionTokens > 0 {
		m.llmTokens.WithLabelValues("prompt").Observe(float64(promptTokens))
		m.llmTokens.WithLabelValues("completion").Observe(float64(completionTokens))
	}
}

// JobDone records a finished job.
func (m *Metrics) JobDone(jobType, outcome string, d time.Duration) {
	m.jobs.WithLabelValues(jobType, outcome).Observe(d.Seconds())
}

// CounterFunc registers a counter read from f at scrape time, for counts
// kept elsewhere (the LLM's tokens, the journal's writes).
func (m *Metrics) CounterFunc(name, help string, f func() float64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
}

// LabeledCounterFunc registers one counter per value of label, each read
// from its func at scrape time.
func (m *Metrics) LabeledCounterFunc(name, help, label string, fs map[string]func() float64) {
	for value, f := range fs {
		m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help,
			ConstLabels: prometheus.Labels{label: value}}, f))
	}
}

// GaugeFunc registers a gauge read from f at scrape time.
func (m *Metrics) GaugeFunc(name, help string, f func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}
