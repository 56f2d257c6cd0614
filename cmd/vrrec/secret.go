package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/config"
)

// secretKeyFile keeps a generated key across restarts, so students keep
// their identity when no SECRET_KEY is configured.
const secretKeyFile = "secret_key"

// openSettings returns the service's secret key and the managed settings
// stored in db, sealed with a key derived from it.
func openSettings(cfg config.Config, db vrrec.ConfigStore, log *slog.Logger) ([]byte, *admin.Settings, error) {
	secret, err := secretKey(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	settings, err := admin.NewSettings(db, os.Getenv, secret)
	return secret, settings, err
}

// withStoredSettingsIfAny is withStoredSettings for a command that needs no
// secret of its own: it reads the settings serve stored with the key that
// exists, and makes no key (nor warns of one) when there is none, as
// then serve has sealed nothing.
func withStoredSettingsIfAny(ctx context.Context, cfg config.Config, db vrrec.ConfigStore, log *slog.Logger) (config.Config, error) {
	secret, _, err := existingSecretKey(cfg)
	if err != nil || secret == nil {
		return cfg, err
	}
	settings, err := admin.NewSettings(db, os.Getenv, secret)
	if err != nil {
		return cfg, err
	}
	return withStoredSettings(ctx, cfg, settings, log), nil
}

// withStoredSettings is cfg with the managed settings staff stored in the
// database in place of the environment's.
func withStoredSettings(ctx context.Context, cfg config.Config, settings *admin.Settings, log *slog.Logger) config.Config {
	stored, err := settings.Values(ctx)
	if err != nil {
		log.Warn("stored settings unreadable, using the environment's", "err", err)
		return cfg
	}
	if len(stored) == 0 {
		return cfg
	}
	c, err := config.Load(func(k string) string {
		if v := stored[k]; v != "" {
			return v
		}
		return os.Getenv(k)
	})
	if err != nil {
		log.Warn("stored settings not applied", "err", err)
		return cfg
	}
	return c
}

// minSecretLength is the shortest SECRET_KEY accepted: anything shorter can
// be guessed, and with it every student's identity forged.
const minSecretLength = 16

// secretKey returns SECRET_KEY, or a key generated once and kept in
// DATA_DIR when none is configured. Every key the service uses is derived
// from it (package keys).
func secretKey(cfg config.Config, log *slog.Logger) ([]byte, error) {
	if cfg.SecretKey == "" && cfg.Env == "production" {
		return nil, errors.New("VRREC_ENV=production needs SECRET_KEY: every instance must sign cookies with the same key")
	}
	secret, path, err := existingSecretKey(cfg)
	if err != nil || secret != nil {
		if secret != nil && cfg.SecretKey == "" {
			warnGeneratedKey(log, path)
		}
		return secret, err
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	key := hex.EncodeToString(raw[:])
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	warnGeneratedKey(log, path)
	return []byte(key), nil
}

// existingSecretKey returns SECRET_KEY, or the key generated earlier in
// DATA_DIR; nil when there is neither (path is where one would be kept).
// Commands that only read what serve sealed use it: they never make a key.
func existingSecretKey(cfg config.Config) (secret []byte, path string, err error) {
	path = filepath.Join(cfg.DataDir, secretKeyFile)
	if cfg.SecretKey != "" {
		if len(cfg.SecretKey) < minSecretLength {
			return nil, path, fmt.Errorf("SECRET_KEY has %d characters; use at least %d random ones (for example: openssl rand -hex 32)", len(cfg.SecretKey), minSecretLength)
		}
		return []byte(cfg.SecretKey), path, nil
	}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, path, nil
	case err != nil:
		return nil, path, fmt.Errorf("secret key: %w", err)
	}
	key := strings.TrimSpace(string(b))
	if len(key) < minSecretLength {
		return nil, path, fmt.Errorf("secret key: %s holds %d characters, fewer than %d: delete it to generate a new one, or set SECRET_KEY", path, len(key), minSecretLength)
	}
	return []byte(key), path, nil
}

func warnGeneratedKey(log *slog.Logger, path string) {
	log.Warn("SECRET_KEY is not set: using a key generated in "+path+"; set SECRET_KEY in production, "+
		"and the same one on every instance", "path", path)
}
