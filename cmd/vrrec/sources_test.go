package main

import (
	"strings"
	"testing"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/jobs"
)

// Each source job is built from the settings in effect, or refused naming
// the setting staff must set.
func TestNewSource(t *testing.T) {
	load := func(env map[string]string) config.Config {
		c, err := config.Load(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	bare := load(nil)
	for jobType, setting := range map[string]string{jobs.TypeUpdateCourses: "CATALOG_SOURCE_URL", jobs.TypeUpdateApps: "CATALOG_SOURCE_URL",
		jobs.TypeScrapeCourses: "COURSE_CATALOG_URLS", jobs.TypeSearchApps: "APP_SEARCH_TOPICS"} {
		if _, err := newSource(bare, jobType); vrrec.ErrorCode(err) != vrrec.EINVALID || !strings.Contains(vrrec.ErrorMessage(err), setting) {
			t.Errorf("%s without settings: %v", jobType, err)
		}
	}
	set := map[string]string{"COURSE_CATALOG_URLS": "https://catalog.example.edu/scs", "APP_SEARCH_TOPICS": "anatomy"}
	for _, tc := range []struct {
		jobType string
		env     map[string]string
		want    string
	}{
		{jobs.TypeScrapeCourses, set, "read courses from https://catalog.example.edu/scs with plain HTTP (rules)"},
		{jobs.TypeScrapeCourses, map[string]string{"FIRECRAWL_API_KEY": "fc-x", "LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, "with Firecrawl (rules, then the LLM)"},
		{jobs.TypeSearchApps, map[string]string{"TAVILY_API_KEY": "tvly-x", "OPENROUTER_API_KEY": "sk-x"}, "search the web (Tavily) for Meta Quest apps about anatomy"},
	} {
		env := map[string]string{}
		for k, v := range set {
			env[k] = v
		}
		for k, v := range tc.env {
			env[k] = v
		}
		src, err := newSource(load(env), tc.jobType)
		if err != nil || !strings.Contains(src.About(), tc.want) {
			t.Errorf("%s with %v: %v", tc.jobType, tc.env, err)
		}
	}
	if _, err := newSource(load(map[string]string{"APP_SEARCH_TOPICS": "anatomy", "TAVILY_API_KEY": "tvly-x"}), jobs.TypeSearchApps); err == nil || !strings.Contains(err.Error(), "LLM") {
		t.Errorf("app search without an LLM: %v", err)
	}
}
