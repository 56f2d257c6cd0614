// Command vrrec recommends Meta Quest VR apps to students from what they
// study. It is the only place that wires the packages together: it reads the
// configuration, opens the catalog and picks the embedder.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/vrrec/vrrec/config"
	"github.com/vrrec/vrrec/web"
)

const usage = `vrrec recommends Meta Quest VR apps to students from what they study.

Usage:
  vrrec serve                                          run the chat service on PORT (default 5000)
  vrrec healthcheck                                    exit 0 when the local service answers /health
  vrrec hash-password < password.txt                   print an ADMIN_PASSWORD_HASH (argon2id) for a password
  vrrec recommend [--json] [--reply] [--top N] "QUERY"   rank apps for a query
  vrrec import --dir DIR [--json] [--publish]          keep a catalog in the upstream format as a draft (--publish: make it live)
  vrrec catalog list|diff|publish|rollback|discard     review, publish and roll back catalog versions ("vrrec catalog" for details)
  vrrec eval [--queries FILE [--catalog DIR]] [--json] measure nDCG@5, recall@8, precision@5 on the built-in labeled sets (or FILE)
  vrrec extract-skills [--offline] [--out DIR] [--import]  re-extract course and app skills (LLM or vocabulary)
  vrrec build-graph [--clear] [--json]                 write the catalog into Neo4j (GRAPH_BACKEND=neo4j); print graph statistics
  vrrec student export|forget USER_ID                  export or delete everything stored about one student identity
  vrrec staff list|add|role|disable|reset-password     manage staff accounts ("vrrec staff" for details)

Configuration comes from the environment and a .env file; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal stops the process at once
	}()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "vrrec:", err)
		}
		os.Exit(2)
	}
}

// run runs one command. Each reads only the configuration it uses:
// hash-password none, healthcheck the port, the others all of it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "hash-password":
		return cmdHashPassword(stdin, stdout, stderr)
	case "healthcheck":
		if err := config.LoadEnvFile(".env"); err != nil {
			return fmt.Errorf("configuration: %w", err)
		}
		port, err := config.Port(os.Getenv)
		if err != nil {
			return fmt.Errorf("configuration: %w", err)
		}
		return cmdHealthcheck(ctx, port, stdout)
	}
	cfg, err := config.FromEnvironment()
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, logOptions(cfg.LogLevel)))
	switch cmd {
	case "serve":
		return cmdServe(ctx, cfg, serviceLogger(stderr, cfg.LogLevel))
	case "recommend":
		return cmdRecommend(ctx, cfg, log, rest, stdout, stderr)
	case "import":
		return cmdImport(ctx, cfg, log, rest, stdout, stderr)
	case "catalog":
		return cmdCatalog(ctx, cfg, log, rest, stdout, stderr)
	case "eval":
		return cmdEval(ctx, cfg, log, rest, stdout, stderr)
	case "extract-skills":
		return cmdExtractSkills(ctx, cfg, log, rest, stdout, stderr)
	case "build-graph":
		return cmdBuildGraph(ctx, cfg, log, rest, stdout, stderr)
	case "student":
		return cmdStudent(ctx, cfg, log, rest, stdout, stderr)
	case "staff":
		return cmdStaff(ctx, cfg, log, rest, stdin, stdout, stderr)
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// serviceLogger is the service's log: JSON lines for log collectors, with
// each request's id.
func serviceLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(web.LogHandler{Handler: slog.NewJSONHandler(w, logOptions(level))})
}

// logOptions writes durations as people read them ("30s", "1.5s"), not as
// nanoseconds.
func logOptions(level slog.Level) *slog.HandlerOptions {
	return &slog.HandlerOptions{Level: level, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Value.Kind() == slog.KindDuration {
			a.Value = slog.StringValue(a.Value.Duration().String())
		}
		return a
	}}
}

// parseFlags parses flags that may come before or after positional arguments
// ("recommend 'python' --json") and returns the positionals.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
