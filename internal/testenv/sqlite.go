package testenv

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vrrec/vrrec/sqlite"
)

// SQLite opens a fresh database file in a temporary directory, closed when
// the test ends.
func SQLite(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "vrrec.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
