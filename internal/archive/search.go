package archive

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNotFound means no archived message has the id.
var ErrNotFound = errors.New("message not found")

// ErrTooSlow means a search ran longer than SearchTimeout and was cancelled.
var ErrTooSlow = errors.New("the query took too long: narrow it (a shorter window, a user or a package)")

// SearchTimeout bounds a search (its page and its count), so that no query holds the database
// for the tens of seconds datagrepper's slowest did.
const SearchTimeout = 10 * time.Second

// Result is a page of a query's answer in datagrepper's shape.
type Result struct {
	// Messages are the page, in the query's order.
	Messages []Message `json:"raw_messages"`
	// Count is len(Messages).
	Count int `json:"count"`
	// Total is how many messages match, or CountCap when TotalIsLowerBound.
	Total int `json:"total"`
	// TotalIsLowerBound says more than CountCap messages match; Total and Pages are then lower
	// bounds.
	TotalIsLowerBound bool `json:"total_is_lower_bound"`
	// Pages is how many pages of RowsPerPage messages Total makes.
	Pages int `json:"pages"`
	// Page and RowsPerPage are the query's.
	Page        int `json:"-"`
	RowsPerPage int `json:"-"`
	// Query is what was asked, with the window worked out.
	Query Query `json:"arguments"`
}

// messageCols are the columns Message is scanned from, of messages m.
const messageCols = `m.id, m.msg_id, m.sent_at,` + otherCols

// otherCols are the columns of messageCols after id, msg_id and sent_at.
const otherCols = ` m.topic, m.category, coalesce(m.agent, '') AS agent, m.severity,
	coalesce(m.summary, '') AS summary, coalesce(m.url, '') AS url, m.usernames, m.packages, m.body::text AS body`

// scanMessage reads one row of messageCols.
func scanMessage(row pgx.CollectableRow) (Message, error) {
	var m Message
	var body []byte
	err := row.Scan(&m.ID, &m.MsgID, &m.SentAt, &m.Topic, &m.Category, &m.Agent, &m.Severity, &m.Summary, &m.URL,
		&m.Usernames, &m.Packages, &body)
	m.SentAt = m.SentAt.UTC()
	m.Body = body
	return m, err
}

// Get returns the archived message with bus id msgID (the newest, should the bus have reused
// an id), or ErrNotFound.
func (s *Store) Get(ctx context.Context, msgID string) (Message, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+messageCols+` FROM messages m WHERE m.msg_id = $1 ORDER BY m.sent_at DESC LIMIT 1`, msgID)
	if err != nil {
		return Message{}, fmt.Errorf("get message %q: %w", msgID, err)
	}
	m, err := pgx.CollectExactlyOneRow(rows, scanMessage)
	if errors.Is(err, pgx.ErrNoRows) {
		return Message{}, ErrNotFound
	}
	if err != nil {
		return Message{}, fmt.Errorf("get message %q: %w", msgID, err)
	}
	return m, nil
}

// Search answers q: a page of messages and how many match (counted up to CountCap).
//
// The SQL is built so that every query reads an index in sent_at order and stops at the page's
// end. One positive parameter drives the scan, in this order of preference (most selective
// first): user (the message_users primary key (name, sent_at, message_id), joined to messages
// on its primary key (sent_at, id)), package (message_packages likewise), topic
// (messages_topic_idx), category (messages_category_idx); without one, the messages primary key
// (sent_at, id). Each value of the driving parameter is its own branch, an index range scan
// ordered by sent_at and limited to the page's end, and the branches are merged; a message
// involving two of the wanted users is counted in the first one's branch only. Every other
// parameter is a filter on the row (the usernames and packages arrays, topic, category, the
// body for contains). Every table is constrained on sent_at, so only the window's weekly
// partitions are read. Values are always bind parameters. The total is known without counting
// on the last page; otherwise a count reads the same branches, stopping at CountCap+1 rows.
//
// A search that takes longer than SearchTimeout fails with ErrTooSlow.
func (s *Store) Search(ctx context.Context, q Query) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, SearchTimeout)
	defer cancel()
	res, err := s.search(ctx, q)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return Result{}, ErrTooSlow
	}
	return res, err
}

func (s *Store) search(ctx context.Context, q Query) (Result, error) {
	res := Result{Page: q.Page, RowsPerPage: q.RowsPerPage, Query: q}
	offset := (q.Page - 1) * q.RowsPerPage
	sql, args := pageSQL(q)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return Result{}, fmt.Errorf("search archive: %w", err)
	}
	res.Messages, err = pgx.CollectRows(rows, scanMessage)
	if err != nil {
		return Result{}, fmt.Errorf("search archive: %w", err)
	}
	res.Count = len(res.Messages)
	if res.Count < q.RowsPerPage && (res.Count > 0 || offset == 0) {
		// The last page: the total is known without counting.
		res.Total = offset + res.Count
	} else if res.Total, res.TotalIsLowerBound, err = s.count(ctx, q); err != nil {
		return Result{}, err
	}
	res.Pages = (res.Total + q.RowsPerPage - 1) / q.RowsPerPage
	if res.Messages == nil {
		res.Messages = []Message{}
	}
	return res, nil
}

// count counts q's messages up to CountCap, reading them in index order like the search, each
// branch in turn until the cap.
func (s *Store) count(ctx context.Context, q Query) (int, bool, error) {
	sql, args := countSQL(q)
	var n int
	if err := s.pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("count archive: %w", err)
	}
	if n > CountCap {
		return CountCap, true, nil
	}
	return n, false, nil
}

// pageSQL is the statement of q's page.
func pageSQL(q Query) (string, []any) {
	b := newSearchSQL(q)
	offset := (q.Page - 1) * q.RowsPerPage
	order := orderBy(q)
	if len(b.branches) == 1 {
		return `SELECT * FROM (` + b.branches[0] + `) r` + order + ` LIMIT ` + b.bind(q.RowsPerPage) + ` OFFSET ` + b.bind(offset), b.args
	}
	// Each branch stops at the page's end; the merge sorts at most that many rows a branch.
	pageEnd := b.bind(offset + q.RowsPerPage)
	parts := make([]string, len(b.branches))
	for i, br := range b.branches {
		parts[i] = `(SELECT * FROM (` + br + `) r` + order + ` LIMIT ` + pageEnd + `)`
	}
	return `SELECT * FROM (` + strings.Join(parts, " UNION ALL ") + `) r` + order + ` LIMIT ` + b.bind(q.RowsPerPage) +
		` OFFSET ` + b.bind(offset), b.args
}

// countSQL is the statement counting q's messages up to CountCap+1: the branches in turn, each
// in index order, until the limit.
func countSQL(q Query) (string, []any) {
	b := newSearchSQL(q)
	order := orderBy(q)
	limit := b.bind(CountCap + 1)
	parts := make([]string, len(b.branches))
	for i, br := range b.branches {
		parts[i] = `(SELECT 1 FROM (` + br + `) r` + order + ` LIMIT ` + limit + `)`
	}
	return `SELECT count(*) FROM (SELECT 1 FROM (` + strings.Join(parts, " UNION ALL ") + `) u LIMIT ` + limit + `) c`, b.args
}

// orderBy is q's ORDER BY clause over the columns of messageCols.
func orderBy(q Query) string {
	if q.Asc {
		return " ORDER BY sent_at ASC, id ASC"
	}
	return " ORDER BY sent_at DESC, id DESC"
}

// searchSQL builds the branches of a search: SELECT messageCols ... with bind parameters in
// args.
type searchSQL struct {
	args     []any
	branches []string
	// start and end are the placeholders of the time window; conds are the filters on messages
	// m that every branch applies.
	start, end string
	conds      []string
}

// bind adds a bind parameter and returns its placeholder.
func (b *searchSQL) bind(v any) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args))
}

// newSearchSQL builds q's branches, one for each value of the driving parameter.
func newSearchSQL(q Query) *searchSQL {
	b := &searchSQL{}
	b.start, b.end = b.bind(q.Start), b.bind(q.End)
	drive := drivingParam(q)
	b.filter(q, drive)
	switch drive {
	case "user", "package":
		b.bridgeBranches(q, drive)
	case "topic", "category":
		b.columnBranches(q, drive)
	default:
		b.branches = append(b.branches, `SELECT `+messageCols+` FROM messages m`+b.where())
	}
	return b
}

// drivingParam is the parameter whose values the branches of q's search take one each: the
// first of user, package, topic and category that q has, or "" for none.
func drivingParam(q Query) string {
	switch {
	case len(q.Users) > 0:
		return "user"
	case len(q.Packages) > 0:
		return "package"
	case len(q.Topics) > 0:
		return "topic"
	case len(q.Categories) > 0:
		return "category"
	}
	return ""
}

// filter adds the conditions of every parameter but the driving one to conds.
func (b *searchSQL) filter(q Query, drive string) {
	if drive != "user" {
		b.array("m.usernames", q.Users, true)
	}
	if drive != "package" {
		b.array("m.packages", q.Packages, true)
	}
	if drive != "topic" {
		b.scalar("m.topic", q.Topics, true)
	}
	if drive != "category" {
		b.scalar("m.category", q.Categories, true)
	}
	b.array("m.usernames", q.NotUsers, false)
	b.array("m.packages", q.NotPackages, false)
	b.scalar("m.topic", q.NotTopics, false)
	b.scalar("m.category", q.NotCategories, false)
	if len(q.Contains) > 0 {
		var or []string
		for _, c := range q.Contains {
			or = append(or, "strpos(m.body::text, "+b.bind(c)+") > 0")
		}
		b.conds = append(b.conds, "("+strings.Join(or, " OR ")+")")
	}
}

// array adds the condition that the array column col overlaps vals (or, if not positive, does
// not).
func (b *searchSQL) array(col string, vals []string, positive bool) {
	if len(vals) == 0 {
		return
	}
	if positive {
		b.conds = append(b.conds, col+" && "+b.bind(vals)+"::text[]")
	} else {
		b.conds = append(b.conds, "NOT ("+col+" && "+b.bind(vals)+"::text[])")
	}
}

// scalar adds the condition that the column col is one of vals (or, if not positive, none).
func (b *searchSQL) scalar(col string, vals []string, positive bool) {
	if len(vals) == 0 {
		return
	}
	switch {
	case positive && len(vals) == 1:
		// A plain equality, so an index with this column before sent_at can drive in order.
		b.conds = append(b.conds, col+" = "+b.bind(vals[0]))
	case positive:
		b.conds = append(b.conds, col+" = ANY("+b.bind(vals)+"::text[])")
	default:
		b.conds = append(b.conds, col+" <> ALL("+b.bind(vals)+"::text[])")
	}
}

// window is the condition that alias's sent_at is in the time window.
func (b *searchSQL) window(alias string) string {
	return alias + ".sent_at BETWEEN " + b.start + " AND " + b.end
}

// where is the WHERE clause on messages m: the window, extra, then conds.
func (b *searchSQL) where(extra ...string) string {
	all := append(append([]string{b.window("m")}, extra...), b.conds...)
	return " WHERE " + strings.Join(all, " AND ")
}

// bridgeBranches adds a branch per user or package (drive) of q, driven by its bridge table.
func (b *searchSQL) bridgeBranches(q Query, drive string) {
	// The bridge table's rows in index order, and for each the message, by its primary key
	// (a lateral subquery, OFFSET 0 so that it stays one: joined any other way, the planner
	// misjudges how many rows the two-column join gives and may hash the whole window).
	// The output's sent_at and id are the bridge table's, so the page's ORDER BY and LIMIT
	// apply to the bridge table's index scan.
	table, col, vals := "message_users", "m.usernames", q.Users
	if drive == "package" {
		table, col, vals = "message_packages", "m.packages", q.Packages
	}
	for i, v := range vals {
		extra := []string{"m.sent_at = d.sent_at", "m.id = d.message_id"}
		if i > 0 {
			// Counted in an earlier value's branch.
			extra = append(extra, "NOT ("+col+" && "+b.bind(vals[:i])+"::text[])")
		}
		b.branches = append(b.branches, `SELECT d.message_id AS id, m.msg_id, d.sent_at,`+otherCols+`
				FROM `+table+` d CROSS JOIN LATERAL (SELECT * FROM messages m`+b.where(extra...)+` OFFSET 0) m
				WHERE d.name = `+b.bind(v)+` AND `+b.window("d"))
	}
}

// columnBranches adds a branch per topic or category (drive) of q, driven by that column.
func (b *searchSQL) columnBranches(q Query, drive string) {
	col, vals := "m.topic", q.Topics
	if drive == "category" {
		col, vals = "m.category", q.Categories
	}
	for _, v := range vals {
		b.branches = append(b.branches, `SELECT `+messageCols+` FROM messages m`+b.where(col+" = "+b.bind(v)))
	}
}
