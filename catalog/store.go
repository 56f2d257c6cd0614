package catalog

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/vrrec/vrrec"
)

// defaultFiles is the catalog shipped inside the binary, in the upstream
// format, so a fresh clone recommends something useful with no data at all.
//
//go:embed default/*.json
var defaultFiles embed.FS

// FileName is the imported catalog's file under the data directory.
const FileName = "catalog.json"

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

// Source says where Open found the catalog.
type Source string

const (
	SourceEmbedded Source = "embedded default"
	SourceDataDir  Source = "data directory"
)

// Open returns the catalog imported under dataDir when there is one, and the
// embedded default otherwise.
func Open(dataDir string) (*vrrec.Catalog, Source, error) {
	cat, err := Load(dataDir)
	if errors.Is(err, fs.ErrNotExist) {
		cat, err = Default()
		return cat, SourceEmbedded, err
	}
	if err != nil {
		return nil, "", err
	}
	return cat, SourceDataDir, nil
}

// Load reads the catalog saved under dataDir; the error wraps fs.ErrNotExist
// when nothing was imported there.
func Load(dataDir string) (*vrrec.Catalog, error) {
	path := filepath.Join(dataDir, FileName)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	var cat vrrec.Catalog
	if err := json.Unmarshal(b, &cat); err != nil {
		return nil, fmt.Errorf("load catalog %s: %w", path, err)
	}
	return &cat, nil
}

// Save writes cat under dataDir unless the same catalog is already there, and
// reports whether it wrote. The file is replaced atomically, so a reader never
// sees half a catalog and a failed write leaves the previous one in place.
func Save(dataDir string, cat *vrrec.Catalog) (changed bool, err error) {
	if old, err := Load(dataDir); err == nil && Version(old) == Version(cat) {
		return false, nil
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return false, fmt.Errorf("save catalog: %w", err)
	}
	b, err := json.MarshalIndent(cat, "", "  ")
	if err != nil {
		return false, fmt.Errorf("save catalog: %w", err)
	}
	tmp, err := os.CreateTemp(dataDir, FileName+".*.tmp")
	if err != nil {
		return false, fmt.Errorf("save catalog: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return false, fmt.Errorf("save catalog: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, fmt.Errorf("save catalog: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("save catalog: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dataDir, FileName)); err != nil {
		return false, fmt.Errorf("save catalog: %w", err)
	}
	return true, nil
}
