// Package sqlite is vrrec's embedded default database: one file
// (DATA_DIR/vrrec.db) through the pure-Go modernc.org/sqlite driver, in WAL
// mode, with schema migrations kept in migrations/ and applied at Open. It
// implements the catalog, interaction log, session and config stores.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/vrrec/vrrec"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open database, safe for concurrent use.
type DB struct {
	db *sql.DB
	// Statements every chat answer runs, prepared once: SQLite spends
	// more time parsing a short statement than running it.
	readSession, insertMessage, trimSession *sql.Stmt
	appends                                 *groupCommit
}

var _ vrrec.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and applies
// pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// WAL lets readers run beside the one writer; busy_timeout makes a
	// writer wait for another instead of failing at once.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	d := &DB{db: db}
	if err := d.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := d.prepare(ctx); err != nil {
		db.Close()
		return nil, err
	}
	d.appends = startGroupCommit(d.commitGroup, d.commitAlone)
	return d, nil
}

// prepare prepares the statements of a chat answer (sessions.go).
func (d *DB) prepare(ctx context.Context) error {
	for _, s := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&d.readSession, sessionQuery},
		{&d.insertMessage, insertMessageSQL},
		{&d.trimSession, trimSessionSQL},
	} {
		stmt, err := d.db.PrepareContext(ctx, s.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", s.sql, err)
		}
		*s.stmt = stmt
	}
	return nil
}

// Close commits the messages queued and closes the database.
func (d *DB) Close() error {
	d.appends.close()
	return d.db.Close()
}

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.db.PingContext(ctx) }

// migrate applies the migrations not yet recorded, in file-name order, each
// in its own transaction.
func (d *DB) migrate(ctx context.Context) error {
	if _, err := d.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		version, err := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migrate: %s has no number prefix", name)
		}
		var applied int
		if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&applied); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if applied > 0 {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := d.db.BeginTx(ctx, nil) // immediate: one migrating process at a time
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		// Another process may have applied it since the check above.
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&applied); err != nil || applied > 0 {
			tx.Rollback()
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, time.Now().UnixMilli()); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return nil
}
