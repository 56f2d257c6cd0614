package webfetch_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/webfetch"
)

func TestHTMLToMarkdown(t *testing.T) {
	page := `<html><head><title>T</title><style>p{}</style><script>var x = "15-112";</script></head><body>
<nav><a href="/">Home</a></nav>
<h1>School of  Design</h1>
<p>Intro <b>text</b>
 on two lines.</p>
<ul><li>First</li><li>Second <i>item</i></li></ul>
<table><tr><th>Course</th><th>Title</th></tr>
<tr><td>51-121</td><td><p>Visualizing</p><p>Ideas</p></td></tr></table>
<div>End<br>here</div>
</body></html>`
	got, err := webfetch.HTMLToMarkdown([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	want := "# School of Design\n\nIntro text on two lines.\n\n- First\n- Second item\n\n| Course | Title |\n| 51-121 | Visualizing Ideas |\n\nEnd\nhere"
	if got != want {
		t.Errorf("markdown:\n%s\nwant:\n%s", got, want)
	}
	if _, err := webfetch.HTMLToMarkdown([]byte("PK\x03\x04\x00\x00")); err == nil {
		t.Error("a binary file read as a page")
	}
}

func TestFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/courses.json":
			fmt.Fprint(w, `[]`)
		case "/page.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<h2>Courses</h2><p>15-112 Fundamentals</p>`)
		case "/page.txt":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "15-112 Fundamentals\n")
		case "/page.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			fmt.Fprint(w, "%PDF-1.7")
		case "/busy":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/down":
			w.WriteHeader(http.StatusBadGateway)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := &webfetch.Client{}
	if b, err := c.File(t.Context(), srv.URL+"/courses.json"); err != nil || string(b) != "[]" {
		t.Errorf("file: %q, %v", b, err)
	}
	if _, err := c.File(t.Context(), srv.URL+"/missing.json"); vrrec.ErrorCode(err) != vrrec.ENOTFOUND {
		t.Errorf("missing file: %v", err)
	}
	for path, want := range map[string]string{"/page.html": "## Courses\n\n15-112 Fundamentals", "/page.txt": "15-112 Fundamentals\n"} {
		if got, err := c.Markdown(t.Context(), srv.URL+path); err != nil || got != want {
			t.Errorf("%s: %q, %v", path, got, err)
		}
	}
	for path, want := range map[string]string{"/page.pdf": "application/pdf, not a web page", "/busy": "HTTP 429 (too many requests): start the job again in 2m0s",
		"/down": "answered HTTP 502"} {
		if _, err := c.Markdown(t.Context(), srv.URL+path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
}
