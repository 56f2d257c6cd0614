package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vrrec/vrrec"
	"github.com/vrrec/vrrec/admin"
	"github.com/vrrec/vrrec/config"
)

const staffUsage = `Usage:
  vrrec staff list [--json]                                  every staff account
  vrrec staff add EMAIL [--name NAME] [--role ROLE] [--sso]  add an account; the password is the first line of standard input
                                                             (--sso: no password, signs in through single sign-on only)
  vrrec staff role EMAIL viewer|editor|admin                 change a role (applies to the next request)
  vrrec staff disable EMAIL [--enable]                       disable an account, ending its sessions (--enable: enable it again)
  vrrec staff reset-password EMAIL                           set a new password (standard input), ending the account's sessions

Roles: viewer (dashboard, logs, reports), editor (also catalog drafts, jobs,
labeled queries, demand topics), admin (also settings and keys, publishing,
staff accounts, a student's export and deletion). Every change is recorded in
the staff audit trail.
`

// cliActor names the person running a command in the audit trail: "cli:"
// and the operating-system user.
func cliActor() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = "unknown"
	}
	return "cli:" + name
}

// auditCLI records what a command did, with who ran it and when; a failure
// is logged, not fatal.
func auditCLI(ctx context.Context, log vrrec.AuditLog, logger *slog.Logger, action, detail string) {
	if err := log.Audit(ctx, vrrec.AuditEntry{Actor: cliActor(), Action: action, Detail: detail, Time: time.Now().UTC()}); err != nil {
		logger.Warn("audit entry not written", "err", err)
	}
}

// readPassword reads the first line of stdin.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if stdin == nil {
		return "", fmt.Errorf("the password comes on standard input, and there is none")
	}
	fmt.Fprintln(stderr, "Password (one line on standard input):")
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read the password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func cmdStaff(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, staffUsage)
		return fmt.Errorf("staff needs a subcommand")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("staff "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	name := fs.String("name", "", "display name (default: the email's local part)")
	role := fs.String("role", string(vrrec.RoleViewer), "viewer, editor or admin")
	sso := fs.Bool("sso", false, "no password: the account signs in through single sign-on only")
	enable := fs.Bool("enable", false, "enable a disabled account again")
	pos, err := parseFlags(fs, rest)
	if err != nil {
		return err
	}
	want := map[string]int{"list": 0, "add": 1, "role": 2, "disable": 1, "reset-password": 1}
	n, known := want[sub]
	if !known {
		fmt.Fprint(stderr, staffUsage)
		return fmt.Errorf("unknown staff subcommand %q", sub)
	}
	if len(pos) != n {
		fmt.Fprint(stderr, staffUsage)
		return fmt.Errorf("staff %s takes %d argument(s), got %d", sub, n, len(pos))
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	accounts := admin.NewAccounts(db)
	find := func() (vrrec.StaffMember, error) { return accounts.Find(ctx, pos[0]) }
	var m vrrec.StaffMember
	switch sub {
	case "list":
		list, err := accounts.List(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSONTo(stdout, list)
		}
		printStaff(stdout, list)
		return nil
	case "add":
		r, err := vrrec.ParseRole(*role)
		if err != nil {
			return err
		}
		password := ""
		if !*sso {
			if password, err = readPassword(stdin, stderr); err != nil {
				return err
			}
		}
		if m, err = accounts.Add(ctx, pos[0], *name, r, password); err != nil {
			return err
		}
		auditCLI(ctx, db, log, "add_staff", m.Email+" as "+string(m.Role)+" (vrrec staff add)")
		fmt.Fprintf(stdout, "Added %s (%s) as %s.\n", m.Email, m.Name, m.Role)
	case "role":
		r, err := vrrec.ParseRole(pos[1])
		if err != nil {
			return err
		}
		if m, err = find(); err == nil {
			m, err = accounts.SetRole(ctx, m.ID, r)
		}
		if err != nil {
			return err
		}
		auditCLI(ctx, db, log, "set_staff_role", m.Email+" to "+string(m.Role)+" (vrrec staff role)")
		fmt.Fprintf(stdout, "%s is now %s.\n", m.Email, m.Role)
	case "disable":
		if m, err = find(); err == nil {
			m, err = accounts.SetDisabled(ctx, m.ID, !*enable)
		}
		if err != nil {
			return err
		}
		if *enable {
			auditCLI(ctx, db, log, "enable_staff", m.Email+" (vrrec staff disable --enable)")
			fmt.Fprintf(stdout, "Enabled %s.\n", m.Email)
		} else {
			auditCLI(ctx, db, log, "disable_staff", m.Email+" (vrrec staff disable)")
			fmt.Fprintf(stdout, "Disabled %s: their sessions ended.\n", m.Email)
		}
	case "reset-password":
		password, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		if m, err = find(); err == nil {
			m, err = accounts.SetPassword(ctx, m.ID, password)
		}
		if err != nil {
			return err
		}
		auditCLI(ctx, db, log, "reset_staff_password", m.Email+" (vrrec staff reset-password)")
		fmt.Fprintf(stdout, "New password set for %s: their sessions ended.\n", m.Email)
	}
	return nil
}

func printStaff(w io.Writer, list []vrrec.StaffMember) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSIGN-IN\tCREATED\tLAST SIGN-IN\tSTATE")
	day := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.Local().Format("2006-01-02 15:04")
	}
	for _, m := range list {
		how, state := "password", "active"
		switch {
		case m.ID == admin.BootstrapID:
			how = "ADMIN_PASSWORD_HASH"
		case m.PasswordHash == "":
			how = "single sign-on"
		}
		if m.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.Email, m.Name, m.Role, how, day(m.CreatedAt), day(m.LastSignIn), state)
	}
	tw.Flush()
}
