package message

import (
	"net/url"
	"strings"
)

// wiki takes the editor (wiki user names are capitalised; accounts are not) and, for an edit of
// a user page, that page's owner.
func wiki(x *extraction) {
	u := getString(x.root, "user")
	if u == "" {
		u = getString(x.root, "user_text")
	}
	x.setAgent(strings.ToLower(u))
	if owner, ok := strings.CutPrefix(getString(x.root, "title"), "User:"); ok {
		owner, _, _ = strings.Cut(owner, "/")
		x.addUser(strings.ToLower(owner))
	}
}

// commSegments escapes a name for a URL path, keeping the slashes of wiki subpages: spaces
// become underscores, as MediaWiki writes them, when wiki is set.
func commSegments(name string, wiki bool) string {
	if wiki {
		name = strings.ReplaceAll(name, " ", "_")
	}
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// wikiContent describes wiki edits and uploads, with the edit's diff or the page.
func wikiContent(x *extraction) {
	defer wikiDetails(x)
	wiki(x)
	who := x.agent
	if who == "" {
		who = "someone"
	}
	if strings.HasPrefix(x.topic, "wiki.upload") {
		file := getString(x.root, "title", "mPrefixedText")
		if file == "" {
			file = getString(x.root, "title")
		}
		if file == "" {
			file = "a file"
		}
		x.summary = who + " uploaded " + file + " to the wiki"
		if d := getString(x.root, "description"); d != "" {
			if r := []rune(d); len(r) > 80 {
				d = string(r[:80]) + "…"
			}
			x.summary += ": " + commQuote(d)
		}
		if file != "a file" {
			x.url = commWiki + "/" + commSegments(file, true)
		}
		return
	}
	title := getString(x.root, "title")
	if title == "" {
		x.summary = who + " edited the wiki"
	} else {
		x.summary = who + " made an edit to the wiki page " + commQuote(title)
	}
	for _, k := range [...]string{"url", "diff_url", "page_url"} {
		if u := httpURL(getString(x.root, k)); u != "" {
			x.url = u
			return
		}
	}
	if title != "" {
		x.url = commWiki + "/" + commSegments(title, true)
	}
}

// wikiDetails adds an edit's comment and the page edited (when the link is the diff), or an
// upload's full description.
func wikiDetails(x *extraction) {
	if strings.HasPrefix(x.topic, "wiki.upload") {
		if d := getString(x.root, "description"); len([]rune(d)) > 80 {
			x.detailText("Description", d)
		}
		return
	}
	x.detailText("Comment", getString(x.root, "summary"))
	if p := httpURL(getString(x.root, "page_url")); p != "" && p != x.url {
		x.detailLink("Page", getString(x.root, "title"), p)
	}
}
