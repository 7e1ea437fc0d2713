package devtools

import (
	"context"
	"io"
	"path/filepath"
	"time"

	"fmn/internal/childproc"
	"fmn/internal/mailpitapi"
)

// MailpitVersion is the mailpit version tools/go.mod pins (a test keeps them in step).
const MailpitVersion = "v1.27.11"

// EnvMailpit names the variable that overrides the mailpit binary's path.
const EnvMailpit = "FMN_MAILPIT"

// MailpitPath returns where the mailpit binary is expected: FMN_MAILPIT, or the cache.
func MailpitPath() string { return Path(EnvMailpit, "mailpit", MailpitVersion) }

// Mailpit is a mailpit to run on loopback: an SMTP listener that accepts any credentials, and its
// HTTP API.
type Mailpit struct {
	// SMTPAddr and HTTPAddr are the host:port of its SMTP listener and of its HTTP API.
	SMTPAddr, HTTPAddr string
	// Database is the file it keeps its messages in.
	Database string
	// KeepAll keeps every message (--max 0) instead of mailpit's newest 500.
	KeepAll bool
}

// NewMailpit picks free loopback ports for a mailpit keeping its database in dir.
func NewMailpit(dir string) (Mailpit, error) {
	smtpAddr, err := childproc.FreeAddr()
	if err != nil {
		return Mailpit{}, err
	}
	httpAddr, err := childproc.FreeAddr()
	if err != nil {
		return Mailpit{}, err
	}
	return Mailpit{SMTPAddr: smtpAddr, HTTPAddr: httpAddr, Database: filepath.Join(dir, "mailpit.db")}, nil
}

// APIURL is the base URL of its HTTP API.
func (m Mailpit) APIURL() string { return "http://" + m.HTTPAddr }

// Spec is the child process of m, its output going to output; it is ready once both listeners
// answer.
func (m Mailpit) Spec(output io.Writer) childproc.Spec {
	args := []string{"-s", m.SMTPAddr, "-l", m.HTTPAddr, "--database", m.Database}
	if m.KeepAll {
		args = append(args, "--max", "0")
	}
	args = append(args, "--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--disable-version-check", "-q")
	return childproc.Spec{Name: "mailpit", Bin: MailpitPath(), Args: args, Output: output, Ready: m.ready}
}

// ready reports whether both listeners answer.
func (m Mailpit) ready(ctx context.Context) error {
	if err := childproc.Dial(m.SMTPAddr); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return mailpitapi.Client{URL: m.APIURL()}.Ping(ctx)
}
