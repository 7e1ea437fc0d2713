// Package inspect implements `fmnctl inspect`: it decodes bus messages given as JSON lines and
// prints the metadata fmn extracts from each (app, agent, users, artifacts, summary, URL and the
// long form's details), so extraction can be checked against real traffic without running the
// pipeline.
package inspect

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"fmn/pkg/message"
)

// maxLine bounds one input line. Longer lines are reported as errors and skipped.
const maxLine = message.DefaultMaxBodyBytes + 64<<10

// Result is the output line for a message that could be decoded.
type Result struct {
	ID        string             `json:"id"`
	Topic     string             `json:"topic"`
	App       string             `json:"app"`
	Agent     string             `json:"agent"`
	Usernames []string           `json:"usernames"`
	Packages  []string           `json:"packages"`
	Artifacts []message.Artifact `json:"artifacts"`
	Severity  int                `json:"severity"`
	Summary   string             `json:"summary"`
	URL       string             `json:"url"`
	// Details are the long form (message.Message.Details), as email shows it under the summary.
	Details []message.Detail `json:"details,omitempty"`
}

// ErrorLine is the output line for an input line that could not be decoded.
type ErrorLine struct {
	ID    string `json:"id,omitempty"`
	Error string `json:"error"`
}

// Run reads JSON lines from stdin, one message each, and writes one JSON object per line to
// stdout. An input line is either a corpus/datagrepper-style record {"topic", "id", "body",
// "headers", "sent_at"} or a fedmsg envelope {"topic", "msg_id", "timestamp", "msg"}. A line that
// cannot be decoded gives {"id", "error"} and Run goes on. Flags: --aliases FILE, a JSON object
// mapping e-mail addresses and IRC nicks to account names.
//
// Run returns an error for bad flags, an unreadable aliases file, and read or write failures,
// and ctx.Err() if ctx is cancelled.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	aliasesPath := fs.String("aliases", "", "JSON `file` mapping e-mail addresses and IRC nicks to account names")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: fmnctl inspect [--aliases FILE] < messages.jsonl")
		fmt.Fprintln(stderr, "Prints the metadata fmn extracts from each message, one JSON object per line.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("inspect: %w", err)
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("inspect: unexpected arguments %q", fs.Args())
	}
	aliases := message.MapAliases{}
	if *aliasesPath != "" {
		var err error
		if aliases, err = loadAliases(*aliasesPath); err != nil {
			return err
		}
	}

	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	in := bufio.NewReaderSize(stdin, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			_ = out.Flush()
			return err
		}
		line, tooLong, err := readLine(in)
		if len(bytes.TrimSpace(line)) > 0 || tooLong {
			var v any
			if tooLong {
				v = ErrorLine{Error: fmt.Sprintf("line longer than %d bytes", maxLine)}
			} else {
				v = inspectLine(line, aliases)
			}
			if werr := enc.Encode(v); werr != nil {
				return fmt.Errorf("inspect: write: %w", werr)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			_ = out.Flush()
			return fmt.Errorf("inspect: read: %w", err)
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("inspect: write: %w", err)
	}
	return nil
}

// readLine returns the next line without its newline. A line over maxLine is consumed and
// reported with tooLong set.
func readLine(r *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > maxLine {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), tooLong, err
	}
}

func loadAliases(path string) (message.MapAliases, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("inspect: read aliases: %w", err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("inspect: aliases %s is not a JSON object of strings: %w", path, err)
	}
	return message.MapAliases(m), nil
}

// record is the union of the input forms Run accepts.
type record struct {
	ID        string          `json:"id"`
	MsgID     string          `json:"msg_id"`
	Topic     string          `json:"topic"`
	Body      json.RawMessage `json:"body"`
	Msg       json.RawMessage `json:"msg"`
	Headers   map[string]any  `json:"headers"`
	SentAt    *string         `json:"sent_at"`
	Timestamp json.Number     `json:"timestamp"`
}

func inspectLine(line []byte, aliases message.Aliases) any {
	var rec record
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&rec); err != nil {
		return ErrorLine{Error: "line is not a JSON message object: " + err.Error()}
	}
	id := rec.ID
	if id == "" {
		id = rec.MsgID
	}
	m, err := decode(rec, id)
	if err != nil {
		return ErrorLine{ID: id, Error: err.Error()}
	}
	message.Extract(&m, aliases)
	res := Result{
		ID: m.ID, Topic: m.Topic, App: m.App, Agent: m.Agent,
		Usernames: nonNil(m.Usernames), Packages: nonNil(m.Packages()),
		Artifacts: m.Artifacts, Severity: m.Severity, Summary: m.Summary, URL: m.URL, Details: m.Details,
	}
	if res.Artifacts == nil {
		res.Artifacts = []message.Artifact{}
	}
	return res
}

func decode(rec record, id string) (message.Message, error) {
	if len(rec.Body) == 0 && len(rec.Msg) > 0 {
		// A fedmsg envelope (or a corpus-style line carrying the fedmsg "msg").
		env := map[string]any{"topic": rec.Topic, "msg_id": id, "msg": rec.Msg}
		if rec.Timestamp != "" {
			env["timestamp"] = rec.Timestamp
		}
		if len(rec.Headers) > 0 {
			env["headers"] = rec.Headers
		}
		raw, err := json.Marshal(env)
		if err != nil {
			return message.Message{}, fmt.Errorf("re-encode fedmsg envelope: %w", err)
		}
		return message.DecodeFedmsg(raw, 0)
	}
	h := make(map[string]any, len(rec.Headers)+1)
	for k, v := range rec.Headers {
		h[k] = v
	}
	if _, ok := h["sent-at"]; !ok && rec.SentAt != nil && *rec.SentAt != "" {
		h["sent-at"] = *rec.SentAt
	}
	return message.DecodeAMQP(message.AMQP{RoutingKey: rec.Topic, MessageID: id, Headers: h, Body: rec.Body}, 0)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
