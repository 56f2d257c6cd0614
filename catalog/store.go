package catalog

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"sync"

	"github.com/vrrec/vrrec"
)

// defaultFiles is the catalog shipped inside the binary, in the upstream
// format, so a fresh clone recommends something useful with no data at all.
//
//go:embed default/*.json
var defaultFiles embed.FS

var loadDefault = sync.OnceValues(func() (*vrrec.Catalog, error) {
	cat, rep, err := ReadDir(DefaultFS())
	if err != nil {
		return nil, fmt.Errorf("embedded catalog: %w", err)
	}
	if len(rep.Problems) > 0 {
		return nil, fmt.Errorf("embedded catalog has %d problems, first: %s", len(rep.Problems), rep.Problems[0])
	}
	return cat, nil
})

// Default returns the embedded catalog. Callers must not modify it.
func Default() (*vrrec.Catalog, error) { return loadDefault() }

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
