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
	secret := cfg.SecretKey
	path := filepath.Join(cfg.DataDir, secretKeyFile)
	if secret == "" && cfg.Env == "production" {
		return nil, errors.New("VRREC_ENV=production needs SECRET_KEY: every instance must sign cookies with the same key")
	}
	if secret == "" {
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			secret = strings.TrimSpace(string(b))
			if len(secret) < minSecretLength {
				return nil, fmt.Errorf("secret key: %s holds %d characters, fewer than %d: delete it to generate a new one, or set SECRET_KEY", path, len(secret), minSecretLength)
			}
		case errors.Is(err, fs.ErrNotExist):
			var raw [32]byte
			_, _ = rand.Read(raw[:])
			secret = hex.EncodeToString(raw[:])
			if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
				return nil, fmt.Errorf("secret key: %w", err)
			}
			if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("secret key: %w", err)
			}
		default:
			return nil, fmt.Errorf("secret key: %w", err)
		}
	} else if len(secret) < minSecretLength {
		return nil, fmt.Errorf("SECRET_KEY has %d characters; use at least %d random ones (for example: openssl rand -hex 32)", len(secret), minSecretLength)
	}
	if cfg.SecretKey == "" {
		log.Warn("SECRET_KEY is not set: using a key generated in "+path+"; set SECRET_KEY in production, "+
			"and the same one on every instance", "path", path)
	}
	return []byte(secret), nil
}
