package message

import (
	"slices"
	"strings"
)

// tracCC adds the people on a ticket's comma-separated cc list.
func tracCC(x *extraction) {
	for u := range strings.SplitSeq(getString(x.root, "ticket", "cc"), ",") {
		x.addUser(u)
	}
}

// tracText sets the summary and URL of a Trac ticket, wiki or git message.
func tracText(x *extraction) {
	r := x.root
	who := x.forgeWho(getString(r, "agent"), getString(r, "commit", "username"))
	project := getString(r, "instance", "project_name")
	base := strings.TrimRight(httpURL(getString(r, "instance", "base_url")), "/")
	on := ""
	if project != "" {
		on = " on the " + project + " trac instance"
	}
	ev := strings.TrimPrefix(x.topic, "trac.")
	switch {
	case strings.HasPrefix(ev, "ticket."):
		t := getPath(r, "ticket")
		id := scalarString(getPath(t, "id"))
		title := forgeTitled(getString(t, "summary"))
		ticket := "ticket #" + id
		switch ev {
		case "ticket.new":
			x.summary = who + " opened a new " + ticket + on + title
		case "ticket.delete":
			x.summary = who + " deleted " + ticket + on + title
		case "ticket.update":
			status := getString(t, "status")
			_, changed := getPath(r, "old_values").(map[string]any)
			changed = changed && has(r, "old_values", "status")
			switch {
			case status == "reopened" && changed:
				x.summary = who + " reopened " + ticket + on + title
			case status == "closed" && changed:
				x.summary = who + " closed " + ticket + on + " as '" + getString(t, "resolution") + "'" + title
			default:
				x.summary = who + " updated " + ticket + on + title
			}
		default:
			x.summary = who + " " + strings.ReplaceAll(ev, ".", " ") + " " + id + on + title
		}
		if base != "" && id != "" {
			x.url = base + "/ticket/" + id
		}
		tracTicketDetails(x, ev, t)
	case strings.HasPrefix(ev, "wiki.page."):
		name := getString(r, "page", "name")
		page := "the '" + name + "' wiki page"
		switch ev {
		case "wiki.page.version.delete":
			x.summary = who + " deleted a version of " + page + on
		case "wiki.page.delete":
			x.summary = who + " deleted " + page + on
		case "wiki.page.rename":
			x.summary = who + " renamed the wiki page '" + getString(r, "old_name") + "' to '" + name + "'" + on
		case "wiki.page.update":
			x.summary = who + " updated " + page + on
		case "wiki.page.new":
			x.summary = who + " created a new '" + name + "' wiki page" + on
		default:
			x.summary = who + " " + strings.ReplaceAll(ev, ".", " ") + " " + page + on
		}
		if base != "" && name != "" {
			x.url = base + "/wiki/" + name
			v := scalarString(getPath(r, "page", "version"))
			if v != "" && v != "0" && ev != "wiki.page.rename" && ev != "wiki.page.new" {
				x.url += "?action=diff&version=" + v
			}
		}
		x.detailText("Comment", getString(r, "page", "comment"))
	case strings.HasSuffix(ev, "git.receive"):
		c := getPath(r, "commit")
		repo := getString(c, "repo")
		if p, ok := strings.CutPrefix(getString(c, "path"), "/srv/git/"); ok {
			repo, _, _ = strings.Cut(p, ".git")
		}
		if repo == "" {
			return
		}
		x.summary = who + " pushed some commits to the '" + repo + "' fedorahosted git repository"
		if b := getString(c, "branch"); b != "" {
			x.summary += " (" + b + ")"
		}
		x.summary += forgeTitled(getString(c, "summary"))
		if rev := getString(c, "rev"); rev != "" {
			suffix := ".git"
			if hostedShortRepo(repo) {
				suffix = ""
			}
			x.url = forgeHostedCgit + "/" + repo + suffix + "/commit/?id=" + rev
		}
		forgeCommitDetails(x, c)
	}
	x.summary = strings.TrimSpace(x.summary)
}

// hostedShortRepo reports whether a fedorahosted repository's cgit address has no ".git" suffix.
func hostedShortRepo(name string) bool {
	short := [...]string{
		"389", "aeolus", "bluecurve", "bluecurve-classic-metacity-theme", "bluecurve-gdm-theme",
		"bluecurve-gnome-theme", "bluecurve-gtk-themes", "bluecurve-icon-theme", "bluecurve-kde-theme",
		"bluecurve-kdm-theme", "bluecurve-kwin-theme", "bluecurve-metacity-theme", "bluecurve-qt-engine",
		"bluecurve-xmms-skin", "cobbler", "deltacloud", "docs", "echo-icon-theme", "fedorabubbles-gdm-theme",
		"fedoradna-gdm-theme", "fedoradna-kdm-theme", "fedoraflyinghigh-gdm-theme", "fedoraflyinghigh-kdm-theme",
		"fedora-gnome-theme", "fedora-icon-theme", "fedorainfinity-gdm-theme", "fedorainfinity-screensaver-theme",
		"fedora-screensaver-theme", "freeotp", "grid", "koji", "l10n", "livecd", "mash", "mirrormanager",
		"mkinitrd", "nodoka", "opyum", "ovirt", "presto", "readahead", "redhat-rpm-config", "releng",
		"revisor", "rhq", "snake", "thetango", "thincrust", "umltester", "updatinator", "webauthinfra", "wevisor",
	}
	return slices.Contains(short[:], name)
}

// tracTicketDetails adds the long form of a Trac ticket: its classification when new, the
// fields that changed and the comment when updated, its status.
func tracTicketDetails(x *extraction, ev string, t any) {
	r := x.root
	status := getString(t, "status")
	if res := getString(t, "resolution"); res != "" && status != "" {
		status += " (" + res + ")"
	}
	switch ev {
	case "ticket.new":
		x.detail("Component", getString(t, "component"))
		x.detail("Type", getString(t, "type"))
		x.detail("Priority", getString(t, "priority"))
		if m := getString(t, "milestone"); !strings.HasPrefix(m, "__") {
			x.detail("Milestone", m)
		}
		x.detail("Keywords", getString(t, "keywords"))
		x.detailText("Description", getString(t, "description"))
	case "ticket.update":
		old, _ := getPath(r, "old_values").(map[string]any)
		fields := make([]string, 0, len(old))
		for f := range old {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		var changes []string
		for _, f := range fields {
			if f == "description" {
				changes = append(changes, f+" edited")
				continue
			}
			to := getString(t, f)
			if to == "" {
				to = "(none)"
			}
			changes = append(changes, f+": "+forgeArrow(scalarString(old[f]), to))
		}
		if _, ok := old["status"]; !ok {
			x.detail("Status", status)
		}
		x.detail("Changes", strings.Join(changes, "; "))
		x.detailText("Comment", getString(r, "comment"))
	default:
		x.detail("Status", status)
	}
}
