package message

import (
	"strings"
	"time"
)

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
