package message

import (
	"net/url"
	"slices"
	"strings"
)

// Release engineering, mirrors, infrastructure and package-metadata families: the code behind
// the summaries and links of compose, pungi, pdc, releng, fedimg, mirrormanager, nagios,
// ansible, allpackages, pkgdb, anitya, hotness, mdapi and summershum messages.

// Hosts of the pages these families link to.
const (
	composeHost   = "https://kojipkgs.fedoraproject.org/compose/"
	pdcHost       = "https://pdc.fedoraproject.org"
	mirrorsHost   = "https://mirrors.fedoraproject.org"
	mirrorAdmin   = "https://admin.fedoraproject.org/mirrormanager"
	nagiosStatus  = "https://admin.fedoraproject.org/nagios/cgi-bin/status.cgi?navbarsearch=1&host="
	ansibleTree   = "https://infrastructure.fedoraproject.org/cgit/ansible.git/tree/"
	pkgdbHost     = "https://admin.fedoraproject.org/pkgdb"
	anityaHost    = "https://release-monitoring.org"
	lookasideHost = "https://pkgs.fedoraproject.org/lookaside/pkgs/"
	downloadHost  = "https://download.fedoraproject.org/pub/"
	atomicStable  = "https://download.fedoraproject.org/pub/alt/atomic/stable/"
	bugzillaProd  = "https://bugzilla.redhat.com"
)

// strs returns the strings of a JSON array (other elements are skipped).
func strs(v any) []string {
	var out []string
	each(v, func(e any) {
		if s, ok := e.(string); ok && s != "" {
			out = append(out, s)
		}
	})
	return out
}

// ownerOf returns "who's" for a person (account names take "'s" even when they end in "s").
func ownerOf(who string) string { return who + "'s" }

// --- Composes (the fedmsg-era release engineering scripts) ---

// composePhases says what a phase of a legacy compose script was doing, and whether the phase
// belongs to the post-release Cloud/Atomic/Docker respin script.
var composePhases = map[string]struct {
	words  string
	respin bool
}{
	"mash":           {"mashing", false},
	"pungify":        {"building boot.iso for", false},
	"image":          {"building other images for", false},
	"rsync":          {"master mirror publication for", false},
	"make-updates":   {"", true},
	"cloudimg-build": {"building images for", true},
	"mash-atomic":    {"Atomic updates mash for", true},
	"atomic-lorax":   {"Atomic lorax run for", true},
	"cloudimg-stage": {"staging images for", true},
	"atomic-stage":   {"staging the Atomic tree for", true},
}

// composeFn describes a legacy compose message: compose.<branch>[.<phase>].<start|complete>,
// such as "Completed master mirror publication for Fedora Rawhide (arm) compose
// Fedora-Rawhide-20171204.n.0".
func composeFn(x *extraction) {
	words := strings.Split(strings.TrimPrefix(x.topic, "compose."), ".")
	if len(words) < 2 {
		return
	}
	topicBranch, state := words[0], words[len(words)-1]
	phase := strings.Join(words[1:len(words)-1], ".")
	verb := "Completed"
	switch state {
	case "start", "begin":
		verb = "Started"
	case "complete", "done", "stop", "end", "finish":
	case "fail", "failed", "error":
		verb = "Failed"
	default:
		verb = strings.ToUpper(state[:1]) + state[1:]
	}
	product := getString(x.root, "short")
	branch := getString(x.root, "branch")
	if product == "" {
		product = "Fedora"
		// "Modular-Rawhide" is the Rawhide branch of the Fedora-Modular product.
		if pre, rest, ok := strings.Cut(branch, "-"); ok && rest != "" {
			product, branch = "Fedora-"+pre, rest
		}
	}
	if branch == "" {
		branch = map[string]string{"epelbeta": "EPEL Beta"}[topicBranch]
		if branch == "" {
			branch = topicBranch
		}
	}
	if branch != "" && strings.Trim(branch, "abcdefghijklmnopqrstuvwxyz") == "" {
		branch = strings.ToUpper(branch[:1]) + branch[1:]
	}
	what := product + " " + branch
	if a := getString(x.root, "arch"); a != "" {
		what += " (" + a + ")"
	}
	p, known := composePhases[phase]
	if p.respin {
		what += " post-release Cloud/Atomic/Docker respin"
	}
	what += " compose"
	if id := getString(x.root, "compose_id"); id != "" {
		what += " " + id
	}
	switch {
	case p.words != "":
		what = p.words + " " + what
	case !known && phase != "":
		what = strings.NewReplacer(".", " ", "-", " ").Replace(phase) + " for " + what
	}
	x.summary = verb + " " + what
	composeDetails(x, getString(x.root, "compose_id"), getString(x.root, "location"))
	if u := httpURL(getString(x.root, "location")); u != "" {
		x.url = u
	} else {
		x.url = composeHost
	}
}

// pungiStates says how a pungi compose status reads.
var pungiStates = map[string]string{
	"STARTED": "started", "FINISHED": "finished", "FINISHED_INCOMPLETE": "finished incomplete",
	"DOOMED": "failed", "TERMINATED": "was terminated",
}

// pungiFn describes pungi-koji's notifications: compose status changes, phases, createiso and
// ostree results, and composes that could not start. The link is the compose's directory.
func pungiFn(x *extraction) {
	id := getString(x.root, "compose_id")
	loc := httpURL(getString(x.root, "location"))
	if loc != "" {
		x.url = strings.TrimSuffix(strings.TrimSuffix(loc, "/"), "/compose")
	}
	ev := strings.TrimPrefix(x.topic, "pungi.compose.")
	pungiDetails(x, ev)
	of := ""
	if id != "" {
		of = " of " + id
	}
	switch {
	case ev == "status.change":
		st := getString(x.root, "status")
		w := pungiStates[strings.ToUpper(st)]
		if w == "" {
			w = "changed status to " + strings.ToLower(st)
		}
		if id == "" || st == "" {
			return
		}
		x.summary = "pungi-koji compose of " + id + " " + w
	case ev == "createiso.targets":
		n := 0
		each(getPath(x.root, "deliverables"), func(any) { n++ })
		x.summary = "pungi-koji assigned " + itoa(n) + " createiso targets" + strings.Replace(of, " of ", " for ", 1)
	case strings.HasPrefix(ev, "createiso.image"):
		file := getString(x.root, "file")
		if i := strings.LastIndex(file, "/compose/"); i >= 0 {
			file = file[i+len("/compose/"):]
		} else if file != "" {
			file = file[strings.LastIndexByte(file, '/')+1:]
		}
		verb := "finished"
		if strings.HasSuffix(ev, "fail") {
			verb = "failed"
		}
		if file == "" {
			x.summary = "pungi-koji " + verb + " createiso" + strings.Replace(of, " of ", " for ", 1)
			return
		}
		x.summary = "pungi-koji " + verb + " createiso for " + file
	case ev == "ostree":
		if id == "" || getString(x.root, "commitid") == "" {
			return
		}
		s := "pungi-koji ostree compose " + id + " produced ostree commit " + getString(x.root, "commitid")
		if a := getString(x.root, "arch"); a != "" {
			s += " for " + a
		}
		if r := getString(x.root, "ref"); r != "" {
			s += " " + r
		}
		x.summary = s
	case ev == "fail.to.start":
		s := "pungi-koji failed to compose"
		if c := getString(x.root, "config"); c != "" {
			s += " from " + c
		}
		if d := getString(x.root, "detail"); d != "" {
			s += ": \"" + d + "\""
		}
		x.summary = s
	case ev == "phase.start" || ev == "phase.stop":
		verb := "started"
		if ev == "phase.stop" {
			verb = "finished"
		}
		if ph := getString(x.root, "phase_name"); ph != "" {
			x.summary = "pungi-koji " + verb + " the " + ph + " phase" + of
		}
	default:
		x.summary = "pungi-koji " + strings.ReplaceAll(ev, ".", " ") + of
	}
}

// pdcFn describes the Product Definition Center's compose records.
func pdcFn(x *extraction) {
	id := getString(x.root, "compose_id")
	if id == "" {
		return
	}
	x.url = pdcHost + "/rest_api/v1/composes/" + id + "/"
	x.detail("Date", getString(x.root, "compose_date"))
	if n, ok := toInt(getPath(x.root, "compose_respin")); ok && n > 0 {
		x.detail("Respin", itoa(n))
	}
	compose := "the " + id + " compose"
	if t := getString(x.root, "compose_type"); t != "" {
		compose = "the " + id + " " + t + " compose"
	}
	action := getString(x.root, "action")
	if attr := getString(x.root, "attribute"); attr != "" && action == "import" {
		n := scalarString(getPath(x.root, "count"))
		if n != "" {
			n += " "
		}
		x.summary = "PDC imported metadata of " + n + attr + " for " + compose
		return
	}
	done := map[string]string{"create": "created", "update": "updated", "delete": "deleted", "import": "imported"}[action]
	if done == "" {
		done = "changed"
	}
	x.summary = strings.ToUpper(compose[:1]) + compose[1:] + " was " + done + " in the Product Definition Center"
}

// relengFn describes the two-week Atomic Host releases.
func relengFn(x *extraction) {
	if !strings.HasPrefix(x.topic, "releng.atomic.twoweek.") {
		return
	}
	x.url = atomicStable
	var release, compose string
	var find func(v any, depth int)
	find = func(v any, depth int) {
		m, ok := v.(map[string]any)
		if !ok || depth > 3 {
			return
		}
		if r, ok := m["release"].(string); ok && release == "" {
			release = r
		}
		if c, ok := m["compose_id"].(string); ok && compose == "" {
			compose = c
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			find(m[k], depth+1)
		}
	}
	find(x.root, 0)
	if lastWord(x.topic) != "complete" {
		x.detail("Compose", compose)
	}
	what := "Fedora Atomic Host"
	if release != "" {
		what = "Fedora " + release + " Atomic Host"
	}
	switch lastWord(x.topic) {
	case "complete":
		s := "A new " + what + " release is ready"
		if compose != "" {
			s += " (" + compose + ")"
		}
		x.summary = s
	case "begin", "start":
		x.summary = "The " + what + " two-week release process started"
	default:
		x.summary = "The " + what + " two-week release " + lastWord(x.topic)
	}
}

// fedimgFn describes fedimg's cloud image uploads, tests, copies and publications:
// "Fedora-Cloud-Base-24-20160710.0.x86_64 finished uploading to eu-west-1 (ami-1234fda, HVM, gp2)".
func fedimgFn(x *extraction) {
	name := getString(x.root, "image_name")
	if name == "" {
		return
	}
	x.url = httpURL(getString(x.root, "image_url"))
	fedimgDetails(x)
	dest := getString(x.root, "destination")
	extra := getPath(x.root, "extra")
	var details []string
	for _, k := range [...]string{"id", "virt_type", "vol_type"} {
		if s := getString(extra, k); s != "" {
			details = append(details, s)
		}
	}
	detail := ""
	if len(details) > 0 {
		detail = " (" + strings.Join(details, ", ") + ")"
	}
	status := strings.ToLower(getString(x.root, "status"))
	state := map[string]string{"started": "started", "completed": "finished", "failed": "failed"}[status]
	if state == "" {
		state = status
	}
	to := ""
	if dest != "" {
		to = " to " + dest
	}
	switch lastWord(x.topic) {
	case "upload":
		if state == "" {
			state = "started"
		}
		x.summary = name + " " + state + " uploading" + to + detail
	case "test":
		on := ""
		if dest != "" {
			on = " on " + dest
		}
		if state == "" {
			state = "started"
		}
		x.summary = name + " " + state + " testing" + on + detail
	case "publish":
		in := ""
		if dest != "" {
			in = " in region " + dest
		}
		x.summary = name + " was published" + in + detail
	case "copy":
		from := ""
		if src := getString(extra, "source_image_id"); src != "" {
			from = " from source image " + src
		}
		x.summary = name + " was copied" + to + from + detail
	default:
		x.summary = name + " " + strings.ReplaceAll(strings.TrimPrefix(x.topic, "fedimg."), ".", " ") + to + detail
	}
}

// --- Mirrors ---

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
	case ev == "crawler.start":
		n := 0
		each(getPath(x.root, "hosts"), func(any) { n++ })
		x.summary = "mirrormanager's crawler started a crawl of " + itoa(n) + " mirrors"
		x.url = mirrorsHost
	case ev == "crawler.complete":
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
		x.url = mirrorsHost
	case ev == "netblocks.get":
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
	case strings.HasPrefix(ev, "crawler.host."):
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
	case strings.HasPrefix(ev, "host."):
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
	case strings.HasPrefix(ev, "site."):
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

// --- Infrastructure ---

// nagiosFn describes a nagios state change: "proxy04.fedoraproject.org is down", "httpd is
// back up on proxy01", "kevin acknowledged that httpd is having problems on proxy01".
func nagiosFn(x *extraction) {
	host := getString(x.root, "host")
	if host == "" {
		return
	}
	x.url = nagiosStatus + url.QueryEscape(host)
	service := getString(x.root, "service")
	isService := strings.HasPrefix(x.topic, "nagios.service.")
	kind := strings.ToUpper(getString(x.root, "type"))
	state := strings.ToUpper(getString(x.root, "state"))
	subject, on := host, ""
	if isService {
		if service == "" {
			service = "a service"
		}
		subject, on = service, " on "+host
	}
	out := ""
	if o := getString(x.root, "output"); o != "" {
		out = ": \"" + o + "\""
	}
	switch {
	case strings.HasPrefix(kind, "ACKNOWLEDGEMENT"):
		who := x.agent
		for _, k := range [...]string{"service_ack_author", "host_ack_author"} {
			if who == "" {
				who = x.userOf(getString(x.root, k))
			}
		}
		if who == "" {
			who = "someone"
		}
		x.summary = who + " acknowledged that " + subject + " is having problems" + on + out
		return
	case kind == "RECOVERY" || state == "OK" || state == "UP":
		x.summary = subject + " is back up" + on + out
		return
	case strings.HasPrefix(kind, "FLAPPING"):
		x.summary = subject + " is flapping" + on + out
		return
	case strings.HasPrefix(kind, "DOWNTIME"):
		x.summary = "scheduled downtime " + strings.ToLower(strings.TrimPrefix(kind, "DOWNTIME")) + " for " + subject + on
		return
	}
	word := map[string]string{"CRITICAL": "down", "DOWN": "down", "UNREACHABLE": "unreachable",
		"WARNING": "in a warning state", "UNKNOWN": "in an unknown state"}[state]
	if word == "" {
		word = strings.ToLower(state)
	}
	if word == "" {
		word = "having problems"
	}
	x.summary = subject + " is " + word + on + out
}

// ansibleFn describes an ansible playbook run; the link is the playbook in the ansible repo.
func ansibleFn(x *extraction) {
	pb := getString(x.root, "playbook")
	if pb == "" {
		return
	}
	if i := strings.Index(pb, "/ansible/"); i >= 0 {
		pb = pb[i+len("/ansible/"):]
	}
	pb = strings.TrimPrefix(pb, "/")
	x.url = ansibleTree + pb
	who := x.agent
	switch lastWord(x.topic) {
	case "start":
		if who == "" {
			x.summary = "an ansible run of " + pb + " started"
		} else {
			x.summary = who + " started an ansible run of " + pb
		}
	case "complete":
		failed := 0
		if res, ok := getPath(x.root, "results").(map[string]any); ok {
			for _, r := range res {
				if f, isInt := toInt(getPath(r, "failures")); isInt && f > 0 {
					failed++
				} else if u, isInt := toInt(getPath(r, "unreachable")); isInt && u > 0 {
					failed++
				}
			}
		}
		ansibleFailures(x)
		s := "ansible run of " + pb + " completed"
		if who != "" {
			s = ownerOf(who) + " " + s
		} else {
			s = "an " + s
		}
		if failed > 0 {
			s += " with failures on " + itoa(failed) + " hosts"
		}
		x.summary = s
	}
}

// allpackagesFn describes the All Packages CI pipeline of a dist-git commit.
func allpackagesFn(x *extraction) {
	x.url = httpURL(getString(x.root, "build_url"))
	repo := getString(x.root, "repo")
	if repo == "" {
		return
	}
	if ns := getString(x.root, "namespace"); ns != "" {
		repo = ns + "/" + repo
	}
	what := "package " + repo
	if rev := getString(x.root, "rev"); rev != "" {
		what = "Commit " + shortSHA(rev) + " of package " + repo
	}
	branch := ""
	if b := getString(x.root, "branch"); b != "" {
		branch = " on branch " + b
	}
	var verb string
	switch st := strings.ToUpper(getString(x.root, "status")); {
	case lastWord(x.topic) == "running":
		verb = "is running through"
	case st == "SUCCESS":
		verb = "passed"
	case st == "ABORTED":
		verb = "was aborted in"
	case st == "":
		verb = lastWord(x.topic) + ":"
	default:
		verb = "failed"
	}
	x.summary = what + " " + verb + " the All Packages CI pipeline" + branch
	if rev := getString(x.root, "rev"); len(rev) > 8 {
		link := ""
		if ns := getString(x.root, "namespace"); ns != "" {
			link = "https://src.fedoraproject.org/" + ns + "/" + getString(x.root, "repo") + "/c/" + rev
		}
		x.detailLink("Commit", rev, link)
	}
}

// summershumFn describes summershum's ingestion of a lookaside tarball.
func summershumFn(x *extraction) {
	o := getPath(x.root, "original")
	name, file := getString(o, "name"), getString(o, "filename")
	if name == "" || file == "" {
		return
	}
	if md5 := getString(o, "md5sum"); md5 != "" {
		x.url = lookasideHost + name + "/" + file + "/" + md5 + "/" + file
	}
	switch lastWord(x.topic) {
	case "start":
		x.summary = "summershum started working on " + file + " for " + name
	case "complete":
		x.summary = "summershum ingested " + file + " for " + name
	case "fail", "failed":
		x.summary = "summershum failed to ingest " + file + " for " + name
	default:
		x.summary = "summershum " + lastWord(x.topic) + " " + file + " for " + name
	}
}

// mdapiFn describes a change of a repository's metadata seen by mdapi: the packages, or counts
// per kind of change.
func mdapiFn(x *extraction) {
	mdapi(x)
	u := getString(x.root, "url")
	if u != "" {
		if h := httpURL(u); h != "" {
			x.url = h
		} else {
			x.url = downloadHost + strings.TrimPrefix(u, "/")
		}
	}
	repo := getString(x.root, "name")
	if repo == "" {
		repo = mdapiRepo(u)
	}
	what := "mdapi noticed a repository metadata change"
	if repo != "" {
		what = "mdapi noticed a " + repo + " repomd change"
	}
	if pk := strs(getPath(x.root, "packages")); len(pk) > 0 {
		slices.Sort(pk)
		x.summary = what + ": " + listWords(pk, 2)
		return
	}
	diffs, ok := getPath(x.root, "differences").(map[string]any)
	if !ok {
		x.summary = what
		return
	}
	kinds := make([]string, 0, len(diffs))
	for k := range diffs {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var parts []string
	for _, k := range kinds {
		count := func(a string) int {
			n := 0
			each(getPath(diffs[k], a), func(any) { n++ })
			return n
		}
		parts = append(parts, k+": +"+itoa(count("added"))+"/-"+itoa(count("removed")))
	}
	x.summary = what + ": " + strings.Join(parts, ", ")
}

// mdapiRepo names the repository of a mirror path such as
// fedora/linux/development/rawhide/x86_64/os/repodata/….
func mdapiRepo(u string) string {
	w := strings.Split(u, "/")
	for i, s := range w {
		if i+1 >= len(w) {
			break
		}
		switch s {
		case "development":
			return w[i+1]
		case "releases":
			return "f" + w[i+1]
		case "updates":
			if w[i+1] == "testing" && i+2 < len(w) {
				return "f" + w[i+2] + "-updates-testing"
			}
			return "f" + w[i+1] + "-updates"
		}
	}
	return ""
}

// --- Release monitoring ---

// anityaFn adds to anitya's extraction what a person reads: who did what to which project or
// distribution, or which new upstream versions were found, and the project's page.
func anityaFn(x *extraction) {
	anitya(x)
	msg := getPath(x.root, "message")
	proj := getPath(x.root, "project")
	if proj == nil {
		proj = getPath(msg, "project")
	}
	name := getString(proj, "name")
	if name == "" {
		name = getString(msg, "project")
	}
	if id := scalarString(getPath(proj, "id")); id != "" {
		x.url = anityaHost + "/project/" + id + "/"
	}
	ev := x.event()
	who := x.agent
	if who == "" {
		who = "someone"
	}
	distro := getString(msg, "distro")
	if distro == "" {
		distro = getString(x.root, "distro", "name")
	}
	if strings.HasPrefix(ev, "distro.") {
		x.url = anityaHost + "/distros"
	}
	switch ev {
	case "distro.add":
		x.summary = who + " added the distro " + quoted(distro)
	case "distro.edit":
		x.summary = who + " changed a distro name from " + quoted(getString(msg, "old")) + " to " + quoted(getString(msg, "new"))
	case "distro.remove":
		x.summary = who + " deleted the distro " + quoted(distro)
	case "project.add":
		x.summary = who + " added the project " + quoted(name) + " to anitya"
	case "project.add.tried":
		x.summary = who + " tried to add the project " + quoted(name) + " to anitya, but it already exists"
	case "project.edit":
		s := who + " edited the " + quoted(name) + " project"
		if f := strs(getPath(msg, "fields")); len(f) > 0 {
			s = who + " edited fields of the " + quoted(name) + " project: " + strings.Join(f, ", ")
		}
		x.summary = s
	case "project.remove":
		x.summary = who + " deleted the " + quoted(name) + " project"
	case "project.flag":
		x.summary = who + " flagged the project " + quoted(name)
	case "project.flag.set":
		x.url = anityaHost + "/flags"
		if f, st := scalarString(getPath(msg, "flag")), getString(msg, "state"); f != "" && st != "" {
			x.summary = who + " marked the flag " + f + " as " + st
		}
		return
	case "project.map.new":
		x.summary = who + " mapped the project " + quoted(name) + " to the package " + quoted(getString(msg, "new")) +
			" in " + quoted(distro)
	case "project.map.update":
		s := who + " updated the mapping of the " + quoted(name) + " project in " + quoted(distro)
		if p, n := getString(msg, "prev"), getString(msg, "new"); p != "" && n != "" && p != n {
			s += " from " + quoted(p) + " to " + quoted(n)
		}
		x.summary = s
	case "project.map.remove":
		x.summary = who + " deleted the mapping of the " + quoted(name) + " project on " + quoted(distro)
	case "project.version.remove":
		vs := strs(getPath(msg, "versions"))
		if v := getString(msg, "version"); v != "" {
			vs = append(vs, v)
		}
		if len(vs) == 0 {
			return
		}
		what := " deleted the version "
		if len(vs) > 1 {
			what = " deleted the versions "
		}
		x.summary = who + what + listWords(vs, 3) + " of the " + quoted(name) + " project"
	case "project.version.update":
		x.summary = anityaVersionText(x, msg, name)
	}
	anityaDetails(x, ev, msg, proj)
	if x.summary != "" && name == "" && strings.HasPrefix(ev, "project.") {
		x.summary = ""
	}
}

// anityaVersionText says which new upstream versions of a project were found, what they are
// newer than, and the Fedora packages of the project.
func anityaVersionText(x *extraction, msg any, name string) string {
	src := msg
	if src == nil {
		src = x.root // fedmsg-era bodies had the fields at the top
	}
	vs := strs(getPath(src, "upstream_versions"))
	if v := getString(src, "upstream_version"); v != "" {
		vs = []string{v}
	}
	if len(vs) == 0 {
		if v := getString(x.root, "project", "version"); v != "" {
			vs = []string{v}
		}
	}
	old := getString(src, "old_version")
	vs = slices.DeleteFunc(vs, func(v string) bool { return v == old })
	if len(vs) == 0 || name == "" {
		return ""
	}
	s := "A new version of " + quoted(name) + " was detected: " + listWords(quotedAll(vs), 3)
	if len(vs) > 1 {
		s = "New versions of " + quoted(name) + " were detected: " + listWords(quotedAll(vs), 3)
	}
	if old != "" {
		s += ", newer than " + quoted(old)
	}
	var pk []string
	for _, a := range x.arts {
		pk = append(pk, a.Name)
	}
	if len(pk) > 0 {
		s += ", packaged as " + listWords(quotedAll(pk), 3)
	}
	return s
}

// quoted puts s in double quotes ("" for an empty s).
func quoted(s string) string {
	if s == "" {
		return ""
	}
	return "\"" + s + "\""
}

// quotedAll quotes each item.
func quotedAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = quoted(s)
	}
	return out
}

// hotnessFn adds to the-new-hotness's extraction what a person reads: the bug it filed or
// followed up, the update it dropped, the project it mapped.
func hotnessFn(x *extraction) {
	hotness(x)
	trig := getPath(x.root, "trigger")
	orig := getPath(trig, "msg")
	// Staging hotness files its bugs on Red Hat's partner (test) bugzilla.
	bz := bugzillaProd
	if x.staging() {
		bz = "https://partner-bugzilla.redhat.com"
	}
	bug := scalarString(getPath(x.root, "bug", "bug_id"))
	bugRef := ""
	if bug != "" {
		bugRef = "RHBZ#" + bug
		x.url = httpURL(getString(x.root, "bug", "url"))
		if x.url == "" {
			x.url = bz + "/show_bug.cgi?id=" + bug
		}
	}
	bugURL := x.url
	pk := make([]string, 0, len(x.arts))
	for _, a := range x.arts {
		pk = append(pk, a.Name)
	}
	pkgs := listWords(pk, 3)
	projectID := scalarString(getPath(orig, "project", "id"))
	if projectID == "" {
		projectID = scalarString(getPath(orig, "message", "project", "id"))
	}
	ev := strings.TrimPrefix(x.topic, "hotness.")
	defer hotnessDetails(x, ev, bugRef, bugURL)
	switch {
	case ev == "update.bug.file":
		s := "the-new-hotness filed a bug"
		if bugRef != "" {
			s += " (" + bugRef + ")"
		}
		if pkgs != "" {
			s += " on " + pkgs
		}
		x.summary = s
		if x.url == "" && projectID != "" {
			x.url = anityaHost + "/project/" + projectID + "/"
		}
	case ev == "update.bug.followup":
		x.summary = hotnessFollowup(getString(trig, "topic"), orig, bugRef)
	case ev == "update.drop":
		if projectID != "" {
			x.url = anityaHost + "/project/" + projectID + "/"
		}
		if pkgs == "" {
			return
		}
		why := map[string]string{
			"bugzilla": "a bugzilla ticket had already been filed",
			"pkgdb":    "the package is not monitored",
			"rawhide":  "the version is already in rawhide",
		}[getString(x.root, "reason")]
		if why == "" {
			if r := getString(x.root, "reason"); r != "" {
				why = "it was dropped (" + r + ")"
			} else {
				why = "it was dropped"
			}
		}
		x.summary = "the-new-hotness saw an update for " + pkgs + ", but " + why
	case ev == "project.map":
		pkg := getString(orig, "package_name")
		if pkg == "" {
			pkg = pkgs
		}
		if pkg == "" {
			return
		}
		target := "a brand-new upstream project"
		if p := getString(x.root, "project", "name"); p != "" {
			target = "the existing upstream project " + p
		}
		if id := scalarString(getPath(x.root, "project", "id")); id != "" {
			x.url = anityaHost + "/project/" + id + "/"
		} else if u := httpURL(getString(orig, "package_listing", "package", "review_url")); u != "" {
			x.url = u
		}
		if b, _ := getPath(x.root, "success").(bool); b {
			x.summary = "the-new-hotness mapped " + pkg + " to " + target
		} else {
			x.summary = "the-new-hotness tried to map " + pkg + " to " + target + ", but failed"
		}
	}
}

// hotnessFollowup says which build the-new-hotness followed up on a bug with.
func hotnessFollowup(ttopic string, orig any, bugRef string) string {
	var s, w string
	switch {
	case strings.Contains(ttopic, "buildsys.task"):
		w = kojiStateWord(getPath(orig, "new"), true)
		s = "scratch build of " + getString(orig, "srpm")
		if getString(orig, "srpm") == "" {
			s = "scratch build " + scalarString(getPath(orig, "id"))
		}
	case strings.Contains(ttopic, "buildsys.build"):
		w = kojiStateWord(getPath(orig, "new"), false)
		nvr := getString(orig, "name") + "-" + getString(orig, "version") + "-" + getString(orig, "release")
		s = "real build of " + nvr
		if o := getString(orig, "owner"); o != "" {
			s = ownerOf(o) + " " + s
		}
	default:
		return ""
	}
	if bugRef != "" {
		s += " for " + bugRef
	}
	if w == "" {
		w = "changed state"
	}
	return s + " " + w
}

// kojiStateWord says a koji task state (a name such as "CLOSED") or build state (a number) as
// the outcome of the build: "completed", "failed", "canceled".
func kojiStateWord(v any, task bool) string {
	if task {
		s, _ := v.(string)
		return map[string]string{"FREE": "is waiting", "OPEN": "started", "CLOSED": "completed",
			"CANCELED": "was canceled", "ASSIGNED": "was assigned", "FAILED": "failed"}[strings.ToUpper(s)]
	}
	n, ok := toInt(v)
	if !ok {
		return ""
	}
	return map[int]string{0: "started", 1: "completed", 2: "was deleted", 3: "failed", 4: "was canceled"}[n]
}

// --- Package database ---

// pkgdbPackage finds the package a pkgdb message is about, as "namespace/name", and the
// branches of the listings it names.
func pkgdbPackage(root any) (pkg string, branches []string) {
	named := func(p any) string {
		switch v := p.(type) {
		case string:
			ns := getString(root, "namespace")
			if ns == "" {
				ns = "rpms"
			}
			return ns + "/" + v
		case map[string]any:
			n, _ := v["name"].(string)
			if n == "" {
				return ""
			}
			ns, _ := v["namespace"].(string)
			if ns == "" {
				ns = "rpms"
			}
			return ns + "/" + n
		}
		return ""
	}
	listing := func(pl any) {
		if b := getString(pl, "collection", "branchname"); b != "" {
			branches = append(branches, b)
		}
		if pkg == "" {
			pkg = named(getPath(pl, "package"))
		}
	}
	if pl := getPath(root, "package_listing"); pl != nil {
		listing(pl)
	}
	each(getPath(root, "package_listings"), listing)
	if pl := getPath(root, "acl", "packagelist"); pl != nil {
		listing(pl)
	}
	if pkg == "" {
		pkg = named(getPath(root, "package"))
	}
	for _, k := range [...][]string{{"info"}, {"action", "info"}} {
		if n := getString(root, append(k, "pkg_name")...); pkg == "" && n != "" {
			ns := getString(root, append(k, "pkg_namespace")...)
			if ns == "" {
				ns = "rpms"
			}
			pkg = ns + "/" + n
		}
	}
	return pkg, branches
}

// pkgdbFn adds to pkgdb's extraction what a person reads: who changed which ACL, branch,
// collection or package, and the package's page.
func pkgdbFn(x *extraction) {
	pkgdb(x)
	r := x.root
	pkg, branches := pkgdbPackage(r)
	if pkg != "" {
		x.url = pkgdbHost + "/package/" + pkg + "/"
	}
	who := x.userOf(getPath(r, "agent"))
	if who == "" {
		who = "someone"
	}
	on := pkg
	if len(branches) > 0 {
		on += " (" + strings.Join(branches, ", ") + ")"
	}
	coll := func(k string) string {
		c := getPath(r, k)
		return strings.TrimSpace(getString(c, "name") + " " + getString(c, "version"))
	}
	user := getString(r, "username")
	ev := strings.TrimPrefix(x.topic, "pkgdb.")
	s := ""
	switch ev {
	case "acl.update":
		s = who + " changed " + ownerOf(user) + " '" + getString(r, "acl") + "' permission on " + on +
			" to '" + getString(r, "status") + "'"
	case "acl.request.toggle":
		s = who + " has " + getString(r, "acl_action") + " '" + getString(r, "acl") + "' on " + on
	case "acl.delete":
		s = who + " deleted " + ownerOf(getString(r, "acl", "fas_name")) + " " + getString(r, "acl", "acl") +
			" rights from " + on
	case "acl.user.remove":
		s = who + " removed " + user + " from " + on
	case "owner.update":
		s = who + " changed the owner of " + on + " to " + user
	case "package.new":
		s = who + " added the package " + on + " to pkgdb"
	case "package.update":
		s = who + " updated " + strings.Join(strs(getPath(r, "fields")), ", ") + " of " + pkg
	case "package.update.status":
		s = who + " changed the status of " + on + " from " + getString(r, "prev_status") + " to " + getString(r, "status")
	case "admin.action.status.update":
		if pkg == "" {
			pkg, _ = pkgdbPackage(getPath(r, "action"))
		}
		s = who + " changed the status of the " + strings.ReplaceAll(getString(r, "action", "action"), ".", " ") +
			" request for " + pkg + " from " + getString(r, "old_status") + " to " + getString(r, "new_status")
	case "package.delete":
		s = who + " deleted the package " + pkg + " from pkgdb"
	case "package.retire":
		verb := getString(r, "retirement")
		if verb == "" {
			verb = "retired"
		}
		s = who + " " + verb + " " + on
	case "package.branch.new":
		s = who + " created the branch " + getString(r, "package_listing", "collection", "branchname") +
			" for the package " + pkg
	case "package.branch.delete":
		s = who + " deleted the " + getString(r, "package_listing", "collection", "branchname") +
			" branch of the package " + pkg
	case "package.branch.request":
		s = who + " requested the branch " + getString(r, "collection_to", "branchname") + " for the package " + pkg
	case "package.unretire.request":
		s = who + " asked that " + pkg + " be unretired on " + getString(r, "collection", "branchname")
	case "package.koschei.update", "package.monitor.update", "package.critpath.update":
		flag := strings.TrimSuffix(strings.TrimPrefix(ev, "package."), ".update")
		s = who + " set the " + flag + " monitoring flag of " + pkg + " to " + pyBool(getPath(r, "status"))
		if flag == "critpath" {
			s = who + " set the critpath flag of " + on + " to " + pyBool(getPath(r, "critpath"))
		}
	case "critpath.update":
		n := 0
		each(getPath(r, "package_listing_ids"), func(any) { n++ })
		verb, prep := "removed", " from"
		if b, _ := getPath(r, "critpath").(bool); b {
			verb, prep = "added", " to"
		}
		s = who + " " + verb + " " + itoa(n) + " package listings" + prep + " the critical path"
		if n == 0 {
			s = who + " changed the critpath status of some packages"
		}
	case "branch.start":
		s = who + " started a branch of " + getString(r, "collection_to", "branchname") + " from " +
			getString(r, "collection_from", "branchname")
	case "branch.complete":
		s = ownerOf(who) + " branch of " + getString(r, "collection_to", "branchname") + " from " +
			getString(r, "collection_from", "branchname") + " completed"
	case "collection.new":
		s = who + " created a new collection for " + coll("collection")
	case "collection.update":
		s = who + " updated fields of the " + coll("collection") + " collection: " +
			strings.Join(strs(getPath(r, "fields")), ", ")
	}
	if strings.Contains(s, "  ") || strings.HasSuffix(s, " ") || strings.Contains(s, "''") ||
		(pkg == "" && strings.Contains(s, " of  ")) {
		s = ""
	}
	x.summary = s
	pkgdbDetails(x, ev, branches)
}

// pyBool says a JSON boolean as pkgdb's messages did ("True", "False").
func pyBool(v any) string {
	if b, ok := v.(bool); ok {
		if b {
			return "True"
		}
		return "False"
	}
	return scalarString(v)
}

// --- Long forms ---

// relVersions returns the new upstream versions an anitya version update names (without the
// previous one) and the previous version, from the message (or, fedmsg-era, the top level).
func relVersions(src, proj any) (vs []string, old string) {
	vs = strs(getPath(src, "upstream_versions"))
	if v := getString(src, "upstream_version"); v != "" {
		vs = []string{v}
	}
	if len(vs) == 0 {
		if v := getString(proj, "version"); v != "" {
			vs = []string{v}
		}
	}
	old = getString(src, "old_version")
	vs = slices.DeleteFunc(vs, func(v string) bool { return v == old })
	return vs, old
}

// relHomepage adds an upstream project's homepage and the backend anitya checks it with.
func relHomepage(x *extraction, proj any) {
	if h := httpURL(getString(proj, "homepage")); h != "" {
		x.detailLink("Homepage", h, h)
	}
	x.detail("Backend", getString(proj, "backend"))
}

// anityaDetails adds the long form of an anitya message: the new and previous versions, the
// removed versions, the changed fields, a flag's reason, and the project's homepage.
func anityaDetails(x *extraction, ev string, msg, proj any) {
	src := msg
	if src == nil {
		src = x.root
	}
	switch ev {
	case "project.version.update":
		vs, old := relVersions(src, proj)
		x.detail("Version", strings.Join(vs, ", "))
		x.detail("Previous", old)
	case "project.version.remove":
		if vs := strs(getPath(msg, "versions")); len(vs) > 3 {
			x.detail("Versions", strings.Join(vs, ", "))
		}
	case "project.edit":
		ch, _ := getPath(msg, "changes").(map[string]any)
		fields := make([]string, 0, len(ch))
		for f := range ch {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		for _, f := range fields {
			o, n := scalarString(getPath(ch[f], "old")), scalarString(getPath(ch[f], "new"))
			if o == "" {
				o = "(none)"
			}
			if n == "" {
				n = "(none)"
			}
			label := strings.ReplaceAll(f, "_", " ")
			x.detail(strings.ToUpper(label[:1])+label[1:], o+" → "+n)
		}
		if _, ok := ch["homepage"]; ok {
			return // the homepage is among the changes
		}
	case "project.flag":
		x.detailText("Reason", getString(msg, "reason"))
	}
	if strings.HasPrefix(ev, "project.") && ev != "project.flag.set" {
		relHomepage(x, proj)
	}
}

// hotnessDetails adds the long form of a the-new-hotness message: the bug (filed or followed
// up), the anitya project with the new and previous versions, the build it followed up with.
func hotnessDetails(x *extraction, ev, bugRef, bugURL string) {
	trig := getPath(x.root, "trigger")
	orig := getPath(trig, "msg")
	ttopic := getString(trig, "topic")
	if bugRef != "" {
		x.detailLink("Bug", bugRef, bugURL)
	}
	switch {
	case strings.Contains(ttopic, "anitya"):
		msg := getPath(orig, "message")
		if msg == nil {
			msg = orig
		}
		proj := getPath(orig, "project")
		if proj == nil {
			proj = getPath(msg, "project")
		}
		relAnityaProject(x, proj)
		vs, old := relVersions(msg, proj)
		x.detail("Version", strings.Join(vs, ", "))
		x.detail("Previous", old)
		relHomepage(x, proj)
	case strings.Contains(ttopic, "buildsys.task"):
		id := scalarString(getPath(orig, "id"))
		link := ""
		if id != "" {
			link = kojiWeb(&extraction{root: orig, topic: x.topic, env: x.env}) + "/taskinfo?taskID=" + id
		}
		x.detailLink("Scratch build", getString(orig, "srpm"), link)
		if getString(orig, "srpm") == "" {
			x.detailLink("Task", id, link)
		}
	case strings.Contains(ttopic, "buildsys.build"):
		nvr := getString(orig, "name") + "-" + getString(orig, "version") + "-" + getString(orig, "release")
		link := ""
		if id := scalarString(getPath(orig, "build_id")); id != "" {
			link = kojiWeb(&extraction{root: orig, topic: x.topic, env: x.env}) + "/buildinfo?buildID=" + id
		}
		if nvr != "--" {
			x.detailLink("Build", nvr, link)
		}
	}
	if ev == "project.map" {
		relAnityaProject(x, getPath(x.root, "project"))
		pkg := getPath(orig, "package_listing", "package")
		if u := httpURL(getString(pkg, "review_url")); u != "" {
			x.detailLink("Review", u, u)
		}
		if u := httpURL(getString(pkg, "upstream_url")); u != "" {
			x.detailLink("Upstream", u, u)
		}
	}
}

// relAnityaProject adds the anitya project a message is about, linked to its page.
func relAnityaProject(x *extraction, proj any) {
	link := ""
	if id := scalarString(getPath(proj, "id")); id != "" {
		link = anityaHost + "/project/" + id + "/"
	}
	x.detailLink("Project", getString(proj, "name"), link)
}

// composeDetails adds the compose a legacy compose message is about and where it is.
func composeDetails(x *extraction, id, location string) {
	x.detail("Compose", id)
	if loc := httpURL(location); loc != "" {
		x.detailLink("Location", loc, loc)
	}
}

// pungiDetails adds the long form of a pungi-koji message: the compose, its status, label and
// location, and per event the phase, the images, the ostree commit or why it failed to start.
func pungiDetails(x *extraction, ev string) {
	r := x.root
	loc := httpURL(getString(r, "location"))
	x.detail("Compose", getString(r, "compose_id"))
	x.detail("Status", getString(r, "status"))
	x.detail("Label", getString(r, "compose_label"))
	x.detail("Type", getString(r, "compose_type"))
	switch {
	case ev == "createiso.targets":
		var files []string
		each(getPath(r, "deliverables"), func(d any) {
			if s, ok := d.(string); ok && s != "" {
				files = append(files, s[strings.LastIndexByte(s, '/')+1:])
			}
		})
		x.detail("Images", strings.Join(files, ", "))
	case strings.HasPrefix(ev, "createiso.image"):
		x.detail("Variant", getString(r, "variant"))
		x.detail("Arch", getString(r, "arch"))
		file := getString(r, "file")
		if i := strings.LastIndex(file, "/compose/"); i >= 0 && loc != "" {
			rel := file[i+len("/compose/"):]
			x.detailLink("Image", rel, strings.TrimSuffix(loc, "/")+"/"+rel)
		}
	case ev == "ostree":
		x.detail("Variant", getString(r, "variant"))
	case ev == "fail.to.start":
		x.detail("Target", getString(r, "target_dir"))
		x.detail("Command", strings.Join(strs(getPath(r, "command")), " "))
	}
	if loc != "" {
		x.detailLink("Location", loc, loc)
	}
}

// pkgdbDetails adds the long form of a pkgdb message: the branches, the ACL and its status
// (and the previous status), and a new or requested package's summary and links.
func pkgdbDetails(x *extraction, ev string, branches []string) {
	r := x.root
	x.detail("Branch", strings.Join(branches, ", "))
	if len(branches) == 0 {
		b := getString(r, "collection_to", "branchname")
		if b == "" {
			b = getString(r, "collection", "branchname")
		}
		x.detail("Branch", b)
	}
	acl, status := getString(r, "acl"), getString(r, "status")
	if a := getPath(r, "acl"); acl == "" && a != nil {
		acl, status = getString(a, "acl"), getString(a, "status")
	}
	if s := getString(r, "acl_status"); s != "" {
		status = s
	}
	if s := getString(r, "new_status"); s != "" {
		status = s
	}
	x.detail("ACL", acl)
	x.detail("Status", status)
	prev := getString(r, "prev_status")
	if prev == "" {
		prev = getString(r, "old_status")
	}
	x.detail("Previous", prev)
	if ev == "package.new" || ev == "package.branch.request" || ev == "package.unretire.request" {
		pkg := getPath(r, "package_listing", "package")
		if pkg == nil {
			pkg = getPath(r, "package")
		}
		x.detail("Description", getString(pkg, "summary"))
		for _, k := range [...][2]string{{"Review", "review_url"}, {"Upstream", "upstream_url"}} {
			if u := httpURL(getString(pkg, k[1])); u != "" {
				x.detailLink(k[0], u, u)
			}
		}
	}
}

// fedimgDetails adds the compose an image comes from, the cloud service and the image's file.
func fedimgDetails(x *extraction) {
	id := getString(x.root, "compose", "compose_id")
	if id == "" {
		id = getString(x.root, "compose")
	}
	if id == "" {
		id = getString(x.root, "compose_id")
	}
	x.detail("Compose", id)
	x.detail("Service", getString(x.root, "service"))
	if u := httpURL(getString(x.root, "image_url")); u != "" {
		x.detailLink("Image", u[strings.LastIndexByte(u, '/')+1:], u)
	}
}

// ansibleFailures adds the hosts an ansible run failed on or could not reach, with their counts.
func ansibleFailures(x *extraction) {
	res, _ := getPath(x.root, "results").(map[string]any)
	hosts := make([]string, 0, len(res))
	for h := range res {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	var bad []string
	for _, h := range hosts {
		f, _ := toInt(getPath(res[h], "failures"))
		u, _ := toInt(getPath(res[h], "unreachable"))
		switch {
		case f > 0 && u > 0:
			bad = append(bad, h+" ("+itoa(f)+" failed, unreachable)")
		case f > 0:
			bad = append(bad, h+" ("+itoa(f)+" failed)")
		case u > 0:
			bad = append(bad, h+" (unreachable)")
		}
	}
	x.detail("Failed", strings.Join(bad, ", "))
}
