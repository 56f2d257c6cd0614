package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/vrrec/vrrec/catalog"
	"github.com/vrrec/vrrec/chat"
	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/inmem"
	"github.com/vrrec/vrrec/web"
)

// secretKeyFile keeps a generated key across restarts, so students keep
// their identity when no SECRET_KEY is configured.
const secretKeyFile = "secret_key"

func cmdServe(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	cat, src, err := openCatalog(cfg, "")
	if err != nil {
		return err
	}
	eng, err := newEngine(ctx, cfg, log, cat)
	if err != nil {
		return err
	}
	key, err := signingKey(cfg, log)
	if err != nil {
		return err
	}
	svc := chat.New(func() chat.Engine { return eng }, inmem.NewSessions(), log)
	version := catalog.Version(cat)
	srv, err := web.New(web.Config{
		Chat:          svc,
		SecretKey:     key,
		WidgetOrigins: cfg.WidgetOrigins,
		Checks: []web.Check{{Name: "recommender", Probe: func(context.Context) error {
			if len(eng.Apps()) == 0 {
				return errors.New("the catalog has no apps")
			}
			return nil
		}}},
		Info: func() map[string]any {
			return map[string]any{"recommender": "ready", "catalog_version": version, "catalog_source": src,
				"apps": len(cat.Apps), "sessions": "memory"}
		},
		Log: log,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", fmt.Sprintf(":%d", cfg.Port))
	if err != nil {
		return fmt.Errorf("listen on port %d: %w", cfg.Port, err)
	}
	log.Info("serving", "addr", ln.Addr().String(), "catalog", src, "catalog_version", version, "apps", len(cat.Apps), "embedder", cfg.Embedder)
	return srv.Serve(ctx, ln)
}

// signingKey derives the cookie-signing key from SECRET_KEY, or from a key
// generated once and kept in DATA_DIR when none is configured.
func signingKey(cfg config.Config, log *slog.Logger) ([]byte, error) {
	secret := cfg.SecretKey
	if secret == "" {
		path := filepath.Join(cfg.DataDir, secretKeyFile)
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			secret = strings.TrimSpace(string(b))
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
		log.Warn("SECRET_KEY is not set: using a key generated in "+path+"; set SECRET_KEY in production, "+
			"and the same one on every instance", "path", path)
	}
	sum := sha256.Sum256([]byte("vrrec cookie signing\x00" + secret))
	return sum[:], nil
}
