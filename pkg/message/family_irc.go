package message

import "strings"

// cookieContent describes IRC karma (fedmsg) and Matrix cookies (maubot): "ralph gave a karma
// cookie to lmacken in #fedora-apps", with the recipient's badges page.
func cookieContent(x *extraction) {
	defer cookieDetails(x)
	who := x.agent
	if who == "" {
		who = "someone"
	}
	to := commWho(x, getPath(x.root, "recipient"))
	if to == "" {
		return
	}
	ch := getString(x.root, "channel")
	in := ""
	if ch != "" {
		in = " in " + ch
	}
	switch {
	case strings.HasPrefix(x.topic, "maubot."):
		x.summary = who + " gave a cookie to " + to + in
	case commText(x.root, "vote") == "-1":
		x.summary = who + " gave negative karma to " + to + in
	default:
		x.summary = who + " gave a karma cookie to " + to + in
	}
	if line := getString(x.root, "line"); line != "" {
		x.summary += ": " + commQuote(line)
	}
	if validAccount(to) != "" {
		x.url = commBadges + "/user/" + to
	}
}

// cookieDetails adds the recipient's cookie (or karma) total, and the release it counts for.
func cookieDetails(x *extraction) {
	x.detail("Total", commText(x.root, "total"))
	x.detail("Release", commText(x.root, "fedora_release"))
}
