package message

import (
	"net/url"
	"strings"
)

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
