package message

import (
	"net/url"
	"strings"
)

// bodhi adds comment mentions and the packages of the update (from its builds, else its title),
// or of the buildroot override.
func bodhi(x *extraction) {
	if text := getString(x.root, "comment", "text"); text != "" {
		x.addMentions(text)
	}
	update := getPath(x.root, "update")
	if update == nil {
		update = getPath(x.root, "comment", "update")
	}
	if update != nil {
		found := false
		each(getPath(update, "builds"), func(b any) {
			if n := nameFromNVR(getString(b, "nvr")); n != "" {
				x.addArtifact(ArtifactRPM, n)
				found = true
			}
		})
		if !found {
			for _, n := range namesFromNVRList(getString(update, "title")) {
				x.addArtifact(ArtifactRPM, n)
			}
		}
	} else if t := getString(x.root, "comment", "update_title"); t != "" {
		for _, n := range namesFromNVRList(t) {
			x.addArtifact(ArtifactRPM, n)
		}
	}
	if ov := getPath(x.root, "override"); ov != nil {
		nvr := getString(ov, "build", "nvr")
		if nvr == "" {
			nvr = getString(ov, "build")
		}
		if nvr == "" {
			nvr = getString(ov, "nvr")
		}
		x.addArtifact(ArtifactRPM, nameFromNVR(nvr))
	}
	if x.agent == "" {
		x.setAgent(getPath(x.root, "comment", "user"))
		x.setAgent(getPath(x.root, "comment", "author"))
		x.setAgent(getPath(x.root, "override", "submitter"))
	}
	bodhiText(x, update)
}

// bodhiMasherPackages adds the packages of the updates a push (bodhi.masher.start) carries.
func bodhiMasherPackages(x *extraction) {
	if arr, ok := getPath(x.root, "updates").([]any); ok {
		for _, u := range arr {
			s, _ := u.(string)
			for _, n := range namesFromNVRList(s) {
				x.addArtifact(ArtifactRPM, n)
			}
		}
	}
}

// bodhiTitle names an update in a summary: its builds, else its title, else its alias.
func bodhiTitle(update any) string {
	var nvrs []string
	each(getPath(update, "builds"), func(b any) {
		if n := getString(b, "nvr"); n != "" {
			nvrs = append(nvrs, n)
		}
	})
	title := strings.Join(nvrs, " ")
	if title == "" {
		title = strings.ReplaceAll(getString(update, "title"), ",", " ")
	}
	if title == "" {
		title = getString(update, "alias")
	}
	return shorten(title, 100)
}

// bodhiUpdateURL is the update's page: its own url, else by alias, else by title (bodhi 1).
func bodhiUpdateURL(update any) string {
	if u := getString(update, "url"); strings.HasPrefix(u, "http") {
		return u
	}
	if a := getString(update, "alias"); a != "" {
		return bodhiHost + "/updates/" + url.PathEscape(a)
	}
	if t := getString(update, "title"); t != "" && !strings.ContainsAny(t, " ,") {
		return bodhiHost + "/updates/" + url.PathEscape(t)
	}
	return ""
}

// bodhiUpdateText sets the summary and URL of a message about an update.
func bodhiUpdateText(x *extraction, update any) {
	x.url = bodhiUpdateURL(update)
	title := bodhiTitle(update)
	if title == "" {
		return
	}
	owner := x.userOf(getPath(update, "user"))
	if owner == "" {
		owner = x.userOf(getPath(update, "submitter"))
	}
	who := x.agent
	alias := getString(update, "alias")
	// The update as the acting person sees it: "their update FEDORA-2019-… (foo-1.0-1.fc30)".
	object := title
	if alias != "" && alias != title {
		object = alias + " (" + title + ")"
	}
	switch {
	case owner != "" && owner == who:
		object = "their update " + object
	case owner != "":
		object = owner + "'s update " + object
	}
	ev := strings.TrimPrefix(x.topic, "bodhi.")
	var s string
	switch {
	case ev == "update.comment":
		s = who + " commented on bodhi update " + title
		if who == "" {
			s = "new comment on bodhi update " + title
		}
		if k, ok := toInt(getPath(x.root, "comment", "karma")); ok && k != 0 {
			if k > 0 {
				s += " (karma +" + itoa(k) + ")"
			} else {
				s += " (karma -" + itoa(-k) + ")"
			}
		}
	case strings.HasPrefix(ev, "update.request."):
		req := strings.TrimPrefix(ev, "update.request.")
		verb := map[string]string{"revoke": "revoked", "unpush": "unpushed", "obsolete": "obsoleted"}[req]
		switch {
		case who == "":
			s = title + " was submitted to " + req
		case verb != "":
			s = who + " " + verb + " " + object
		default:
			s = who + " submitted " + object + " to " + req
		}
	case strings.HasPrefix(ev, "update.complete."):
		s = possessive(owner) + title + " bodhi update completed push to " + strings.TrimPrefix(ev, "update.complete.")
	case ev == "update.edit":
		s = who + " edited " + object
		if who == "" {
			s = "bodhi update " + title + " was edited"
		}
	case ev == "update.eject":
		s = possessive(owner) + title + " bodhi update was ejected from the push"
		if repo := getString(x.root, "repo"); repo != "" {
			s = possessive(owner) + title + " bodhi update was ejected from the " + repo + " push"
		}
		if r := getString(x.root, "reason"); r != "" {
			s += ": " + shorten(r, 80)
		}
	case strings.HasPrefix(ev, "update.karma.threshold"):
		s = possessive(owner) + title + " bodhi update reached the karma threshold"
		if st := getString(x.root, "status"); st != "" {
			s = possessive(owner) + title + " bodhi update reached the " + st + " karma threshold"
		}
	case strings.HasPrefix(ev, "update.requirements_met."):
		s = possessive(owner) + title + " bodhi update has met the " + strings.TrimPrefix(ev, "update.requirements_met.") + " testing requirements"
	case strings.HasPrefix(ev, "update.status.testing"):
		s = possessive(owner) + title + " bodhi update is ready for testing"
	case ev == "errata.publish":
		s = getString(x.root, "subject")
		if s == "" {
			s = "an erratum was published for " + possessive(owner) + title + " bodhi update"
		}
	case who != "":
		s = who + " " + strings.ReplaceAll(ev, ".", " ") + " bodhi update " + title
	default:
		s = "bodhi update " + title + " " + strings.ReplaceAll(ev, ".", " ")
	}
	x.summary = s
}

// bodhiOverrideText describes a buildroot override.
func bodhiOverrideText(x *extraction, nvr string) {
	if nvr == "" {
		return
	}
	x.url = bodhiHost + "/overrides/" + url.PathEscape(nvr)
	verb := "submitted"
	switch lastWord(x.topic) {
	case "untag":
		verb = "expired"
	case "edit":
		verb = "edited"
	}
	if x.agent == "" {
		x.summary = "a buildroot override for " + nvr + " was " + verb
		return
	}
	x.summary = x.agent + " " + verb + " a buildroot override for " + nvr
}

// bodhiComposeText describes the composer's (formerly the masher's) progress.
func bodhiComposeText(x *extraction) {
	ev := strings.TrimPrefix(x.topic, "bodhi.")
	who, verb, noun := "bodhi composer", "composing", "composed"
	if strings.HasPrefix(ev, "mashtask.") || strings.HasPrefix(ev, "masher.") {
		who, verb, noun = "bodhi masher", "mashing", "mashed"
	}
	repo := getString(x.root, "repo")
	ok := getPath(x.root, "success") != false
	x.url = bodhiHost
	var s string
	switch ev {
	case "masher.start", "composer.start":
		n := 0
		each(getPath(x.root, "updates"), func(any) { n++ })
		agent := x.agent
		if agent == "" {
			agent = "someone"
		}
		if n > 0 {
			s = agent + " requested a push of " + itoa(n) + " updates"
		} else {
			s = agent + " requested a push of updates"
			if c := getPath(x.root, "composes"); c != nil {
				each(c, func(any) { n++ })
				s += " in " + itoa(n) + " composes"
			}
		}
	case "mashtask.start", "compose.start":
		s = who + " started a push"
	case "mashtask.mashing", "compose.composing":
		s = who + " started " + verb + " " + repo
	case "mashtask.sync.wait", "compose.sync.wait":
		s = who + " is waiting for " + repo + " to hit the master mirror"
	case "mashtask.sync.done", "compose.sync.done":
		s = who + " finished waiting for " + repo + " to hit the master mirror"
	case "mashtask.complete", "compose.complete":
		kind := getString(x.root, "ctype")
		if kind != "" {
			kind += " "
		}
		if ok {
			s = who + " successfully " + noun + " the " + kind + "repo " + repo
		} else {
			s = who + " failed to compose the " + kind + "repo " + repo
		}
	case "repo.done":
		s = who + " finished building the repo " + repo
	}
	if repo == "" && strings.Contains(s, "  ") || strings.HasSuffix(s, " ") {
		s = ""
	}
	x.summary = s
}

// bodhiSyncText describes an updates repository reaching the master mirror.
func bodhiSyncText(x *extraction) {
	rel := getString(x.root, "release")
	repo := getString(x.root, "repo")
	if rel == "" || repo == "" {
		return
	}
	modular := strings.HasSuffix(rel, "m")
	rel = strings.TrimSuffix(rel, "m")
	var product, path string
	if strings.HasPrefix(x.topic, "bodhi.updates.epel") {
		product = "EPEL " + rel
		path = "/pub/epel/" + rel + "/"
		if r, ok := strings.CutPrefix(repo, "epel-"); ok {
			path = "/pub/epel/" + r + "/" + rel + "/"
		}
	} else {
		product = "Fedora " + rel
		path = "/pub/fedora/linux/updates/" + rel + "/"
		if strings.HasSuffix(repo, "-testing") {
			path = "/pub/fedora/linux/updates/testing/" + rel + "/"
		}
	}
	what := repo
	if modular {
		what += " modular"
		path += "Modular/"
	}
	x.url = "https://download.fedoraproject.org" + path
	s := "new " + product + " " + what + " content was synced to the mirrors"
	size, del := getString(x.root, "bytes"), scalarString(getPath(x.root, "deleted"))
	switch {
	case size != "" && del != "":
		s += " (" + size + " changed, " + del + " files deleted)"
	case size != "":
		s += " (" + size + " changed)"
	}
	x.summary = s
}

// bodhiStackFn describes a change to a stack.
func bodhiStackFn(x *extraction) {
	if lastWord(x.topic) != "delete" {
		defer x.detailText("Description", getString(x.root, "stack", "description"))
	}
	name := getString(x.root, "stack", "name")
	if name == "" {
		return
	}
	x.url = bodhiHost + "/stacks/" + url.PathEscape(name)
	verb := map[string]string{"save": "updated", "delete": "deleted", "new": "created"}[lastWord(x.topic)]
	if verb == "" {
		verb = "changed"
	}
	who := x.agent
	if who == "" {
		who = "someone"
	}
	x.summary = who + " " + verb + " the bodhi stack \"" + name + "\""
}

// bodhiText sets the summary and URL of the bodhi messages that are not about a stack.
func bodhiText(x *extraction, update any) {
	switch ev := strings.TrimPrefix(x.topic, "bodhi."); {
	case update != nil:
		if ev == "errata.publish" {
			x.setAgent(getPath(update, "user"))
		}
		bodhiUpdateText(x, update)
	case has(x.root, "override"):
		ov := getPath(x.root, "override")
		nvr := getString(ov, "build", "nvr")
		if nvr == "" {
			nvr = getString(ov, "build")
		}
		if nvr == "" {
			nvr = getString(ov, "nvr")
		}
		bodhiOverrideText(x, nvr)
	case strings.HasPrefix(ev, "updates.") && strings.HasSuffix(ev, ".sync"):
		bodhiSyncText(x)
	case strings.HasPrefix(ev, "mashtask."), strings.HasPrefix(ev, "compose."), strings.HasPrefix(ev, "composer."),
		strings.HasPrefix(ev, "masher."), ev == "repo.done":
		bodhiComposeText(x)
	}
	bodhiDetails(x, update)
}
