package message

import (
	"net/url"
	"strings"
)

// koscheiFn describes package and collection state changes.
func koscheiFn(x *extraction) {
	// The long form: the koschei package groups (often a SIG's) the package belongs to.
	defer func() { x.detail("Groups", buildJoin(getPath(x.root, "groups"), ", ")) }()
	coll := getString(x.root, "collection")
	collName := getString(x.root, "collection_name")
	if collName == "" {
		collName = coll
	}
	host := koscheiHost
	inst := getString(x.root, "koji_instance")
	suffix := ""
	if inst != "" && inst != "primary" {
		suffix = " (" + inst + ")"
		if inst == "staging" {
			host = "https://koschei.stg.fedoraproject.org"
		}
	}
	newState, old := getString(x.root, "new"), getString(x.root, "old")
	if strings.HasPrefix(x.topic, "koschei.collection.") {
		if coll != "" {
			x.url = host + "/collection/" + url.PathEscape(coll)
		}
		switch {
		case newState == "ok":
			x.summary = collName + " buildroot was fixed" + suffix
		case newState == "unresolved" || newState == "failing":
			x.summary = collName + " buildroot was broken" + suffix
		case collName != "":
			x.summary = collName + " buildroot changed from " + old + " to " + newState + suffix
		}
		return
	}
	name := getString(x.root, "name")
	if name == "" {
		return
	}
	x.url = host + "/package/" + url.PathEscape(name)
	if coll != "" {
		x.url += "?collection=" + url.QueryEscape(coll)
	}
	in := ""
	if collName != "" {
		in = " in " + collName
	}
	switch newState {
	case "failing":
		x.summary = name + "'s builds started to fail" + in + suffix
	case "ok":
		x.summary = name + "'s builds are back to normal" + in + suffix
	case "unresolved":
		x.summary = name + "'s dependencies can no longer be resolved" + in + suffix
	default:
		x.summary = name + "'s koschei state changed from " + old + " to " + newState + in + suffix
	}
}
