package message

import (
	"slices"
	"strings"
)

// mirrormanagerFn describes MirrorManager's crawler, netblocks and host and site changes.
func mirrormanagerFn(x *extraction) {
	ev := x.event()
	host := getString(x.root, "host", "name")
	site := getString(x.root, "site", "name")
	if site == "" {
		site = getString(x.root, "site_name")
	}
	if id := scalarString(getPath(x.root, "host", "id")); id != "" {
		x.url = mirrorAdmin + "/host/" + id
	} else if id := scalarString(getPath(x.root, "host_id")); id != "" {
		x.url = mirrorAdmin + "/host/" + id
	} else if id := scalarString(getPath(x.root, "site", "id")); id != "" {
		x.url = mirrorAdmin + "/site/" + id
	} else if id := scalarString(getPath(x.root, "site_id")); id != "" {
		x.url = mirrorAdmin + "/site/" + id
	}
	switch {
	case ev == "crawler.start", ev == "crawler.complete":
		mirrorCrawlText(x, ev)
	case ev == "netblocks.get":
		mirrorNetblocksText(x)
	case strings.HasPrefix(ev, "crawler.host."):
		mirrorCrawledHostText(x, ev, host, site)
	case strings.HasPrefix(ev, "host."):
		mirrorHostText(x, ev, host, site)
	case strings.HasPrefix(ev, "site."):
		mirrorSiteText(x, ev, site)
	}
}

// mirrorCrawlText describes a crawl of all mirrors started or finished, with the hosts that
// failed it.
func mirrorCrawlText(x *extraction, ev string) {
	x.url = mirrorsHost
	if ev == "crawler.start" {
		n := 0
		each(getPath(x.root, "hosts"), func(any) { n++ })
		x.summary = "mirrormanager's crawler started a crawl of " + itoa(n) + " mirrors"
		return
	}
	n, ok := 0, 0
	each(getPath(x.root, "results"), func(r any) {
		n++
		if rc, isInt := toInt(getPath(r, "rc")); isInt && rc == 0 {
			ok++
		}
	})
	var failed []string
	each(getPath(x.root, "results"), func(r any) {
		if rc, isInt := toInt(getPath(r, "rc")); !isInt || rc != 0 {
			failed = append(failed, getString(r, "host", "name"))
		}
	})
	x.detail("Failed", listWords(slices.DeleteFunc(failed, func(s string) bool { return s == "" }), 20))
	x.summary = "mirrormanager's crawler finished a crawl of " + itoa(n) + " mirrors (" + itoa(ok) +
		" succeeded, " + itoa(n-ok) + " failed)"
}

// mirrorNetblocksText describes the backend's update of a netblocks file.
func mirrorNetblocksText(x *extraction) {
	kind := getString(x.root, "type")
	if kind != "" {
		kind += " "
	}
	if b, _ := getPath(x.root, "success").(bool); b {
		x.summary = "mirrormanager's backend successfully updated its " + kind + "netblocks file"
	} else {
		x.summary = "mirrormanager's backend failed to update its " + kind + "netblocks file"
	}
	x.url = mirrorsHost
}

// mirrorCrawledHostText describes the crawler's verdict on one host, linking to the crawl's log.
func mirrorCrawledHostText(x *extraction, ev, host, site string) {
	if host == "" {
		return
	}
	s := "mirrormanager's crawler " + strings.TrimPrefix(ev, "crawler.host.") + " host " + host
	if site != "" {
		s += " of site " + site
	}
	if r := getString(x.root, "reason"); r != "" {
		s += ": " + r
	}
	x.summary = s
	if u := httpURL(getString(x.root, "logs_url")); u != "" {
		x.url = u
	}
}

// mirrorHostText describes a mirror host added, changed or deleted, named by its id when the
// body gives no name.
func mirrorHostText(x *extraction, ev, host, site string) {
	verb := mirrorVerb(strings.TrimPrefix(ev, "host."))
	if host == "" {
		if id := scalarString(getPath(x.root, "host_id")); id != "" {
			host = "with id " + id
		}
	}
	if site == "" {
		if id := scalarString(getPath(x.root, "site_id")); id != "" {
			site = "with id " + id
		}
	}
	if host == "" {
		return
	}
	// Said as MirrorManager's own messages say it: the host, the site, then who did it.
	prep := map[string]string{"added": " to site ", "deleted": " from site "}[verb]
	if prep == "" {
		prep = " in site "
	}
	s := "Mirror host " + host + " was " + verb
	if site != "" {
		s += prep + site
	}
	if x.agent != "" {
		s += " by " + x.agent
	}
	x.summary = s
}

// mirrorSiteText describes a mirror site added, changed or deleted, named by its id when the
// body gives no name.
func mirrorSiteText(x *extraction, ev, site string) {
	verb := mirrorVerb(strings.TrimPrefix(ev, "site."))
	if site == "" {
		if id := scalarString(getPath(x.root, "site_id")); id != "" {
			site = "with id " + id
		}
	}
	if site == "" {
		return
	}
	s := "Mirror site " + site
	if id := scalarString(getPath(x.root, "site", "id")); id != "" {
		s += " (" + id + ")"
	}
	s += " was " + verb
	if x.agent != "" {
		s += " by " + x.agent
	}
	x.summary = s
}

// mirrorVerb turns an event word ("added", "add", "updated") into a past participle.
func mirrorVerb(w string) string {
	switch w {
	case "add", "new", "created", "create":
		return "added"
	case "update", "edit", "edited":
		return "updated"
	case "delete", "remove", "removed":
		return "deleted"
	}
	return strings.ReplaceAll(w, ".", " ")
}
