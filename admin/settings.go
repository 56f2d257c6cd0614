package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vrrec/vrrec"
)

// Managed are the settings staff may change at run time, as in the old
// system. A value stored in the database wins over the environment.
// LLM_BASE_URL and CATALOG_SOURCE_URL are this system's additions.
var Managed = []string{"OPENROUTER_API_KEY", "OPENROUTER_MODEL", "LLM_BASE_URL", "FIRECRAWL_API_KEY", "TAVILY_API_KEY",
	"MONGODB_URI", "NEO4J_URI", "CATALOG_SOURCE_URL"}

// secret reports whether a managed setting must be masked when shown.
func secret(key string) bool { return strings.HasSuffix(key, "_KEY") || strings.HasSuffix(key, "_URI") }

// Setting is one managed setting as staff see it.
type Setting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`  // masked for secrets
	Source string `json:"source"` // database, environment or unset
	Secret bool   `json:"secret"`
	// Applies says when a change takes effect, for the config page.
	Applies string `json:"applies"`
}

// applies says when a change to a managed setting takes effect.
func applies(key string) string {
	switch key {
	case "MONGODB_URI":
		return "environment only: the database is chosen before stored settings can be read"
	case "NEO4J_URI":
		return "at the next start"
	case "FIRECRAWL_API_KEY", "TAVILY_API_KEY":
		return "kept for scraping and search providers, which this version does not call"
	default:
		return "at once"
	}
}

// Settings reads and changes the managed settings.
type Settings struct {
	Store vrrec.ConfigStore
	Env   func(string) string // os.Getenv in production
}

// Mask shows the first and last 4 characters of a secret, or only stars
// when it is 8 characters or shorter.
func Mask(v string) string {
	if v == "" {
		return ""
	}
	if len(v) <= 8 {
		return strings.Repeat("*", len(v))
	}
	return v[:4] + strings.Repeat("*", len(v)-8) + v[len(v)-4:]
}

// List returns every managed setting with where its value comes from.
func (s Settings) List(ctx context.Context) ([]Setting, error) {
	stored, err := s.Store.Config(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Setting, 0, len(Managed))
	for _, k := range Managed {
		st := Setting{Key: k, Secret: secret(k), Source: "unset", Applies: applies(k)}
		switch {
		case stored[k] != "":
			st.Value, st.Source = stored[k], "database"
		case s.Env(k) != "":
			st.Value, st.Source = s.Env(k), "environment"
		}
		if st.Secret {
			st.Value = Mask(st.Value)
		}
		out = append(out, st)
	}
	return out, nil
}

// Effective returns a managed setting's value: the database's, else the
// environment's.
func (s Settings) Effective(ctx context.Context, key string) (string, error) {
	stored, err := s.Store.Config(ctx)
	if err != nil {
		return s.Env(key), err
	}
	if v := stored[key]; v != "" {
		return v, nil
	}
	return s.Env(key), nil
}

// Update stores new values and returns the keys that changed. A value
// containing "*****" is a masked value sent back unchanged and is ignored;
// an empty value removes the stored one (the environment's applies again).
// Unknown keys are EINVALID and nothing is stored.
func (s Settings) Update(ctx context.Context, values map[string]string) ([]string, error) {
	for k := range values {
		if !slices.Contains(Managed, k) {
			return nil, vrrec.Errorf(vrrec.EINVALID, "%s is not a setting that can be changed here", k)
		}
	}
	stored, err := s.Store.Config(ctx)
	if err != nil {
		return nil, err
	}
	change := map[string]string{}
	for k, v := range values {
		v = strings.TrimSpace(v)
		effective := stored[k]
		if effective == "" {
			effective = s.Env(k)
		}
		// A masked value sent back unchanged; a short secret masks to
		// fewer than five stars, so compare with its mask too.
		masked := strings.Contains(v, "*****") || (secret(k) && v != "" && v == Mask(effective))
		if masked || v == stored[k] {
			continue
		}
		if len(v) > 2000 {
			return nil, vrrec.Errorf(vrrec.EINVALID, "%s is too long", k)
		}
		change[k] = v
	}
	if len(change) == 0 {
		return nil, nil
	}
	if err := s.Store.SetConfig(ctx, change); err != nil {
		return nil, fmt.Errorf("update settings: %w", err)
	}
	keys := make([]string, 0, len(change))
	for k := range change {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}
