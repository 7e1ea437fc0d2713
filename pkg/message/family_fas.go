package message

import "strings"

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
