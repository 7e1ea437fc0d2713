// Package pagure imports artifact ownership in bulk from a Pagure-compatible API, such as
// Fedora's dist-git at https://src.fedoraproject.org: it lists the projects of each dist-git
// namespace page by page (GET {base}/api/0/projects?namespace=N&fork=false&page=P&per_page=100)
// and makes each artifact's owners exactly the users and groups the API lists with owner, admin,
// commit or collaborator access. Each page is applied in its own transaction, so an import that
// fails half-way leaves the pages before the failure applied.
package pagure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"fmn/internal/ownership"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
)

// Defaults of Config.
const (
	// DefaultPerPage is the page size; 100 is the most Pagure allows.
	DefaultPerPage = 100
	// DefaultMaxPages bounds the pages read per namespace. Fedora's rpms namespace has about
	// 25,000 projects (250 pages); the bound stops a server whose "next" never ends.
	DefaultMaxPages = 1000
	// DefaultTimeout bounds one page request, body included. Full project pages of dist-git are a
	// few hundred kilobytes and take seconds to render.
	DefaultTimeout = 2 * time.Minute
	// DefaultUserAgent identifies the importer to the API's operators.
	DefaultUserAgent = "fmn-ownership-importer/1 (+https://github.com/fedora-infra/fmn)"
	// maxPageBytes bounds one page's body; a real page is well under 1 MiB.
	maxPageBytes = 32 << 20
)

// DefaultNamespaces are the dist-git namespaces that hold artifacts.
func DefaultNamespaces() []string { return []string{"rpms", "container", "modules", "flatpaks"} }

// Config holds the importer's settings.
type Config struct {
	// BaseURL is the API's site, such as https://src.fedoraproject.org. Required.
	BaseURL string
	// Namespaces to import; each must map to an artifact type. Default: DefaultNamespaces.
	Namespaces []string
	// PerPage is the page size. Default: DefaultPerPage.
	PerPage int
	// MaxPages bounds the pages read per namespace. Default: DefaultMaxPages.
	MaxPages int
	// Timeout bounds each page request. Default: DefaultTimeout.
	Timeout time.Duration
	// UserAgent is sent with every request. Default: DefaultUserAgent.
	UserAgent string
}

// Store is where ownership goes; *pgstore.Store implements it.
type Store interface {
	ReplaceArtifactOwners(ctx context.Context, owners map[message.Artifact][]prefs.OwnershipChange) error
}

// Deps are the importer's collaborators.
type Deps struct {
	// Store receives each page's ownership. Required.
	Store Store
	// Client makes the requests. Default: a client with no overall timeout of its own (each
	// request gets Config.Timeout through its context).
	Client *http.Client
	// Logger gets a line per namespace. Default: discard.
	Logger *slog.Logger
	// Now reads the clock, only to measure Summary.Duration. Default: time.Now.
	Now func() time.Time
}

// Importer reads ownership from a Pagure-compatible API into a Store.
type Importer struct {
	cfg    Config
	base   *url.URL
	store  Store
	client *http.Client
	logger *slog.Logger
	now    func() time.Time
}

// New validates cfg, fills its defaults and returns an importer.
func New(cfg Config, deps Deps) (*Importer, error) {
	if deps.Store == nil {
		return nil, errors.New("pagure importer: no store")
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("pagure importer: base URL %q: want http(s)://host[/path]", cfg.BaseURL)
	}
	if len(cfg.Namespaces) == 0 {
		cfg.Namespaces = DefaultNamespaces()
	}
	for _, ns := range cfg.Namespaces {
		if _, ok := ownership.ArtifactForNamespace(ns); !ok {
			return nil, fmt.Errorf("pagure importer: namespace %q holds no artifacts (known: %s)", ns, strings.Join(DefaultNamespaces(), ", "))
		}
	}
	if cfg.PerPage <= 0 {
		cfg.PerPage = DefaultPerPage
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = DefaultMaxPages
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if deps.Client == nil {
		deps.Client = &http.Client{}
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &Importer{cfg: cfg, base: base, store: deps.Store, client: deps.Client, logger: deps.Logger, now: deps.Now}, nil
}

// Summary counts what an import did.
type Summary struct {
	// Pages is the number of pages read and applied.
	Pages int
	// Projects is the number of projects whose owners were replaced.
	Projects int
	// Owners is the number of ownership rows written (user and group owners).
	Owners int
	// Skipped counts projects left alone: forks, other namespaces, unusable names.
	Skipped int
	// Truncated lists the namespaces where MaxPages stopped the import before the last page.
	Truncated []string
	// Duration is how long the import took.
	Duration time.Duration
}

// PageError reports a page that could not be read or applied. Pages before it were applied.
type PageError struct {
	// Namespace is the dist-git namespace being imported.
	Namespace string
	// Page is the page number that failed.
	Page int
	// URL is the page's URL.
	URL string
	// Err is what went wrong: the request, the status, the JSON or the store.
	Err error
}

// Error names the namespace, page and URL, then the cause.
func (e *PageError) Error() string {
	return fmt.Sprintf("pagure namespace %s page %d (%s): %v", e.Namespace, e.Page, e.URL, e.Err)
}

// Unwrap returns the underlying error.
func (e *PageError) Unwrap() error { return e.Err }

// Import reads every configured namespace and applies it page by page. It stops at the first
// error, which is a *PageError unless ctx ended between pages; the summary counts what was
// applied before it.
func (i *Importer) Import(ctx context.Context) (Summary, error) {
	var sum Summary
	start := i.now()
	for _, ns := range i.cfg.Namespaces {
		before := sum
		truncated, err := i.importNamespace(ctx, ns, &sum)
		if err != nil {
			sum.Duration = i.now().Sub(start)
			return sum, err
		}
		if truncated {
			sum.Truncated = append(sum.Truncated, ns)
		}
		i.logger.InfoContext(ctx, "pagure namespace imported", "namespace", ns,
			"pages", sum.Pages-before.Pages, "projects", sum.Projects-before.Projects,
			"owners", sum.Owners-before.Owners, "truncated", truncated)
	}
	sum.Duration = i.now().Sub(start)
	return sum, nil
}

func (i *Importer) importNamespace(ctx context.Context, ns string, sum *Summary) (truncated bool, err error) {
	typ, _ := ownership.ArtifactForNamespace(ns)
	page := 1
	for n := 0; ; n++ {
		if n == i.cfg.MaxPages {
			return true, nil
		}
		if err := ctx.Err(); err != nil {
			return false, fmt.Errorf("pagure namespace %s before page %d: %w", ns, page, err)
		}
		u := i.pageURL(ns, page)
		resp, err := i.fetch(ctx, u)
		if err != nil {
			return false, &PageError{Namespace: ns, Page: page, URL: u, Err: err}
		}
		owners, skipped, rows := artifactOwners(resp.Projects, ns, typ)
		if err := i.store.ReplaceArtifactOwners(ctx, owners); err != nil {
			return false, &PageError{Namespace: ns, Page: page, URL: u, Err: err}
		}
		sum.Pages++
		sum.Projects += len(owners)
		sum.Owners += rows
		sum.Skipped += skipped
		i.logger.DebugContext(ctx, "pagure page applied", "namespace", ns, "page", page, "projects", len(owners), "skipped", skipped)
		if resp.Pagination.Next == nil {
			return false, nil
		}
		next, err := nextPage(*resp.Pagination.Next, page)
		if err != nil {
			return false, &PageError{Namespace: ns, Page: page, URL: u, Err: err}
		}
		page = next
	}
}

// pageURL builds the URL of one page. The "next" links of a response are not followed as they
// are: Pagure builds them from its configured external URL, which need not be the address this
// importer reaches it at; only their page number is used.
func (i *Importer) pageURL(ns string, page int) string {
	u := *i.base
	u.Path = strings.TrimRight(u.Path, "/") + "/api/0/projects"
	q := url.Values{}
	q.Set("namespace", ns)
	q.Set("fork", "false")
	q.Set("page", strconv.Itoa(page))
	q.Set("per_page", strconv.Itoa(i.cfg.PerPage))
	u.RawQuery = q.Encode()
	return u.String()
}

// nextPage reads the page number of a "next" link, which must come after the current page.
func nextPage(link string, current int) (int, error) {
	u, err := url.Parse(link)
	if err != nil {
		return 0, fmt.Errorf("pagination.next %q: %w", link, err)
	}
	p := u.Query().Get("page")
	if p == "" {
		return current + 1, nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n <= current {
		return 0, fmt.Errorf("pagination.next %q: page %q does not follow page %d", link, p, current)
	}
	return n, nil
}

// projectsPage is the part of a /api/0/projects answer the importer reads.
type projectsPage struct {
	Pagination *struct {
		Next *string `json:"next"`
		Page int     `json:"page"`
	} `json:"pagination"`
	Projects []project `json:"projects"`
}

type project struct {
	Name         string              `json:"name"`
	Namespace    *string             `json:"namespace"`
	Parent       json.RawMessage     `json:"parent"`
	AccessUsers  map[string][]string `json:"access_users"`
	AccessGroups map[string][]string `json:"access_groups"`
}

func (i *Importer) fetch(ctx context.Context, u string) (*projectsPage, error) {
	ctx, cancel := context.WithTimeout(ctx, i.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", i.cfg.UserAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := i.client.Do(req)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // PageError already names the URL
		}
		return nil, fmt.Errorf("get: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s: %s", resp.Status, snippet(body))
	}
	if len(body) > maxPageBytes {
		return nil, fmt.Errorf("body larger than %d bytes", maxPageBytes)
	}
	var page projectsPage
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	if page.Pagination == nil || page.Projects == nil {
		return nil, errors.New(`decode JSON: no "pagination" or "projects": not a /api/0/projects answer`)
	}
	return &page, nil
}

// snippet returns the start of an error body, printable, for an error message.
func snippet(b []byte) string {
	const maxLen = 200
	s := strings.ToValidUTF8(string(b[:min(len(b), 4*maxLen)]), "?")
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxLen {
		s = strings.ToValidUTF8(s[:maxLen], "") + "…"
	}
	return strconv.Quote(s)
}

// ownerLevels are the access levels that make an owner, for users and for groups (groups
// cannot be a project's owner).
var ownerLevels = []string{"owner", "admin", "commit", "collaborator"}

// artifactOwners converts one page's projects into the owners of each artifact, skipping
// projects outside ns (forks, mislabeled or unusable entries). rows counts the owners.
func artifactOwners(projects []project, ns string, typ message.ArtifactType) (owners map[message.Artifact][]prefs.OwnershipChange, skipped, rows int) {
	owners = make(map[message.Artifact][]prefs.OwnershipChange, len(projects))
	for _, p := range projects {
		parent := strings.TrimSpace(string(p.Parent))
		if p.Namespace == nil || *p.Namespace != ns || (parent != "" && parent != "null") || !ownership.ValidName(p.Name) {
			skipped++
			continue
		}
		a := message.Artifact{Type: typ, Name: p.Name}
		seen := map[[2]string]bool{}
		cs := []prefs.OwnershipChange{}
		add := func(kind string, access map[string][]string) {
			for _, level := range ownerLevels {
				for _, name := range access[level] {
					if !ownership.ValidName(name) || seen[[2]string{kind, name}] {
						continue
					}
					seen[[2]string{kind, name}] = true
					cs = append(cs, prefs.OwnershipChange{Artifact: a, OwnerKind: kind, Owner: name})
				}
			}
		}
		add(prefs.OwnerUser, p.AccessUsers)
		add(prefs.OwnerGroup, p.AccessGroups)
		if prev, dup := owners[a]; dup {
			rows -= len(prev) // the same project twice on a page: the last one wins
		}
		owners[a] = cs
		rows += len(cs)
	}
	return owners, skipped, rows
}
