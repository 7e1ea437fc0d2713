package message

import (
	"html"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// What a person reads for the community applications: accounts, calendar, meetings, forums,
// notifications, elections, wallpapers, tags, wiki, badges, mailing lists and IRC cookies. Each
// function below sets x.summary (a sentence: who did what to which thing) and x.url (the page to
// open) from the fedmsg-era and the fedora-messaging bodies of its application alike.

// Production instances of the community applications.
const (
	commAccounts  = "https://accounts.fedoraproject.org"
	commCalendar  = "https://apps.fedoraproject.org/calendar"
	commMeetbot   = "https://meetbot.fedoraproject.org"
	commDiscourse = "https://discussion.fedoraproject.org"
	commFMN       = "https://apps.fedoraproject.org/notifications/"
	commAskbot    = "https://ask.fedoraproject.org"
	commElections = "https://admin.fedoraproject.org/voting"
	commNuancier  = "https://apps.fedoraproject.org/nuancier"
	commTagger    = "https://apps.fedoraproject.org/tagger"
	commWiki      = "https://fedoraproject.org/wiki"
	commBadges    = "https://badges.fedoraproject.org"
	commLists     = "https://lists.fedoraproject.org/archives"
)

// commText returns the scalar at keys as text, or "".
func commText(v any, keys ...string) string { return scalarString(getPath(v, keys...)) }

// commName returns the name of a person or group given as a string or as an object with a
// username, name or nickname member, as the producer wrote it.
func commName(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case map[string]any:
		for _, k := range [...]string{"username", "name", "nickname"} {
			if s, ok := t[k].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}

// commWho returns how a summary names a person: the account behind v when there is one (an
// IRC nick with an alias becomes its account), else the name as the producer wrote it.
func commWho(x *extraction, v any) string {
	if a := x.userOf(v); a != "" {
		return a
	}
	return commName(v)
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

// commQuote puts a title in double quotes.
func commQuote(s string) string { return "\"" + s + "\"" }

// commFields says which fields changed: "3 details (firstname, lastname, gpgkeyid)".
func commFields(v any) string {
	var fs []string
	each(v, func(e any) {
		if s := scalarString(e); s != "" {
			fs = append(fs, s)
		}
	})
	switch len(fs) {
	case 0:
		return "the details"
	case 1:
		return "1 detail (" + fs[0] + ")"
	}
	if len(fs) > 4 {
		return itoa(len(fs)) + " details"
	}
	return itoa(len(fs)) + " details (" + strings.Join(fs, ", ") + ")"
}

// commGroupFields names the fields of a group that changed: "the display_name" (groups have
// few fields, and their names say more than a count).
func commGroupFields(v any) string {
	var fs []string
	each(v, func(e any) {
		if s := scalarString(e); s != "" {
			fs = append(fs, s)
		}
	})
	if len(fs) == 0 || len(fs) > 4 {
		return commFields(v)
	}
	return "the " + strings.Join(fs, ", ")
}

// fasContent describes account-system events (FAS, and noggin under "msg"): "toshio removed
// ralph from the ambassadors group", with the group's or the account's page.
func fasContent(x *extraction) {
	defer fasDetails(x)
	agent := commWho(x, getPath(x.root, "agent"))
	user := commWho(x, getPath(x.root, "user"))
	group := commName(getPath(x.root, "group"))
	if agent == "" {
		agent = "someone"
	}
	ev := x.event()
	theGroup := "the " + group + " group"
	var s string
	switch {
	case ev == "user.create" && (user == "" || user == agent):
		s = agent + " created a new Fedora account"
	case ev == "user.create":
		s = agent + " created a new Fedora account for " + user
	case ev == "user.update" && (user == "" || user == agent):
		s = agent + " edited " + commFields(getPath(x.root, "fields")) + " of their Fedora account"
	case ev == "user.update":
		s = agent + " edited " + commFields(getPath(x.root, "fields")) + " of " + user + "'s Fedora account"
	case group == "":
	case ev == "group.create":
		s = agent + " created the new FAS group " + group
	case ev == "group.update":
		s = agent + " edited " + commGroupFields(getPath(x.root, "fields")) + " of " + theGroup
	case user == "":
	case ev == "group.member.apply" && user == agent:
		s = agent + " applied for membership in " + theGroup
	case ev == "group.member.apply":
		s = agent + " applied for " + user + "'s membership in " + theGroup
	case ev == "group.member.sponsor":
		s = agent + " sponsored " + user + "'s membership in " + theGroup
	case ev == "group.member.remove":
		s = agent + " removed " + user + " from " + theGroup
	case ev == "group.member.add":
		s = agent + " added " + user + " to " + theGroup
	case ev == "role.update":
		s = agent + " changed " + user + "'s role in " + theGroup
		if st := commName(getPath(x.root, "status")); st != "" {
			s += " to " + st
		}
	}
	if s == "" {
		s = agent + " made a FAS " + strings.ReplaceAll(ev, ".", " ") + " change"
		if user != "" {
			s += " for " + user
		}
		if group != "" {
			s += " in " + theGroup
		}
	}
	x.summary = s
	switch {
	case group != "" && validAccount(group) != "":
		x.url = commAccounts + "/group/" + group + "/"
	case user != "" && validAccount(user) != "":
		x.url = commAccounts + "/user/" + user + "/"
	case validAccount(agent) != "" && agent != "someone":
		x.url = commAccounts + "/user/" + agent + "/"
	}
}

// fedocalContent describes calendar events: "ralph created a new meeting "wat" on 2013-09-20 in
// the calendar "awesome"", with the meeting's page, else the calendar's.
func fedocalContent(x *extraction) {
	defer fedocalDetails(x)
	who := x.agent
	if who == "" {
		who = commName(getPath(x.root, "agent"))
	}
	if who == "" {
		who = "someone"
	}
	cal := getString(x.root, "calendar", "calendar_name")
	if cal == "" {
		cal = getString(x.root, "meeting", "calendar_name")
	}
	meeting := getString(x.root, "meeting", "meeting_name")
	date := getString(x.root, "meeting", "meeting_date")
	start := getString(x.root, "meeting", "meeting_time_start")
	tz := getString(x.root, "meeting", "meeting_timezone")
	when := ""
	if date != "" {
		when = " on " + date
		if start != "" {
			when += " at " + strings.TrimSuffix(start, ":00")
			if tz != "" {
				when += " " + tz
			}
		}
	}
	theCal := "the calendar " + commQuote(cal)
	ev := x.event()
	var s string
	switch {
	case cal == "":
	case strings.HasSuffix(ev, "reminder") && meeting != "":
		s = "Reminder: the meeting " + commQuote(meeting) + " from the " + commQuote(cal) + " calendar starts" + when
	case meeting != "" && ev == "meeting.new":
		s = who + " created a new meeting " + commQuote(meeting) + when + " in " + theCal
	case meeting != "" && ev == "meeting.update":
		s = who + " updated the meeting " + commQuote(meeting) + when + " in " + theCal
	case meeting != "" && strings.HasPrefix(ev, "meeting.delete"):
		s = who + " deleted the meeting " + commQuote(meeting) + " from " + theCal
	case ev == "calendar.new":
		s = who + " created a new calendar " + commQuote(cal)
	case ev == "calendar.update":
		s = who + " updated " + theCal
	case ev == "calendar.delete":
		s = who + " deleted " + theCal
	case ev == "calendar.clear":
		s = who + " cleared " + theCal + " of all its meetings"
	case ev == "calendar.upload":
		s = who + " uploaded meetings into " + theCal
	case meeting != "":
		s = who + " changed the meeting " + commQuote(meeting) + " in " + theCal + " (" + strings.ReplaceAll(ev, ".", " ") + ")"
	default:
		s = who + " changed " + theCal + " (" + strings.ReplaceAll(ev, ".", " ") + ")"
	}
	x.summary = s
	if id := commText(x.root, "meeting", "meeting_id"); id != "" {
		x.url = commCalendar + "/meeting/" + url.PathEscape(id) + "/"
	} else if cal != "" {
		x.url = commCalendar + "/" + url.PathEscape(cal) + "/"
	}
}

// meetbotActions says what each kind of meeting item is.
var meetbotActions = map[string]string{
	"agreed":   "noted an agreement",
	"accepted": "accepted an item",
	"rejected": "rejected an item",
	"action":   "noted an action",
	"info":     "raised a point of information",
	"idea":     "proposed an idea",
	"help":     "called for help",
	"link":     "linked to more information",
}

// meetbotContent describes IRC and Matrix meetings: who started or ended which meeting where,
// and the items noted in it, with the meeting's minutes or the log at the item.
func meetbotContent(x *extraction) {
	defer meetbotDetails(x)
	where := getString(x.root, "channel")
	if where == "" {
		where = getString(x.root, "location")
	}
	name := getString(x.root, "meeting_topic")
	if name == "" {
		name = getString(x.root, "meeting_name")
	}
	owner := commWho(x, getPath(x.root, "owner"))
	ev := x.event()
	in := ""
	if where != "" {
		in = " in " + where
	}
	titled := ""
	if name != "" {
		titled = " " + commQuote(name)
	}
	var s string
	switch {
	case ev == "meeting.start":
		who := commWho(x, getPath(x.root, "start_user"))
		if who == "" {
			who = owner
			x.setAgent(getPath(x.root, "owner"))
		}
		if who == "" {
			who = "someone"
		}
		if name != "" {
			s = who + " started the meeting" + titled + in
		} else {
			s = who + " started a meeting" + in
		}
	case ev == "meeting.complete":
		if who := commWho(x, getPath(x.root, "end_user")); who != "" {
			s = who + " ended the meeting" + titled + in
		} else if owner != "" {
			s = owner + "'s meeting" + titled + " ended" + in
		} else {
			s = "the meeting" + titled + " ended" + in
		}
	case ev == "meeting.topic.update":
		whose := "the meeting"
		if owner != "" {
			whose = owner + "'s meeting"
		}
		s = "the topic of " + whose + titled + in + " changed to " + commQuote(getString(x.root, "topic"))
	case strings.HasPrefix(ev, "meeting.item."):
		x.setAgent(getPath(x.root, "details", "nick"))
		who := commWho(x, getPath(x.root, "details", "nick"))
		if who == "" {
			who = "someone"
		}
		kind := strings.TrimPrefix(ev, "meeting.item.")
		act, ok := meetbotActions[kind]
		if !ok {
			act = "noted " + kind
		}
		meeting := " in a meeting"
		if name != "" {
			meeting = " in the " + commQuote(name) + " meeting"
		}
		s = who + " " + act + meeting + in
		if line := getString(x.root, "details", "line"); line != "" {
			s += ": " + commQuote(line)
		}
	default:
		s = "meetbot " + strings.ReplaceAll(ev, ".", " ") + titled + in
	}
	x.summary = s
	x.url = meetbotURL(x, ev)
}

// meetbotURL returns the minutes of a finished meeting, the log at an item (or, for a link
// item, the page it links to), or the meeting's log.
func meetbotURL(x *extraction, ev string) string {
	if ev == "meeting.complete" {
		var minutes string
		each(getPath(x.root, "logs"), func(l any) {
			if minutes == "" && getString(l, "log_type") == "HTML Minutes" {
				minutes = httpURL(getString(l, "log_url"))
			}
		})
		if minutes != "" {
			return minutes
		}
	}
	base := getString(x.root, "url")
	if base == "" {
		return ""
	}
	if httpURL(base) == "" {
		base = commMeetbot + "/" + strings.TrimPrefix(base, "/")
	}
	switch {
	case ev == "meeting.complete":
		return base + ".html"
	case ev == "meeting.item.link":
		for f := range strings.FieldsSeq(getString(x.root, "details", "line")) {
			if u := httpURL(f); u != "" {
				return u
			}
		}
	}
	u := base + ".log.html"
	if n := commText(x.root, "details", "linenum"); n != "" && strings.HasPrefix(ev, "meeting.item.") {
		u += "#l-" + n
	}
	return u
}

// discourseInstances names Fedora's Discourse instances.
var discourseInstances = map[string]string{
	"https://discussion.fedoraproject.org": "Fedora Discussion",
	"https://ask.fedoraproject.org":        "Ask Fedora",
}

// discourseContent describes forum events: "awarda created the topic "…" on Ask Fedora", with
// the post's or the topic's page on the instance that sent it.
func discourseContent(x *extraction) {
	defer discourseDetails(x)
	hdr := getPath(x.root, "webhook_headers")
	inst := strings.TrimRight(httpURL(getString(hdr, "X-Discourse-Instance")), "/")
	site := discourseInstances[inst]
	if site == "" {
		site = strings.TrimPrefix(strings.TrimPrefix(inst, "https://"), "http://")
	}
	if inst == "" {
		inst = commDiscourse
	}
	typ, event := getString(hdr, "X-Discourse-Event-Type"), getString(hdr, "X-Discourse-Event")
	ev := x.event()
	if typ == "" || event == "" {
		typ, event, _ = strings.Cut(ev, ".")
	}
	body := getPath(x.root, "webhook_body")
	on := ""
	if site != "" {
		on = " on " + site
	}
	var s, u string
	postURL := func(p any) string {
		slug, id := getString(p, "topic_slug"), commText(p, "topic_id")
		if slug == "" || id == "" {
			return ""
		}
		if n := commText(p, "post_number"); n != "" {
			return inst + "/t/" + slug + "/" + id + "/" + n
		}
		return inst + "/t/" + slug + "/" + id
	}
	switch {
	case has(body, "post"):
		p := getPath(body, "post")
		who, title := getString(p, "username"), getString(p, "topic_title")
		if who == "" {
			who = "someone"
		}
		inTopic := ""
		if title != "" {
			inTopic = " in the topic " + commQuote(title)
		}
		switch event {
		case "post_created":
			s = who + " wrote a new post" + on + inTopic
		case "post_edited":
			s = who + " edited a post" + on + inTopic
		case "post_destroyed":
			s = who + " deleted a post" + on + inTopic
		case "post_recovered":
			s = who + " restored a post" + on + inTopic
		default:
			s = who + "'s post" + on + inTopic + ": " + strings.ReplaceAll(event, "_", " ")
		}
		u = postURL(p)
	case has(body, "topic"):
		t := getPath(body, "topic")
		who, title := getString(t, "created_by", "username"), getString(t, "title")
		if who == "" {
			who = "someone"
		}
		verb := map[string]string{
			"topic_created": "created", "topic_edited": "edited",
			"topic_destroyed": "deleted", "topic_recovered": "restored",
		}[event]
		if verb == "" {
			verb = strings.ReplaceAll(event, "_", " ")
		}
		s = who + " " + verb + " the topic " + commQuote(title) + on
		if slug, id := getString(t, "slug"), commText(t, "id"); slug != "" && id != "" {
			u = inst + "/t/" + slug + "/" + id
		}
	case has(body, "like"):
		l := getPath(body, "like")
		p := getPath(l, "post")
		who := getString(l, "user", "username")
		if who == "" {
			who = "someone"
		}
		whose := "a post"
		if a := getString(p, "username"); a != "" {
			whose = a + "'s post"
		}
		s = who + " liked " + whose + " in the topic " + commQuote(getString(p, "topic_title")) + on
		u = postURL(p)
	case has(body, "solved"):
		p := getPath(body, "solved")
		whose := "a post"
		if a := getString(p, "username"); a != "" {
			whose = a + "'s post"
		}
		s = whose + " on the topic " + commQuote(getString(p, "topic_title")) + on + " was marked as the solution"
		u = postURL(p)
	default:
		name := site
		if name == "" {
			name = "Discourse"
		}
		s = name + " sent a " + typ + "." + event + " event"
	}
	x.summary = s
	x.url = u
}

// fmnContent describes changes to notification settings in fedmsg-era FMN.
func fmnContent(x *extraction) {
	who := x.agent
	if who == "" {
		who = "someone"
	}
	ctx, changed := getString(x.root, "context"), getString(x.root, "changed")
	ev := x.event()
	var s string
	switch {
	case ev == "confirmation.update":
		s = "the " + changed + " of one of " + who + "'s pending " + ctx + " confirmations changed"
	case ev == "rule.update":
		s = who + " updated the " + changed + " on their fmn " + ctx + " rule"
	case ev == "filter.update":
		s = who + " updated the " + changed + " on their fmn " + ctx + " filter"
	case ev == "preference.update" && changed == "enabled":
		s = who + " toggled the flow of their " + ctx + " messages"
	case ev == "preference.update":
		what := map[string]string{"batch_values": "digest options", "details": "delivery details"}[changed]
		if what == "" {
			what = changed
		}
		s = who + " updated their " + ctx + " " + what
	default:
		s = who + " changed their notification settings (" + strings.ReplaceAll(ev, ".", " ") + ")"
	}
	x.summary = strings.Join(strings.Fields(s), " ")
	x.url = commFMN
}

// askbotContent describes Ask Fedora (Askbot) questions and answers, with the question's page.
func askbotContent(x *extraction) {
	defer askbotDetails(x)
	who := x.agent
	if who == "" {
		who = "someone"
	}
	title := getString(x.root, "thread", "title")
	q := "the question " + commQuote(title)
	post := getPath(x.root, "post")
	if post == nil {
		post = getPath(x.root, "instance")
	}
	answer := getString(post, "post_type") == "answer"
	created, _ := getPath(x.root, "created").(bool)
	ev := x.event()
	var s string
	switch {
	case ev == "post.edit" && created && answer:
		s = who + " answered " + q
	case ev == "post.edit" && created:
		s = who + " asked " + q
	case ev == "post.edit" && answer:
		s = who + " updated an answer to " + q
	case ev == "post.edit":
		s = who + " updated " + q
	case ev == "tag.update":
		s = who + " changed the tags of " + q
	case ev == "post.delete" && answer:
		s = who + " deleted an answer to " + q
	case ev == "post.delete":
		s = who + " deleted " + q
	case strings.HasPrefix(ev, "post.flag_offensive."):
		verb := " flagged "
		if strings.HasSuffix(ev, ".delete") {
			verb = " unflagged "
		}
		what := "a question"
		if answer {
			what = "an answer"
		}
		s = who + verb + what + " as offensive"
		if title != "" {
			s += " in " + q
		}
	default:
		s = who + " " + strings.ReplaceAll(ev, ".", " ") + " on " + q
	}
	x.summary = s
	if id := commText(x.root, "topmost_post_id"); id != "" {
		x.url = commAskbot + "/question/" + url.PathEscape(id) + "/"
	}
}

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

// mailmanContent takes the sender of a mailing-list post as its agent and describes the post:
// "nim replied to "Re: …" on the devel list", with its page in the archives.
func mailmanContent(x *extraction) {
	defer mailmanDetails(x)
	msg := getPath(x.root, "msg")
	who := ""
	if from := getString(msg, "from"); from != "" {
		if a, err := mail.ParseAddress(from); err == nil {
			x.setAgent(a.Address)
			who = x.agent
			if who == "" {
				who = a.Name
			}
			if who == "" {
				who, _, _ = strings.Cut(a.Address, "@")
			}
		}
	}
	if who == "" {
		who = "someone"
	}
	list := getString(x.root, "mlist", "list_name")
	subj := strings.Join(strings.Fields(getString(msg, "subject")), " ")
	reply := getString(msg, "references") != "" || getString(msg, "in-reply-to") != ""
	switch {
	case list == "":
	case subj != "" && reply:
		x.summary = who + " replied to " + commQuote(subj) + " on the " + list + " list"
	case subj != "":
		x.summary = who + " wrote " + commQuote(subj) + " to the " + list + " list"
	case reply:
		x.summary = who + " replied to a thread on the " + list + " list"
	default:
		x.summary = who + " wrote to the " + list + " list"
	}
	at := strings.TrimSuffix(strings.TrimPrefix(getString(msg, "archived-at"), "<"), ">")
	switch {
	case httpURL(at) != "":
		x.url = at
	case strings.HasPrefix(at, "/"):
		x.url = commLists + at
	}
}

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

// --- Long forms ---

// commTag matches an HTML tag, to read Discourse's rendered posts as text.
var commTag = regexp.MustCompile(`<[^>]*>`)

// commHTMLText turns a rendered post into text: paragraphs and line breaks become line breaks,
// tags go, entities are decoded.
func commHTMLText(s string) string {
	s = strings.NewReplacer("</p>", "\n\n", "<br>", "\n", "<br/>", "\n", "<br />", "\n").Replace(s)
	return html.UnescapeString(commTag.ReplaceAllString(s, ""))
}

// commEpoch formats a Unix time in seconds, in UTC, as "2006-01-02 15:04" ("" when v is no number).
func commEpoch(v any) string {
	f, err := strconv.ParseFloat(scalarString(v), 64)
	if err != nil || f <= 0 {
		return ""
	}
	return time.Unix(int64(f), 0).UTC().Format("2006-01-02 15:04")
}

// fasDetails adds the group an account-system message is about, linked to its page, and the
// role given or the fields changed when the summary could not name them.
func fasDetails(x *extraction) {
	if g := commName(getPath(x.root, "group")); g != "" {
		link := ""
		if validAccount(g) != "" {
			link = commAccounts + "/group/" + g + "/"
		}
		x.detailLink("Group", g, link)
	}
	ev := x.event()
	if ev == "role.update" {
		x.detail("Role", commName(getPath(x.root, "status")))
	}
	var fs []string
	each(getPath(x.root, "fields"), func(e any) {
		if s := scalarString(e); s != "" {
			fs = append(fs, s)
		}
	})
	if len(fs) > 4 {
		x.detail("Fields", strings.Join(fs, ", "))
	}
}

// fedocalDetails adds the meeting a calendar message is about, linked to its page, when and
// where it takes place and its description; for a calendar, its description.
func fedocalDetails(x *extraction) {
	m := getPath(x.root, "meeting")
	if m == nil {
		if x.event() == "calendar.new" {
			x.detailText("Description", getString(x.root, "calendar", "calendar_description"))
		}
		return
	}
	link := ""
	if id := commText(m, "meeting_id"); id != "" {
		link = commCalendar + "/meeting/" + url.PathEscape(id) + "/"
	}
	x.detailLink("Meeting", getString(m, "meeting_name"), link)
	hm := func(t string) string {
		if len(t) == len("12:00:00") && t[5] == ':' {
			return t[:5]
		}
		return t
	}
	date, dateEnd := getString(m, "meeting_date"), getString(m, "meeting_date_end")
	start, stop := hm(getString(m, "meeting_time_start")), hm(getString(m, "meeting_time_stop"))
	if date != "" {
		when := strings.TrimSpace(date + " " + start)
		switch {
		case dateEnd != "" && dateEnd != date:
			when += " – " + strings.TrimSpace(dateEnd+" "+stop)
		case stop != "" && stop != start:
			when += "–" + stop
		}
		if tz := getString(m, "meeting_timezone"); tz != "" && start != "" {
			when += " " + tz
		}
		x.detail("When", when)
	}
	loc := getString(m, "meeting_location")
	if loc == "" {
		loc = getString(m, "meeting_region")
	}
	x.detail("Location", loc)
	x.detailText("Description", getString(m, "meeting_information"))
}

// meetbotDetails adds the meeting's name, the item's text, the new topic, when the meeting ran
// and its minutes and full log.
func meetbotDetails(x *extraction) {
	ev := x.event()
	name := getString(x.root, "meeting_topic")
	if name == "" {
		name = getString(x.root, "meeting_name")
	}
	x.detail("Meeting", name)
	if strings.HasPrefix(ev, "meeting.item.") {
		x.detailText("Item", getString(x.root, "details", "line"))
	}
	if ev == "meeting.topic.update" {
		x.detail("Topic", getString(x.root, "topic"))
	}
	x.detail("When", commSpan(getString(x.root, "start_time"), getString(x.root, "end_time")))
	each(getPath(x.root, "logs"), func(l any) {
		u := httpURL(getString(l, "log_url"))
		switch getString(l, "log_type") {
		case "HTML Minutes":
			if u != x.url {
				x.detailLink("Minutes", u, u)
			}
		case "HTML Full Log":
			x.detailLink("Log", u, u)
		}
	})
}

// discourseDetails adds the text of a post (its raw source, else its rendered form as text),
// its category, and a topic's tags.
func discourseDetails(x *extraction) {
	body := getPath(x.root, "webhook_body")
	var p any
	for _, k := range [...]string{"post", "solved"} {
		if p == nil {
			p = getPath(body, k)
		}
	}
	if p != nil {
		text := getString(p, "raw")
		if text == "" {
			text = commHTMLText(getString(p, "cooked"))
		}
		x.detailText("Post", text)
		x.detail("Category", getString(p, "category_slug"))
	}
	if t := getPath(body, "topic"); t != nil {
		x.detail("Tags", strings.Join(strs(getPath(t, "tags")), ", "))
	}
}

// mailmanDetails adds the list a post went to, linked to its archives, and the post's subject.
func mailmanDetails(x *extraction) {
	list := getString(x.root, "mlist", "list_name")
	link := ""
	at := strings.TrimSuffix(strings.TrimPrefix(getString(x.root, "msg", "archived-at"), "<"), ">")
	if strings.HasPrefix(at, "/") {
		at = commLists + at
	}
	if i := strings.Index(at, "/list/"); i >= 0 && httpURL(at) != "" {
		if j := strings.IndexByte(at[i+len("/list/"):], '/'); j > 0 {
			link = at[:i+len("/list/")+j+1]
		}
	}
	x.detailLink("List", list, link)
	x.detail("Subject", strings.Join(strings.Fields(getString(x.root, "msg", "subject")), " "))
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

// askbotDetails adds the text of the question or answer and the question's tags.
func askbotDetails(x *extraction) {
	post := getPath(x.root, "post")
	if post == nil {
		post = getPath(x.root, "instance")
	}
	x.detailText("Post", getString(post, "text"))
	x.detail("Tags", strings.Join(strs(getPath(x.root, "thread", "tagnames")), ", "))
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

// nuancierDetails adds a wallpaper candidate's author and license.
func nuancierDetails(x *extraction) {
	c := getPath(x.root, "candidate")
	x.detail("Author", getString(c, "author"))
	x.detail("License", getString(c, "license"))
}

// cookieDetails adds the recipient's cookie (or karma) total, and the release it counts for.
func cookieDetails(x *extraction) {
	x.detail("Total", commText(x.root, "total"))
	x.detail("Release", commText(x.root, "fedora_release"))
}

// commSpan says when a meeting ran from meetbot's times ("2023-08-12T20:17:46+0000"), in UTC:
// "2023-08-12 20:17–20:45 UTC"; times it cannot read are kept as they are.
func commSpan(start, end string) string {
	const layout = "2006-01-02T15:04:05-0700"
	s, err := time.Parse(layout, start)
	if err != nil {
		if end != "" && start != "" {
			return start + " – " + end
		}
		return start
	}
	s = s.UTC()
	out := s.Format("2006-01-02 15:04")
	if e, err := time.Parse(layout, end); err == nil {
		e = e.UTC()
		if e.Format("2006-01-02") == s.Format("2006-01-02") {
			out += "–" + e.Format("15:04")
		} else {
			out += " – " + e.Format("2006-01-02 15:04")
		}
	}
	return out + " UTC"
}
