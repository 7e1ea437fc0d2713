package message

import (
	"net/url"
	"strings"
)

// nuancierContent describes wallpaper elections: "gnokii approved ralph's submission "Handsome"
// to the "Fedora 22" wallpaper election", with the candidate's image or the election's page.
func nuancierContent(x *extraction) {
	defer nuancierDetails(x)
	who := x.agent
	if who == "" {
		who = "someone"
	}
	name := getString(x.root, "election", "name")
	el := "the " + commQuote(name) + " wallpaper election"
	cand := getString(x.root, "candidate", "name")
	submitter := commWho(x, getPath(x.root, "candidate", "submitter"))
	whose := "a"
	if submitter != "" {
		whose = submitter + "'s"
	}
	ev := x.event()
	var s string
	switch {
	case name == "":
		s = who + " " + strings.ReplaceAll(ev, ".", " ")
		if t := getString(x.root, "thing", "name"); t != "" {
			s += " " + commQuote(t)
		}
		s += " on nuancier"
	case ev == "election.new":
		s = who + " created a new wallpaper election " + commQuote(name)
	case ev == "election.update":
		var fs []string
		each(getPath(x.root, "updated"), func(e any) { fs = append(fs, scalarString(e)) })
		s = who + " changed " + el
		if len(fs) > 0 {
			s = who + " changed the " + strings.Join(fs, ", ") + " of " + el
		}
	case ev == "candidate.new":
		s = who + " uploaded a new candidate " + commQuote(cand) + " for " + el
	case ev == "candidate.approved":
		s = who + " approved " + whose + " submission " + commQuote(cand) + " to " + el
	case ev == "candidate.denied":
		s = who + " denied " + whose + " submission " + commQuote(cand) + " to " + el
	default:
		s = who + " " + strings.ReplaceAll(ev, ".", " ") + " in " + el
	}
	x.summary = strings.ReplaceAll(s, " \"\"", "")
	switch {
	case httpURL(getString(x.root, "candidate", "original_url")) != "":
		x.url = getString(x.root, "candidate", "original_url")
	case httpURL(getString(x.root, "thing", "url")) != "":
		x.url = getString(x.root, "thing", "url")
	case commText(x.root, "election", "id") != "":
		x.url = commNuancier + "/election/" + url.PathEscape(commText(x.root, "election", "id"))
	}
}

// nuancierDetails adds a wallpaper candidate's author and license.
func nuancierDetails(x *extraction) {
	c := getPath(x.root, "candidate")
	x.detail("Author", getString(c, "author"))
	x.detail("License", getString(c, "license"))
}
