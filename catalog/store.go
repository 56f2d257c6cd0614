package catalog

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sync"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/embedding"
)

// defaultFiles is the catalog shipped inside the binary, in the upstream
// format, so a fresh clone recommends something useful with no data at all.
//
//go:embed default/*.json
var defaultFiles embed.FS

var loadDefault = sync.OnceValues(func() (*vrrec.Catalog, error) {
	cat, rep, err := readDir(DefaultFS(), nil)
	if err != nil {
		return nil, fmt.Errorf("embedded catalog: %w", err)
	}
	if bad := rep.Faults(); len(bad) > 0 {
		return nil, fmt.Errorf("embedded catalog has %d problems, first: %s", len(bad), bad[0])
	}
	return cat, nil
})

// defaultVectors are the embedded catalog's vectors (rag.IndexTexts),
// computed when the catalog or the model changes by the built-in model, so
// a fresh start embeds nothing but queries.
//
//go:generate go run ../tools/catalogvectors -out default/vectors.bin
//go:embed default/vectors.bin
var defaultVectors []byte

var loadDefaultVectors = sync.OnceValues(func() (defaultSnapshot, error) {
	model, vecs, err := embedding.ReadSnapshot(bytes.NewReader(defaultVectors))
	if err != nil {
		return defaultSnapshot{}, fmt.Errorf("embedded catalog vectors: %w", err)
	}
	return defaultSnapshot{model, vecs}, nil
})

type defaultSnapshot struct {
	model string
	vecs  map[string][]float32
}

// DefaultVectors returns the name of the model that computed the embedded
// catalog's vectors, and the vectors by vrrec.TextKey. Callers must not
// modify them.
func DefaultVectors() (string, map[string][]float32, error) {
	s, err := loadDefaultVectors()
	return s.model, s.vecs, err
}

// Default returns the embedded catalog: a copy of its rows each time, so
// a caller may change them (the rows' own lists are shared: replace them,
// do not edit them in place).
func Default() (*vrrec.Catalog, error) {
	cat, err := loadDefault()
	if err != nil {
		return nil, err
	}
	return &vrrec.Catalog{Courses: slices.Clone(cat.Courses), Apps: slices.Clone(cat.Apps), Skills: slices.Clone(cat.Skills),
		CourseSkills: slices.Clone(cat.CourseSkills), AppSkills: slices.Clone(cat.AppSkills)}, nil
}

// DefaultFS returns the embedded catalog's files in the upstream format.
func DefaultFS() fs.FS {
	sub, err := fs.Sub(defaultFiles, "default")
	if err != nil { // the directive above guarantees the directory
		panic(err)
	}
	return sub
}

// Version identifies a catalog's content: equal catalogs have equal versions,
// and any change to a row changes it.
func Version(c *vrrec.Catalog) string {
	b, err := json.Marshal(c)
	if err != nil { // cannot happen for these plain types
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
