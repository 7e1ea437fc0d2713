package message

import "strings"

// badgesContent describes Fedora Badges: awards, leaderboard moves and first logins, with the
// badge's page when the body names the badge's id, else the person's badges page.
func badgesContent(x *extraction) {
	defer badgesDetails(x)
	who := x.agent
	if who == "" {
		who = commName(getPath(x.root, "user"))
	}
	if who == "" {
		who = commName(getPath(x.root, "person"))
	}
	ev := x.event()
	var s string
	switch {
	case ev == "badge.award":
		s = who + " has been awarded the " + commQuote(getString(x.root, "badge", "name")) + " badge"
	case ev == "person.rank.advance":
		rank := commText(x.root, "person", "rank")
		if old := commText(x.root, "old_rank"); old != "" {
			s = who + "'s rank on the badges leaderboard changed from " + old + " to " + rank
		} else {
			s = who + " moved to position " + rank + " on the badges leaderboard"
		}
	case ev == "person.login.first":
		s = who + " logged in to Fedora Badges for the first time"
	default:
		s = who + ": badges " + strings.ReplaceAll(ev, ".", " ")
	}
	x.summary = s
	switch {
	case ev == "badge.award" && validAccount(getString(x.root, "badge", "badge_id")) != "":
		x.url = commBadges + "/badge/" + getString(x.root, "badge", "badge_id")
	case validAccount(who) != "":
		x.url = commBadges + "/user/" + who
	}
}

// badgesDetails adds the badge awarded, linked to its page, and what it is awarded for.
func badgesDetails(x *extraction) {
	b := getPath(x.root, "badge")
	if b == nil {
		return
	}
	link := ""
	if id := getString(b, "badge_id"); validAccount(id) != "" {
		link = commBadges + "/badge/" + id
	}
	x.detailLink("Badge", getString(b, "name"), link)
	x.detail("Description", getString(b, "description"))
}
