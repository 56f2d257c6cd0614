// Package httpcall is what the clients of outside HTTP services (firecrawl,
// tavily, webfetch) share: one bounded call, and the words staff read when
// it fails.
package httpcall

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Request is one call.
type Request struct {
	Method, URL string
	Header      http.Header
	Body        []byte
	// Timeout bounds the call, answer read included.
	Timeout time.Duration
	// MaxBytes bounds the answer; a longer one is an error.
	MaxBytes int64
	// Service names the other side in errors: "Firecrawl", "the catalog page".
	Service string
}

// Answer is what came back, whatever the status.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do makes the call with client (http.DefaultClient when nil). Its errors
// are for staff: the service did not answer in time, could not be reached,
// or sent too much.
func Do(ctx context.Context, client *http.Client, r Request) (*Answer, error) {
	if client == nil {
		client = http.DefaultClient
	}
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Service, err)
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, failure(ctx, r, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, r.MaxBytes+1))
	if err != nil {
		return nil, failure(ctx, r, err)
	}
	if int64(len(b)) > r.MaxBytes {
		return nil, fmt.Errorf("%s sent more than %d MB", r.Service, r.MaxBytes>>20)
	}
	return &Answer{Status: res.StatusCode, Header: res.Header, Body: b}, nil
}

// PostJSON posts v as JSON to url with key as a bearer token, the way the
// paid APIs (Firecrawl, Tavily) are called.
func PostJSON(ctx context.Context, client *http.Client, url, key string, v any, timeout time.Duration, maxBytes int64, service string) (*Answer, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s request: %w", service, err)
	}
	return Do(ctx, client, Request{Method: http.MethodPost, URL: url,
		Header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + key}},
		Body:   body, Timeout: timeout, MaxBytes: maxBytes, Service: service})
}

// failure words a call that got no whole answer; a cancel by the caller
// stays context.Canceled so the job ends as cancelled.
func failure(ctx context.Context, r Request, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s did not answer within %s", r.Service, r.Timeout)
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return fmt.Errorf("%s could not be reached: %w", r.Service, err)
}

// Wait words when a 429 said to come back, from its Retry-After: "in 30s",
// "after <date>" or "later".
func Wait(h http.Header) string {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if d, err := time.ParseDuration(v + "s"); err == nil && d >= 0 {
		return "in " + d.String()
	}
	if at, err := http.ParseTime(v); err == nil {
		return "after " + at.UTC().Format(time.RFC1123)
	}
	return "later"
}

// Snippet shows the start of an answer that could not be read, for a log.
func Snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80]) + "..."
	}
	if s == "" {
		return "an empty answer"
	}
	return fmt.Sprintf("%q", s)
}
