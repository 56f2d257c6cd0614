// Package vrrec holds the domain of the VR app recommender: the catalog types
// (courses, VR apps, skills and the weighted mappings between them), the
// recommendation result returned to students, and the interfaces that the
// pure logic packages depend on. It imports nothing from the rest of the
// module, so every other package can depend on it.
//
// JSON names follow the old Python system's snake_case so existing clients and
// the upstream data files keep working.
package vrrec

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"unicode"
)

// Course is a university course, identified by its number ("95-729").
type Course struct {
	CourseID         string   `json:"course_id"`
	Title            string   `json:"title"`
	Department       string   `json:"department"`
	Description      string   `json:"description"`
	Units            float64  `json:"units,omitempty"`
	Prerequisites    []string `json:"prerequisites"`
	LearningOutcomes []string `json:"learning_outcomes"`
}

// VRApp is a Meta Quest app in the catalog. An app that is discontinued or
// not playable on a Quest stays in the catalog, so logs, links and feedback
// that name it still resolve, but it is never recommended (Servable).
type VRApp struct {
	AppID           string   `json:"app_id"`
	Name            string   `json:"name"`
	Category        string   `json:"category"`
	Description     string   `json:"description"`
	Features        []string `json:"features"`
	SkillsDeveloped []string `json:"skills_developed"`
	Rating          float64  `json:"rating"`
	Price           Price    `json:"price"`
	// Status is StatusAvailable or StatusDiscontinued; empty means available.
	Status string `json:"status,omitempty"`
	// Discontinued is the date (YYYY-MM-DD, or YYYY-MM when only the month
	// is known) the app ended, when Status is StatusDiscontinued.
	Discontinued string `json:"discontinued,omitempty"`
	// Platform is where the app runs (PlatformQuest, ...); empty means
	// PlatformQuest, the catalog being one of Quest apps.
	Platform string `json:"platform,omitempty"`
	// StatusNote says what is known about the status and platform, and how
	// sure it is ("announced in January 2026; not verified").
	StatusNote string `json:"status_note,omitempty"`
	// Facets are what the Quest store filters by (play modes, comfort,
	// players, ...); each may be unknown.
	Facets Facets `json:"facets"`
}

// Statuses of a VRApp.
const (
	StatusAvailable    = "available"
	StatusDiscontinued = "discontinued"
)

// Platforms of a VRApp: where it runs. PlatformQuest and PlatformQuestAndPC
// are played on a Quest on their own; PlatformPCVR runs on a PC and reaches
// a Quest through Link or Air Link (Meta's own way to play PC VR on a
// Quest), so it is recommended with that said; the others are not headset
// apps.
const (
	PlatformQuest      = "quest"        // Quest native
	PlatformQuestAndPC = "quest_and_pc" // Quest native, also PC VR
	PlatformPCVR       = "pc_vr"        // PC VR only: on a Quest via Link
	PlatformMobile     = "mobile"       // a phone or tablet app, not a headset app
	PlatformBrowser    = "browser"      // web or WebXR, not a store app
	PlatformDesktop    = "desktop"      // a desktop program, not VR
	PlatformOther      = "other"        // its own hardware, or not a consumer app
)

// Platforms lists every platform a VRApp may name, Quest-playable first.
var Platforms = []string{PlatformQuest, PlatformQuestAndPC, PlatformPCVR, PlatformMobile, PlatformBrowser, PlatformDesktop, PlatformOther}

// Servable reports whether the app may be recommended: available and
// playable with a Quest (a PC VR app through Link, which its card says).
func (a VRApp) Servable() bool {
	return a.Status != StatusDiscontinued &&
		(a.Platform == "" || a.Platform == PlatformQuest || a.Platform == PlatformQuestAndPC || a.Platform == PlatformPCVR)
}

// StatusText is the app's status as a student reads it: "available", or
// "discontinued (2023-03-10)", or why it is not served on a Quest.
func (a VRApp) StatusText() string {
	switch {
	case a.Status == StatusDiscontinued && a.Discontinued != "":
		return "discontinued (" + a.Discontinued + ")"
	case a.Status == StatusDiscontinued:
		return "discontinued"
	case a.Platform == PlatformPCVR:
		return "PC VR: plays on a Quest through Link with a VR-ready PC"
	case !a.Servable():
		return "not a Quest app (" + a.Platform + ")"
	}
	return StatusAvailable
}

// Skill is a canonical skill. Aliases resolve to it; no two skills share a
// name or alias once the catalog has been validated.
type Skill struct {
	Name     string   `json:"name"`
	Aliases  []string `json:"aliases"`
	Category string   `json:"category"` // technical, soft or domain
	// SourceCount is how many courses and apps map to the skill; the importer
	// recomputes it from the mappings.
	SourceCount int     `json:"source_count"`
	Weight      float64 `json:"weight"`
}

// Source types of a Mapping.
const (
	SourceCourse = "course"
	SourceApp    = "app"
)

// Mapping links a course (TEACHES) or an app (DEVELOPS) to a skill.
type Mapping struct {
	SourceID   string  `json:"source_id"`
	SourceType string  `json:"source_type"`
	SkillName  string  `json:"skill_name"`
	Weight     float64 `json:"weight"`
}

// Catalog is everything the recommender knows. A validated catalog has unique
// ids, canonical skill names and mappings that only name known entities.
type Catalog struct {
	Courses      []Course  `json:"courses"`
	Apps         []VRApp   `json:"apps"`
	Skills       []Skill   `json:"skills"`
	CourseSkills []Mapping `json:"course_skills"`
	AppSkills    []Mapping `json:"app_skills"`
}

// Retrieval sources explain where a recommended app came from.
const (
	SourceDirectSkill    = "direct_skill_match" // the app develops a skill close to the query
	SourceSemanticBridge = "semantic_bridge"    // the old system only (eval baseline): the app develops a related skill
	SourceCourseMatch    = "course_match"       // the query names a course; the app shares its skills
	SourceAppTextMatch   = "app_text_match"     // the app's own name or description matches the query
	SourceAppNameMatch   = "app_name_match"     // the query names the app
)

// AppRecommendation is one ranked app in a Result.
type AppRecommendation struct {
	AppID    string `json:"app_id"`
	Name     string `json:"name"`
	Category string `json:"category"`
	// LikelinessScore is the estimated probability, 0-1, that an advisor
	// would call the app relevant to the query: an absolute confidence,
	// not a share of the best candidate, so a weak best match shows low.
	LikelinessScore float64 `json:"likeliness_score"`
	MatchPercent    int     `json:"match_percent"` // LikelinessScore as a percentage
	// Summary is the first sentence of the app's description.
	Summary string `json:"summary,omitempty"`
	// Price is the app's price as shown (Price.String); Status its
	// StatusText.
	Price  string `json:"price,omitempty"`
	Status string `json:"status,omitempty"`
	// Facets are the app's facts that matter to the question, as the card
	// shows them ("Seated", "Up to 4 players online", "Mixed reality");
	// Unconfirmed names the hard constraints the catalog cannot confirm
	// for this app ("price not known").
	Facets        []string `json:"facets,omitempty"`
	Unconfirmed   []string `json:"unconfirmed,omitempty"`
	MatchedSkills []string `json:"matched_skills"` // [] in JSON, never null (MarshalJSON)
	// NearAreas, when nothing fits, are the Result's NearestAreas this app
	// develops: an app shown as the nearest must develop one.
	NearAreas []string `json:"near_areas,omitempty"`
	Reasoning string   `json:"reasoning"`
	// RetrievalSource is left out for an app the answer described rather
	// than found (app details).
	RetrievalSource string `json:"retrieval_source,omitempty"`
	// ForYou says why the app stands higher for this student than for
	// another: "You found Beat Saber helpful" (the chat's votes).
	ForYou string `json:"for_you,omitempty"`
	// Score is the raw retrieval score before normalisation.
	Score float64 `json:"score"`
}

// MarshalJSON writes MatchedSkills as [] when there are none, as the API
// documents, including for apps stored before it did.
func (a AppRecommendation) MarshalJSON() ([]byte, error) {
	type plain AppRecommendation
	if a.MatchedSkills == nil {
		a.MatchedSkills = []string{}
	}
	return json.Marshal(plain(a))
}

// Result is the answer to one recommendation query.
type Result struct {
	Query string              `json:"query"`
	Apps  []AppRecommendation `json:"apps"`
	// Topic is what the engine understood the query to ask for, as the
	// answer quotes it ("Python", "95-729 Information Security Policy").
	Topic string `json:"topic,omitempty"`
	// UnknownCourses lists course numbers the query named that the catalog
	// does not have.
	UnknownCourses []string `json:"unknown_courses,omitempty"`
	// MatchedCourses lists the course ids the query named, if any.
	MatchedCourses []string `json:"matched_courses,omitempty"`
	// InCourse is the course id a question with no topic of its own was
	// answered for: the course of the page it was asked on (Request.Course).
	InCourse string `json:"in_course,omitempty"`
	// CatalogVersion identifies the catalog the answer was computed from.
	CatalogVersion string `json:"catalog_version"`
	// ExplainedBy says who wrote the reasons and the order: ExplainedByLLM,
	// or ExplainedByRules (deterministic reasons from the matched skills).
	ExplainedBy string `json:"explained_by"`
	// Understanding is the model's one-sentence reading of the query.
	Understanding string `json:"understanding,omitempty"`
	// LLMFallback is true when a model is configured but could not answer
	// (timeout, error, open circuit), so the rules explained instead.
	LLMFallback bool `json:"llm_fallback,omitempty"`
	// LLMBudgetSpent is true when the model was not asked because the
	// day's LLM budget is spent: the answer comes from retrieval alone.
	LLMBudgetSpent bool `json:"llm_budget_spent,omitempty"`
	// NothingFits says no app reached the confidence of a recommendation:
	// the catalog has nothing for this topic, and Apps are the closest
	// weak matches. NearestAreas names the skills apps develop that are
	// closest to the query: what the catalog covers nearby.
	NothingFits  bool     `json:"nothing_fits"`
	NearestAreas []string `json:"nearest_areas,omitempty"`
	// Language is the query's language (ISO 639-1) when it is not English
	// and the model reads English only. Translated is then the English it
	// was read as (package lang); when nothing of it was understood it is
	// empty, and the reply says so in that language instead of guessing.
	Language   string `json:"language,omitempty"`
	Translated string `json:"translated,omitempty"`
	// Constraints are the conditions read from the question and applied
	// ("Free apps only", "Seated play"); Relaxed says which hard one was
	// eased when nothing met them all, and how ("nothing free for this;
	// under $10:").
	Constraints []Constraint `json:"constraints,omitempty"`
	Relaxed     string       `json:"relaxed,omitempty"`
	// Alternatives are the apps that fit the topic but not a hard
	// constraint, offered with Relaxed when no app meets them all (the
	// cheapest first for a price). They are never among Apps.
	Alternatives []AppRecommendation `json:"alternatives,omitempty"`
	// Needs groups the apps when the question asked for several things:
	// each need with its own picks under the shared constraints. Apps then
	// takes each need's best in turn.
	Needs []Need `json:"needs,omitempty"`
	// Corrected is the question as the engine read it when a spelling
	// correction changed it ("thermodynamics"), for "Showing results for".
	Corrected string `json:"corrected,omitempty"`
}

// Clone returns a copy of r that shares no slice with it, for a caller
// that keeps a result while handing it out to others who may change it.
func (r *Result) Clone() *Result {
	c := *r
	c.Apps = cloneApps(r.Apps)
	c.UnknownCourses = slices.Clone(r.UnknownCourses)
	c.MatchedCourses = slices.Clone(r.MatchedCourses)
	c.NearestAreas = slices.Clone(r.NearestAreas)
	c.Constraints = slices.Clone(r.Constraints)
	c.Alternatives = cloneApps(r.Alternatives)
	if r.Needs != nil {
		c.Needs = make([]Need, len(r.Needs))
		for i, n := range r.Needs {
			n.Apps = cloneApps(n.Apps)
			c.Needs[i] = n
		}
	}
	return &c
}

func cloneApps(apps []AppRecommendation) []AppRecommendation {
	if apps == nil {
		return nil
	}
	out := make([]AppRecommendation, len(apps))
	for i, a := range apps {
		a.Facets = slices.Clone(a.Facets)
		a.Unconfirmed = slices.Clone(a.Unconfirmed)
		a.MatchedSkills = slices.Clone(a.MatchedSkills)
		a.NearAreas = slices.Clone(a.NearAreas)
		out[i] = a
	}
	return out
}

// Who explained a result.
const (
	ExplainedByLLM   = "llm"
	ExplainedByRules = "deterministic"
)

// Embedder turns texts into vectors whose cosine similarity reflects meaning.
// Implementations return one L2-normalised vector per text, in order. An error
// means no vector was produced for any text of the call (a remote service was
// unreachable, refused the key, or answered malformed data); callers may retry.
type Embedder interface {
	// Name identifies the model and its parameters: vectors from embedders
	// with different names are not comparable and must not share a cache.
	Name() string
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Recommender answers a student's free-text query with ranked apps. The error
// is non-nil only when the query could not be answered at all (an embedding
// service failed, the context was cancelled); an empty Result.Apps means
// nothing in the catalog matched.
type Recommender interface {
	Recommend(ctx context.Context, query string, topK int) (*Result, error)
}

// symbolWords spells out the symbols that distinguish programming languages,
// so "C++", "C#" and "C" keep distinct keys.
var symbolWords = strings.NewReplacer("c++", "cplusplus", "c#", "csharp", "f#", "fsharp", ".net", "dotnet")

// SkillKey is the identity of a skill name used to detect twins: lower case,
// letters and digits only, so "VR Development", "Vr development" and
// "VR-Development" share one key.
func SkillKey(name string) string {
	name = symbolWords.Replace(strings.ToLower(name))
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Edge is a weighted TEACHES (course to skill) or DEVELOPS (app to skill)
// relation of the knowledge graph.
type Edge struct {
	From   string  // course_id or app_id
	Skill  string  // canonical skill name
	Weight float64 // 0-1
}

// SortEdges puts edges in the order every Graph returns: weight
// descending, then source id, then skill name.
func SortEdges(edges []Edge) {
	slices.SortFunc(edges, func(a, b Edge) int {
		if c := cmp.Compare(b.Weight, a.Weight); c != 0 {
			return c
		}
		if c := cmp.Compare(a.From, b.From); c != 0 {
			return c
		}
		return cmp.Compare(a.Skill, b.Skill)
	})
}

// SkillKeys is the table every Graph resolves skill names through: the
// SkillKey of each canonical name and alias, mapped to the canonical
// name. A canonical name takes precedence over any alias with the same key,
// and an alias two skills claim belongs to the first. Backends that store the
// graph elsewhere store this table, so they resolve exactly as the in-memory graph does.
func SkillKeys(skills []Skill) map[string]string {
	resolve := make(map[string]string, len(skills)*2)
	for _, s := range skills {
		resolve[SkillKey(s.Name)] = s.Name
		for _, a := range s.Aliases {
			if _, taken := resolve[SkillKey(a)]; !taken {
				resolve[SkillKey(a)] = s.Name
			}
		}
	}
	return resolve
}

// Graph is the knowledge graph (Course)-[:TEACHES]->(Skill)<-[:DEVELOPS]-(VRApp)
// built from a catalog. Skill names given to it may be aliases; they resolve
// to the canonical skill. Results are ordered by weight descending, then by id
// and skill name, so every backend returns the same order. An error means the
// backend could not be asked (a database down); an unknown name is not an error.
type Graph interface {
	// AppsDeveloping returns the DEVELOPS edges into any of the skills.
	AppsDeveloping(ctx context.Context, skills []string) ([]Edge, error)
	// SkillsTaughtBy returns the TEACHES edges out of any of the courses.
	SkillsTaughtBy(ctx context.Context, courseIDs []string) ([]Edge, error)
	// CoursesTeaching returns the TEACHES edges into any of the skills.
	CoursesTeaching(ctx context.Context, skills []string) ([]Edge, error)
	// ActiveSkills returns the skills at least one app develops, sorted by name.
	ActiveSkills(ctx context.Context) ([]string, error)
}
