package message

import (
	"net/url"
	"slices"
	"strings"
)

// taggerVotedPackages drops the anonymous voter and adds the package (or packages) a vote's tag
// is on.
func taggerVotedPackages(x *extraction) {
	x.dropUser("anonymous")
	switch p := getPath(x.root, "vote", "tag", "package").(type) {
	case string:
		x.addArtifact(ArtifactRPM, p)
	case map[string]any:
		for k := range p {
			x.addArtifact(ArtifactRPM, k)
		}
	}
}

// taggerContent describes Fedora Tagger votes and ratings, with the package's page.
func taggerContent(x *extraction) {
	user := getPath(x.root, "vote", "user")
	if user == nil {
		user = getPath(x.root, "user")
	}
	if user == nil {
		user = getPath(x.root, "rating", "user")
	}
	who := commName(user)
	if who == "" {
		who = "someone"
	}
	var pkg string
	switch p := getPath(x.root, "vote", "tag", "package").(type) {
	case string:
		pkg = p
	case map[string]any:
		keys := make([]string, 0, len(p))
		for k := range p {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if len(keys) > 0 {
			pkg = keys[0]
		}
	}
	if pkg == "" {
		pkg = getString(x.root, "rating", "package", "name")
	}
	if pkg == "" {
		pkg = getString(x.root, "package", "name")
	}
	tag := commQuote(getString(x.root, "vote", "tag", "tag"))
	ev := x.event()
	var s string
	switch {
	case ev == "tag.update":
		verb := " downvoted "
		if like, _ := getPath(x.root, "vote", "like").(bool); like {
			verb = " upvoted "
		}
		s = who + verb + "the tag " + tag + " on " + pkg
	case ev == "tag.create":
		s = who + " added the tag " + tag + " to " + pkg
	case ev == "rating.update":
		s = who + " gave " + pkg + " a rating of " + commText(x.root, "rating", "rating")
	case ev == "user.rank.update":
		s = who + "'s tagger rank changed to " + commText(x.root, "user", "rank")
	case ev == "usage.toggle":
		if use, _ := getPath(x.root, "usage").(bool); use {
			s = who + " declared that they use " + pkg
		} else {
			s = who + " declared that they no longer use " + pkg
		}
	default:
		s = who + " " + strings.ReplaceAll(ev, ".", " ") + " " + pkg
	}
	x.summary = strings.TrimSpace(s)
	if pkg != "" {
		x.url = commTagger + "/" + url.PathEscape(pkg)
	}
}
