package message

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// electionsContent describes Fedora Elections: "pingou added the candidate "Toshio" to the
// election "test"", with the election's page.
func electionsContent(x *extraction) {
	defer electionsDetails(x)
	who := x.agent
	if who == "" {
		who = "someone"
	}
	e := getPath(x.root, "election")
	if e == nil {
		e = x.root
	}
	alias := getString(e, "alias")
	name := alias
	if name == "" {
		name = getString(e, "shortdesc")
	}
	el := "the election " + commQuote(name)
	cand := commQuote(getString(x.root, "candidate", "name"))
	var s string
	switch ev := x.event(); ev {
	case "election.new":
		s = who + " created " + el
	case "election.edit":
		s = who + " edited " + el
	case "candidate.new":
		s = who + " added the candidate " + cand + " to " + el
	case "candidate.edit":
		s = who + " edited the candidate " + cand + " of " + el
	case "candidate.delete":
		s = who + " deleted the candidate " + cand + " from " + el
	default:
		s = who + " " + strings.ReplaceAll(ev, ".", " ") + " in " + el
	}
	x.summary = s
	if alias != "" {
		x.url = commElections + "/about/" + url.PathEscape(alias)
	}
}

// commEpoch formats a Unix time in seconds, in UTC, as "2006-01-02 15:04" ("" when v is no number).
func commEpoch(v any) string {
	f, err := strconv.ParseFloat(scalarString(v), 64)
	if err != nil || f <= 0 {
		return ""
	}
	return time.Unix(int64(f), 0).UTC().Format("2006-01-02 15:04")
}

// electionsDetails adds an election's voting period and, for a new one, its description, and
// a candidate's page.
func electionsDetails(x *extraction) {
	e := getPath(x.root, "election")
	if e == nil {
		e = x.root
	}
	if s, t := commEpoch(getPath(e, "start_date")), commEpoch(getPath(e, "end_date")); s != "" && t != "" {
		x.detail("Voting", s+" – "+t+" UTC")
	}
	if x.event() == "election.new" {
		x.detailText("Description", getString(e, "description"))
	}
	if u := httpURL(getString(x.root, "candidate", "url")); u != "" {
		x.detailLink("Candidate", getString(x.root, "candidate", "name"), u)
	}
}
