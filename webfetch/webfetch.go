// Package webfetch reads files and pages over plain HTTP(S): the upstream
// catalog files a base URL serves, and web pages (a university's course
// catalog) turned from HTML into markdown-like text, for when no scraping
// service is configured.
package webfetch

import (
	"cmp"
	"context"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/internal/httpcall"
)

// Client fetches with HTTP GET.
type Client struct {
	HTTP    *http.Client  // default http.DefaultClient
	Timeout time.Duration // one fetch; default 60s
}

// MaxBytes bounds one file or page, as the importer bounds uploads.
const MaxBytes = 64 << 20

// File returns the body at u; ENOTFOUND when the server answers 404.
func (c *Client) File(ctx context.Context, u string) ([]byte, error) {
	ans, err := c.get(ctx, u, "application/json")
	if err != nil {
		return nil, err
	}
	return ans.Body, nil
}

// Markdown returns the page at u as markdown-like text: HTML is converted
// (headings, paragraphs, list items, table rows; scripts, styles and
// navigation dropped), markdown and plain text come back as they are.
func (c *Client) Markdown(ctx context.Context, u string) (string, error) {
	ans, err := c.get(ctx, u, "text/html, text/markdown;q=0.9, text/plain;q=0.8")
	if err != nil {
		return "", err
	}
	mt, _, _ := mime.ParseMediaType(ans.Header.Get("Content-Type"))
	switch mt {
	case "text/html", "application/xhtml+xml", "":
		return HTMLToMarkdown(ans.Body)
	case "text/plain", "text/markdown":
		return string(ans.Body), nil
	}
	return "", fmt.Errorf("%s is %s, not a web page", u, mt)
}

func (c *Client) get(ctx context.Context, u, accept string) (*httpcall.Answer, error) {
	ans, err := httpcall.Do(ctx, c.HTTP, httpcall.Request{Method: http.MethodGet, URL: u, Header: http.Header{"Accept": {accept}},
		Timeout: cmp.Or(c.Timeout, 60*time.Second), MaxBytes: MaxBytes, Service: u})
	if err != nil {
		return nil, err
	}
	switch {
	case ans.Status == http.StatusNotFound:
		return nil, vrrec.Errorf(vrrec.ENOTFOUND, "%s: not found (HTTP 404)", u)
	case ans.Status == http.StatusTooManyRequests:
		return nil, fmt.Errorf("%s answered HTTP 429 (too many requests): start the job again %s", u, httpcall.Wait(ans.Header))
	case ans.Status != http.StatusOK:
		return nil, fmt.Errorf("%s answered HTTP %d", u, ans.Status)
	}
	return ans, nil
}
