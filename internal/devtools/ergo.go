package devtools

import (
	_ "embed" // the ergo configuration template
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fmn/internal/childproc"
)

// ErgoVersion is the ergo version tools/go.mod pins (a test keeps them in step).
const ErgoVersion = "v1.2.1-0.20210919081820-20d8d269ca18"

// EnvErgo names the variable that overrides the ergo binary's path.
const EnvErgo = "FMN_ERGO"

// ErgoPath returns where the ergo binary is expected: FMN_ERGO, or the cache.
func ErgoPath() string { return Path(EnvErgo, "ergo", ErgoVersion) }

// ergoTemplate is ergo's configuration with {{PORT}} for the port (scripts/run-local.sh uses it
// too).
//
//go:embed ircd.yaml.tmpl
var ergoTemplate string

// ErgoConfig is the ergo configuration of a server listening on 127.0.0.1:port in plaintext (no
// TLS, no MOTD, languages and fakelag off); ergo keeps its datastore beside the config file.
func ErgoConfig(port int) string {
	return strings.ReplaceAll(ergoTemplate, "{{PORT}}", strconv.Itoa(port))
}

// Ergo is an ergo IRC server to run on loopback.
type Ergo struct {
	// Addr is the host:port of its plaintext listener.
	Addr string
	// Dir holds its configuration (ircd.yaml) and its datastore.
	Dir string
}

// NewErgo picks a free loopback port for an ergo and writes its configuration into dir.
func NewErgo(dir string) (Ergo, error) {
	port, err := childproc.FreePort()
	if err != nil {
		return Ergo{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "ircd.yaml"), []byte(ErgoConfig(port)), 0o600); err != nil {
		return Ergo{}, fmt.Errorf("ergo config: %w", err)
	}
	return Ergo{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Dir: dir}, nil
}

// Spec is the child process of e, its output going to output; it is ready once it listens.
func (e Ergo) Spec(output io.Writer) childproc.Spec {
	return childproc.Spec{Name: "ergo", Bin: ErgoPath(), Args: []string{"run", "--conf", filepath.Join(e.Dir, "ircd.yaml")},
		Dir: e.Dir, Output: output, Ready: childproc.Listening(e.Addr)} // the datastore (ircd.db) is created beside the config
}
