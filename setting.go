package vrrec

// Setting is one managed setting (API keys, models, database addresses) as
// staff see it on the configuration page.
type Setting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`  // masked for secrets
	Source string `json:"source"` // database, environment or unset
	Secret bool   `json:"secret"`
	// Applies says when a change takes effect, for the config page.
	Applies string `json:"applies"`
}
