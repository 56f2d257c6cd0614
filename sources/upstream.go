package sources

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/catalog"
)

// Files fetches a file by URL; ENOTFOUND when the server has none
// (webfetch.Client).
type Files interface {
	File(ctx context.Context, url string) ([]byte, error)
}

// Upstream downloads upstream files from a base URL: one file staff asked
// for (courses.json or vr_apps.json) and its mappings when the source has
// them (course_skills.json, app_skills.json).
type Upstream struct {
	base           *url.URL
	want, optional string
	files          Files
}

// NewUpstream returns the source of file (catalog.CoursesFile or
// catalog.AppsFile) under baseURL; EINVALID when baseURL is not set or not
// an http(s) URL.
func NewUpstream(baseURL, file string, files Files) (*Upstream, error) {
	optional := map[string]string{catalog.CoursesFile: catalog.CourseSkillsFile, catalog.AppsFile: catalog.AppSkillsFile}[file]
	if optional == "" {
		return nil, fmt.Errorf("no upstream source of %q", file)
	}
	baseURL = strings.TrimSpace(baseURL)
	if baseURL == "" {
		return nil, vrrec.Errorf(vrrec.EINVALID, "no catalog source is configured: set CATALOG_SOURCE_URL on the configuration page")
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, vrrec.Errorf(vrrec.EINVALID, "CATALOG_SOURCE_URL must be an http(s) URL, not %q", baseURL)
	}
	return &Upstream{base: u, want: file, optional: optional, files: files}, nil
}

// About implements Source.
func (s *Upstream) About() string {
	return fmt.Sprintf("download %s (and %s when present) from %s", s.want, s.optional, s.base)
}

// Fetch implements Source.
func (s *Upstream) Fetch(ctx context.Context, _ *vrrec.Catalog, r Reporter) (map[string][]byte, error) {
	files := map[string][]byte{}
	for i, name := range []string{s.want, s.optional} {
		r.Progress("downloading", i, 2)
		b, err := s.files.File(ctx, s.base.JoinPath(name).String())
		if vrrec.ErrorCode(err) == vrrec.ENOTFOUND && name == s.optional {
			r.Logf("%s: not at the source; keeping the current one", name)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		r.Logf("%s: downloaded %d bytes", name, len(b))
		files[name] = b
	}
	r.Progress("downloading", 2, 2)
	if _, ok := files[s.optional]; !ok {
		r.Logf("new %s have no skills yet: run Extract skills to link them", strings.TrimSuffix(s.want, ".json"))
	}
	return files, nil
}
