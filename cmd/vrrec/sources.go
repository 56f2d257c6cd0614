package main

import (
	"time"

	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/firecrawl"
	"github.com/vrrec/vrrec/jobs"
	"github.com/vrrec/vrrec/openai"
	"github.com/vrrec/vrrec/sources"
	"github.com/vrrec/vrrec/tavily"
	"github.com/vrrec/vrrec/webfetch"
)

// sourceLLMTimeout is the least time one LLM call of a source gets.
const sourceLLMTimeout = 3 * time.Minute

// newSource builds the source a data job reads from cfg, the settings in
// effect when the job starts.
func newSource(cfg config.Config, jobType string) (sources.Source, error) {
	web := &webfetch.Client{}
	switch jobType {
	case jobs.TypeUpdateCourses:
		return sources.NewUpstream(cfg.CatalogSourceURL, catalog.CoursesFile, web)
	case jobs.TypeUpdateApps:
		return sources.NewUpstream(cfg.CatalogSourceURL, catalog.AppsFile, web)
	}
	var model sources.Completer
	if cfg.LLMEnabled() {
		// Reading a catalog page writes a long answer: more time than a
		// chat's LLM_TIMEOUT.
		chat, err := openai.NewChat(openai.ChatConfig{BaseURL: cfg.LLMBaseURL, APIKey: cfg.LLMAPIKey, Model: cfg.LLMModel, Temperature: 0,
			AttemptTimeout: max(cfg.LLMTimeout, sourceLLMTimeout)})
		if err != nil {
			return nil, err
		}
		model = chat
	}
	if jobType == jobs.TypeScrapeCourses {
		if cfg.FirecrawlAPIKey != "" {
			return sources.NewCoursePages(cfg.CourseCatalogURLs, &firecrawl.Client{APIKey: cfg.FirecrawlAPIKey}, "Firecrawl", model)
		}
		return sources.NewCoursePages(cfg.CourseCatalogURLs, web, "plain HTTP", model)
	}
	var search sources.Searcher
	if cfg.TavilyAPIKey != "" {
		search = &tavily.Client{APIKey: cfg.TavilyAPIKey}
	}
	return sources.NewAppSearch(cfg.AppSearchTopics, search, model)
}
