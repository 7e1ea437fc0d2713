// Package importer reads message dumps into the archive: datagrepper /raw pages
// ({"raw_messages": [...], "pages": ...}, one JSON document, possibly pretty-printed, or one page
// a line) and JSONL files with one message a line, either in datagrepper's raw shape ({"msg_id",
// "topic", "timestamp", "msg", "headers"...}) or in fmn's bus shape as in the corpus ({"id",
// "topic", "sent_at", "body", "headers"}). Messages are decoded by pkg/message (DecodeFedmsg for
// the raw shape, DecodeAMQP for the bus shape), extracted with message.Extract and written in
// batches. A message that does not decode is counted and reported with its line; it never stops
// the import.
//
// A file whose first line is a whole JSON value is read as JSONL (a line may also hold a whole
// page). Otherwise, when that line starts a JSON value ("{" alone, as pretty-printers write), the
// file is read as a sequence of JSON documents; if the first of them does not parse either, the
// file falls back to JSONL, so that each broken line is reported.
package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"fmn/internal/corpus"
	"fmn/pkg/message"
)

// DefaultBatch is the number of messages per write when Config.Batch is zero.
const DefaultBatch = 1000

// maxLine bounds one JSONL line; maxDocument one JSON document (a datagrepper page holds at most
// 100 messages).
const (
	maxLine     = 16 << 20
	maxDocument = 256 << 20
)

// maxProblems is how many problems a Summary keeps; the rest are only counted.
const maxProblems = 1000

// Writer archives a batch of messages (archive.Store does).
type Writer interface {
	Write(ctx context.Context, msgs []message.Message) error
}

// Config sets up an Importer.
type Config struct {
	// Batch is the number of messages per write (default DefaultBatch).
	Batch int
	// MaxBody bounds a message's body in bytes (default message.DefaultMaxBodyBytes).
	MaxBody int
}

// Deps are an Importer's collaborators.
type Deps struct {
	// Writer receives the messages. Required.
	Writer Writer
	// Aliases maps e-mail addresses to accounts during extraction; may be nil.
	Aliases message.Aliases
}

// Importer reads dumps into the archive. It is not safe for concurrent use.
type Importer struct {
	cfg  Config
	deps Deps
}

// New returns an Importer.
func New(cfg Config, deps Deps) (*Importer, error) {
	if deps.Writer == nil {
		return nil, errors.New("importer: a Writer is required")
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = message.DefaultMaxBodyBytes
	}
	return &Importer{cfg: cfg, deps: deps}, nil
}

// Problem is a message (or a document) that could not be imported.
type Problem struct {
	// File is the name given to Import.
	File string
	// Line is the line where the message starts (1-based).
	Line int
	// Reason says what is wrong.
	Reason string
}

// String formats the problem as file:line: reason.
func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Reason) }

// Summary counts what an import did.
type Summary struct {
	// Messages is the number of messages decoded and written (including ones archived before,
	// which the writer leaves alone).
	Messages int
	// Malformed is the number of messages or documents that could not be imported.
	Malformed int
	// Problems are the first malformed ones (at most 1000), in order.
	Problems []Problem
}

// Add adds o's counts and problems to s.
func (s *Summary) Add(o Summary) {
	s.Messages += o.Messages
	s.Malformed += o.Malformed
	for _, p := range o.Problems {
		if len(s.Problems) < maxProblems {
			s.Problems = append(s.Problems, p)
		}
	}
}

// run is the state of one Import call.
type run struct {
	im    *Importer
	ctx   context.Context
	name  string
	batch []message.Message
	sum   Summary
}

func (r *run) problem(line int, reason string) {
	r.sum.Malformed++
	if len(r.sum.Problems) < maxProblems {
		r.sum.Problems = append(r.sum.Problems, Problem{File: r.name, Line: line, Reason: reason})
	}
}

func (r *run) flush() error {
	if len(r.batch) == 0 {
		return nil
	}
	if err := r.im.deps.Writer.Write(r.ctx, r.batch); err != nil {
		return err
	}
	r.sum.Messages += len(r.batch)
	r.batch = r.batch[:0]
	return nil
}

// add decodes one message in either shape and queues it.
func (r *run) add(line int, raw []byte) error {
	m, err := r.im.decode(raw)
	if err != nil {
		r.problem(line, err.Error())
		return nil
	}
	r.batch = append(r.batch, m)
	if len(r.batch) >= r.im.cfg.Batch {
		return r.flush()
	}
	return nil
}

// Import reads one dump from src (name is used in problems) and writes its messages. The error
// is only for what stops the import: reading src, or writing; the Summary counts what was written
// up to then.
func (im *Importer) Import(ctx context.Context, name string, src io.Reader) (Summary, error) {
	r := &run{im: im, ctx: ctx, name: name}
	br := bufio.NewReaderSize(src, 1<<20)
	doc, err := startsDocument(br)
	if err != nil {
		return r.sum, fmt.Errorf("read %s: %w", name, err)
	}
	var rest io.Reader = br
	if doc {
		var data []byte
		if data, err = io.ReadAll(io.LimitReader(br, maxDocument+1)); err != nil {
			return r.sum, fmt.Errorf("read %s: %w", name, err)
		}
		if len(data) <= maxDocument {
			doc, err = r.document(data)
		} else {
			doc = false
		}
		// Not a document after all (JSONL with a broken first line, or too big for one): lines.
		rest = io.MultiReader(bytes.NewReader(data), br)
	}
	if !doc {
		err = r.lines(rest)
	}
	if err == nil {
		err = r.flush()
	}
	return r.sum, err
}

// startsDocument reports whether br may hold JSON documents, pretty-printed, rather than JSONL:
// its first non-blank line is not a JSON value but starts one.
func startsDocument(br *bufio.Reader) (bool, error) {
	head, err := br.Peek(br.Size())
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return false, err
	}
	head = bytes.TrimLeft(head, " \t\r\n")
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	head = bytes.TrimSpace(head)
	return len(head) > 0 && (head[0] == '{' || head[0] == '[') && !json.Valid(head), nil
}

// lines reads JSONL: each line a message or a whole /raw page.
func (r *run) lines(src io.Reader) error {
	sc := bufio.NewScanner(src)
	sc.Buffer(make([]byte, 0, 1<<20), maxLine)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if !json.Valid(b) {
			r.problem(line, "not valid JSON")
			continue
		}
		if isPage(b) {
			if err := r.page(b, func(int64) int { return line }); err != nil {
				return err
			}
			continue
		}
		if err := r.add(line, b); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			r.problem(line+1, fmt.Sprintf("line longer than %d bytes; the rest of the file is skipped", maxLine))
			return nil
		}
		return fmt.Errorf("read %s: %w", r.name, err)
	}
	return nil
}

// document reads data as one or more JSON documents, each a /raw page or a message, such as a
// page saved with curl (pretty-printed or not). It reports false, having done nothing, when the
// first document is not valid JSON: the data is then better read as lines.
func (r *run) document(data []byte) (bool, error) {
	lineAt := lineCounter(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	for n := 0; ; n++ {
		start := dec.InputOffset()
		var doc json.RawMessage
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			return true, nil
		} else if err != nil {
			if n == 0 {
				return false, nil
			}
			// The rest of the file cannot be found reliably after a syntax error.
			r.problem(lineAt(start+skipSpace(data[start:])), "not valid JSON; the rest of the file is skipped")
			return true, nil
		}
		at := start + skipSpace(data[start:])
		if isPage(doc) {
			if err := r.page(doc, func(off int64) int { return lineAt(at + off) }); err != nil {
				return true, err
			}
		} else if err := r.add(lineAt(at), doc); err != nil {
			return true, err
		}
	}
}

// page imports the raw_messages of one /raw page; lineOf maps an offset in page to a line.
func (r *run) page(page []byte, lineOf func(int64) int) error {
	dec := json.NewDecoder(bytes.NewReader(page))
	if _, err := dec.Token(); err != nil { // {
		r.problem(lineOf(0), "page: not valid JSON")
		return nil
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			r.problem(lineOf(dec.InputOffset()), "page: not valid JSON")
			return nil
		}
		if key != "raw_messages" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				r.problem(lineOf(dec.InputOffset()), "page: not valid JSON")
				return nil
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			r.problem(lineOf(dec.InputOffset()), "page: raw_messages is not a list")
			return nil
		}
		for dec.More() {
			start := dec.InputOffset()
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				r.problem(lineOf(start), "page: not valid JSON")
				return nil
			}
			if err := r.add(lineOf(start+skipSpace(page[start:])), raw); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // ]
			r.problem(lineOf(dec.InputOffset()), "page: not valid JSON")
			return nil
		}
	}
	return nil
}

// isPage reports whether the JSON object b is a datagrepper page.
func isPage(b []byte) bool {
	var probe struct {
		RawMessages json.RawMessage `json:"raw_messages"`
	}
	return b[0] == '{' && json.Unmarshal(b, &probe) == nil && probe.RawMessages != nil
}

// shape tells the two message shapes apart.
type shape struct {
	Msg  json.RawMessage `json:"msg"`
	Body json.RawMessage `json:"body"`
}

// decode turns one message in either shape into an extracted message, or says why not.
func (im *Importer) decode(raw []byte) (message.Message, error) {
	if !utf8.Valid(raw) {
		return message.Message{}, errors.New("not valid UTF-8")
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return message.Message{}, errors.New("not a JSON object")
	}
	var sh shape
	if err := json.Unmarshal(raw, &sh); err != nil {
		return message.Message{}, fmt.Errorf("not a message: %w", err)
	}
	var m message.Message
	var err error
	switch {
	case sh.Msg != nil: // datagrepper raw (datanommer's fedmsg-era envelope)
		m, err = message.DecodeFedmsg(raw, im.cfg.MaxBody)
	case sh.Body != nil: // fmn's bus shape, as in the corpus
		var rec corpus.Record
		if err := json.Unmarshal(raw, &rec); err != nil {
			return message.Message{}, fmt.Errorf("bus-shaped message: %w", err)
		}
		m, err = message.DecodeAMQP(rec.AMQP(), im.cfg.MaxBody)
	default:
		return message.Message{}, errors.New(`neither a datagrepper message ("msg") nor a bus message ("body")`)
	}
	if err != nil {
		return message.Message{}, err
	}
	if len(m.ID) > 255 {
		return message.Message{}, errors.New("message id longer than 255 bytes")
	}
	message.Extract(&m, im.deps.Aliases)
	return m, nil
}

// lineCounter returns a function giving the 1-based line of an offset in data; offsets must not
// decrease between calls by much (it scans forward from the last answer, or restarts).
func lineCounter(data []byte) func(int64) int {
	var off int64
	line := 1
	return func(to int64) int {
		to = min(max(to, 0), int64(len(data)))
		if to < off {
			off, line = 0, 1
		}
		line += bytes.Count(data[off:to], []byte{'\n'})
		off = to
		return line
	}
}

// skipSpace is the number of JSON whitespace bytes at the start of b (and of a separating comma).
func skipSpace(b []byte) int64 {
	var n int64
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ',' {
			break
		}
		n++
	}
	return n
}
