// Package corpus reads the real-message corpus (testdata/corpus/bus-corpus.jsonl in the
// repository): real Fedora bus messages with the metadata Fedora's own code computed for them.
// Tests, benchmarks, the demo and `fmnctl replay` use it.
package corpus

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"fmn/pkg/message"
)

// FileName is the corpus file's name inside the corpus directory.
const FileName = "bus-corpus.jsonl"

// EnvPath names the environment variable that overrides where the corpus file is.
const EnvPath = "FMN_CORPUS"

// maxLine bounds one JSONL line (the largest record is well under 1 MiB).
const maxLine = 16 << 20

// Record is one corpus line. Only the fields fmn uses are decoded.
type Record struct {
	ID       string          `json:"id"`
	Topic    string          `json:"topic"`
	SentAt   *string         `json:"sent_at"`
	Body     json.RawMessage `json:"body"`
	Headers  map[string]any  `json:"headers"`
	Era      string          `json:"era"`
	Family   string          `json:"family"`
	BusEnv   *string         `json:"bus_env"`
	Expected *Expected       `json:"expected"`
}

// Expected holds the values Fedora's code computed for a record. A nil slice means "not checked
// by the source"; an empty one means "checked, and empty".
type Expected struct {
	Usernames []string `json:"usernames"`
	Packages  []string `json:"packages"`
	Groups    []string `json:"groups"`
	Agent     *string  `json:"agent"`
	Summary   *string  `json:"summary"`
	Link      *string  `json:"link"`
	AppName   *string  `json:"app_name"`
}

// AMQP returns the record as the bus would deliver it: routing key = topic, message_id = id, the
// body, and fedora-messaging headers (with sent-at added when the record has a time but no header).
func (r *Record) AMQP() message.AMQP {
	h := make(map[string]any, len(r.Headers)+1)
	for k, v := range r.Headers {
		h[k] = v
	}
	if _, ok := h["sent-at"]; !ok && r.SentAt != nil && *r.SentAt != "" {
		h["sent-at"] = *r.SentAt
	}
	return message.AMQP{RoutingKey: r.Topic, MessageID: r.ID, Headers: h, Body: r.Body}
}

// Read decodes every record of a JSONL stream.
func Read(r io.Reader) ([]Record, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), maxLine)
	var out []Record
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("corpus line %d: %w", line, err)
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	return out, nil
}

// Load reads the corpus file at path.
func Load(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open corpus: %w", err)
	}
	defer f.Close()
	return Read(f)
}

// ErrNotFound means the corpus file could not be located.
var ErrNotFound = errors.New("corpus not found")

// Dir is where the corpus lives inside the repository, relative to its root (the directory
// holding go.mod).
const Dir = "testdata/corpus"

// Path locates the corpus: $FMN_CORPUS if set, else testdata/corpus/bus-corpus.jsonl of the
// repository, whose root (the directory holding go.mod) is searched upwards from the working
// directory.
func Path() (string, error) {
	if p := os.Getenv(EnvPath); p != "" {
		return p, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, filepath.FromSlash(Dir), FileName)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%w: %s is missing (set %s to use another file)", ErrNotFound, p, EnvPath)
	}
	return p, nil
}

// RepoRoot returns the nearest directory holding go.mod, searched upwards from the working
// directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("locate corpus: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no go.mod above the working directory (set %s)", ErrNotFound, EnvPath)
		}
		dir = parent
	}
}

// LoadDefault locates and reads the corpus.
func LoadDefault() ([]Record, error) {
	p, err := Path()
	if err != nil {
		return nil, err
	}
	return Load(p)
}
