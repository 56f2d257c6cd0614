package admin

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/keys"
)

// Managed are the settings staff may change at run time, as in the old
// system. A value stored in the database wins over the environment.
// LLM_BASE_URL, the LLM budget and prices, CATALOG_SOURCE_URL,
// COURSE_CATALOG_URLS and APP_SEARCH_TOPICS are this system's additions.
var Managed = []string{"OPENROUTER_API_KEY", "OPENROUTER_MODEL", "LLM_BASE_URL",
	"LLM_DAILY_TOKENS", "LLM_DAILY_CALLS", "LLM_PRICE_INPUT", "LLM_PRICE_OUTPUT", "FIRECRAWL_API_KEY", "TAVILY_API_KEY",
	"MONGODB_URI", "NEO4J_URI", "CATALOG_SOURCE_URL", "COURSE_CATALOG_URLS", "APP_SEARCH_TOPICS"}

// secret reports whether a managed setting must be masked when shown.
func secret(key string) bool { return strings.HasSuffix(key, "_KEY") || strings.HasSuffix(key, "_URI") }

// applies says when a change to a managed setting takes effect.
func applies(key string) string {
	switch key {
	case "MONGODB_URI":
		return "environment only: the database is chosen before stored settings can be read"
	case "NEO4J_URI":
		return "at the next start"
	case "FIRECRAWL_API_KEY", "TAVILY_API_KEY", "COURSE_CATALOG_URLS", "APP_SEARCH_TOPICS", "CATALOG_SOURCE_URL":
		return "at the next job that reads it"
	case "LLM_DAILY_TOKENS", "LLM_DAILY_CALLS", "LLM_PRICE_INPUT", "LLM_PRICE_OUTPUT":
		return "within 5 seconds on every instance"
	default:
		return "at once"
	}
}

// valid checks a number setting's value (empty clears it), so a mistyped
// budget is refused when saved rather than ignored where it is read.
func valid(key, value string) error {
	if value == "" {
		return nil
	}
	switch key {
	case "LLM_DAILY_TOKENS", "LLM_DAILY_CALLS":
		if n, err := strconv.ParseInt(value, 10, 64); err != nil || n < 0 {
			return vrrec.Errorf(vrrec.EINVALID, "%s: want a whole number, 0 for no limit, got %q", key, value)
		}
	case "LLM_PRICE_INPUT", "LLM_PRICE_OUTPUT":
		if f, err := strconv.ParseFloat(value, 64); err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return vrrec.Errorf(vrrec.EINVALID, "%s: want US dollars per million tokens like 0.10, got %q", key, value)
		}
	}
	return nil
}

// Settings reads and changes the managed settings. Secrets are stored
// encrypted (AES-GCM, key derived from the secret key, the setting's name
// bound in), so a copy of the database does not give the API keys away.
type Settings struct {
	store vrrec.ConfigStore
	env   func(string) string
	box   *box
}

// NewSettings returns the managed settings kept in store over env
// (os.Getenv in production); secret is the service's secret key.
func NewSettings(store vrrec.ConfigStore, env func(string) string, secret []byte) (*Settings, error) {
	b, err := newBox(secret, keys.Settings)
	if err != nil {
		return nil, err
	}
	return &Settings{store: store, env: env, box: b}, nil
}

// sealedPrefix marks an encrypted stored value.
const sealedPrefix = "enc:v1:"

func (s *Settings) seal(key, value string) string {
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(s.box.seal([]byte(value), []byte(key)))
}

// errUnreadable is a stored secret sealed with another secret key.
var errUnreadable = errors.New("stored value sealed with another SECRET_KEY")

// open returns a stored value in plain text; legacy says it was sealed
// with the key versions before HKDF derived.
func (s *Settings) open(key, stored string) (plain string, legacy bool, err error) {
	rest, sealed := strings.CutPrefix(stored, sealedPrefix)
	if !sealed {
		return stored, false, nil // stored before secrets were sealed, or not a secret
	}
	raw, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil {
		return "", false, errUnreadable
	}
	b, legacy, err := s.box.open(raw, []byte(key))
	if err != nil {
		return "", false, errUnreadable
	}
	return string(b), legacy, nil
}

// Reseal seals again, with the current key, every stored secret that only
// the legacy key opens, and returns how many it rewrote. Values reads such
// secrets either way; serve calls Reseal at start so the legacy derivation
// can one day be dropped.
func (s *Settings) Reseal(ctx context.Context) (int, error) {
	stored, err := s.store.Config(ctx)
	if err != nil {
		return 0, fmt.Errorf("reseal settings: %w", err)
	}
	change := map[string]string{}
	for _, k := range Managed {
		if plain, legacy, err := s.open(k, stored[k]); err == nil && legacy {
			change[k] = s.seal(k, plain)
		}
	}
	if len(change) == 0 {
		return 0, nil
	}
	if err := s.store.SetConfig(ctx, change); err != nil {
		return 0, fmt.Errorf("reseal settings: %w", err)
	}
	return len(change), nil
}

// Values returns the managed settings stored in the database, decrypted;
// a secret that cannot be decrypted is left out.
func (s *Settings) Values(ctx context.Context) (map[string]string, error) {
	stored, err := s.store.Config(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, k := range Managed {
		if v := stored[k]; v != "" {
			if plain, _, err := s.open(k, v); err == nil {
				out[k] = plain
			}
		}
	}
	return out, nil
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
func (s *Settings) List(ctx context.Context) ([]vrrec.Setting, error) {
	raw, err := s.store.Config(ctx)
	if err != nil {
		return nil, err
	}
	stored, err := s.Values(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]vrrec.Setting, 0, len(Managed))
	for _, k := range Managed {
		st := vrrec.Setting{Key: k, Secret: secret(k), Source: "unset", Applies: applies(k)}
		switch {
		case stored[k] != "":
			st.Value, st.Source = stored[k], "database"
		case raw[k] != "":
			st.Source = "database, unreadable: stored under another SECRET_KEY; enter it again"
			if s.env(k) != "" {
				st.Value = s.env(k)
			}
		case s.env(k) != "":
			st.Value, st.Source = s.env(k), "environment"
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
func (s *Settings) Effective(ctx context.Context, key string) (string, error) {
	stored, err := s.Values(ctx)
	if err != nil {
		return s.env(key), err
	}
	if v := stored[key]; v != "" {
		return v, nil
	}
	return s.env(key), nil
}

// Update stores new values and returns the keys that changed. A value
// containing "*****" is a masked value sent back unchanged and is ignored;
// an empty value removes the stored one (the environment's applies again).
// Unknown keys are EINVALID and nothing is stored.
func (s *Settings) Update(ctx context.Context, values map[string]string) ([]string, error) {
	for k := range values {
		if !slices.Contains(Managed, k) {
			return nil, vrrec.Errorf(vrrec.EINVALID, "%s is not a setting that can be changed here", k)
		}
	}
	stored, err := s.Values(ctx)
	if err != nil {
		return nil, err
	}
	raw, err := s.store.Config(ctx)
	if err != nil {
		return nil, err
	}
	change := map[string]string{}
	for k, v := range values {
		v = strings.TrimSpace(v)
		effective := stored[k]
		if effective == "" {
			effective = s.env(k)
		}
		// A masked value sent back unchanged; a short secret masks to
		// fewer than five stars, so compare with its mask too.
		masked := strings.Contains(v, "*****") || (secret(k) && v != "" && v == Mask(effective))
		// Clearing a value that is stored but unreadable (sealed under
		// another SECRET_KEY) is a change.
		if masked || (v == stored[k] && (v != "" || raw[k] == "")) {
			continue
		}
		if len(v) > 2000 {
			return nil, vrrec.Errorf(vrrec.EINVALID, "%s is too long", k)
		}
		if err := valid(k, v); err != nil {
			return nil, err
		}
		change[k] = v
	}
	if len(change) == 0 {
		return nil, nil
	}
	keys := make([]string, 0, len(change))
	for k, v := range change {
		keys = append(keys, k)
		if secret(k) && v != "" {
			change[k] = s.seal(k, v)
		}
	}
	if err := s.store.SetConfig(ctx, change); err != nil {
		return nil, fmt.Errorf("update settings: %w", err)
	}
	slices.Sort(keys)
	return keys, nil
}
