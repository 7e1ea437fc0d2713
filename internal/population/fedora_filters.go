package population

import (
	"regexp"

	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// userFilters collects one user's filters of a Fedora-shaped population before they get ids,
// destinations and the odd negation (emit).
type userFilters struct {
	g       *fedoraGen
	u       int
	name    string
	filters []rules.Filter
	// aboutMe and myActions are set once the user has that filler.
	aboutMe, myActions bool
}

// add appends a filter.
func (b *userFilters) add(name string, conds ...rules.Condition) {
	b.filters = append(b.filters, rules.Filter{Name: name, Conditions: conds})
}

// fedoraApps are applications people restrict a followed user's events to.
func fedoraApps() [6]string {
	return [...]string{"bodhi", "buildsys", "pagure", "git", "copr", "koschei"}
}

// fedoraLeadingGlobs are topic patterns that start with a wildcard (any environment).
func fedoraLeadingGlobs() [10]string {
	return [...]string{
		"*.bodhi.update.comment",
		"*.buildsys.build.state.change",
		"*.copr.build.end",
		"*.pagure.pull-request.new",
		"*.git.receive",
		"*.anitya.project.version.update",
		"*.koschei.package.state.change",
		"*.ci.*.test.complete",
		"*.github.pull_request",
		"*.discourse.post.new",
	}
}

// fedoraBodyTopics are the exact topics an "owner is me" body filter is restricted to.
func fedoraBodyTopics() [4]string {
	return [...]string{
		"org.fedoraproject.prod.buildsys.build.state.change",
		"org.fedoraproject.prod.copr.build.end",
		"org.fedoraproject.prod.bodhi.update.request.testing",
		"org.fedoraproject.prod.buildsys.task.state.change",
	}
}

// pkgs draws 1..n distinct popular-leaning package names.
func (b *userFilters) pkgs(n int) []string {
	ks := b.g.distinctPackages(1 + b.g.r.IntN(n))
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = b.g.p.Packages[k]
	}
	return out
}

// onePackage is one package the user owns (when they own any, usually) or follows.
func (b *userFilters) onePackage() string {
	if own := b.g.owns[b.u]; own != nil && b.g.r.Float64() < 0.7 {
		return b.g.p.Packages[own[b.g.r.IntN(len(own))]]
	}
	return b.pkgs(1)[0]
}

// subject is the selective condition of a filter "about" packages: the user's own (owners,
// mostly) or a few followed ones.
func (b *userFilters) subject() rules.Condition {
	if b.g.owns[b.u] != nil && b.g.r.Float64() < 0.6 {
		return cond(rules.FieldOwned, rules.Me)
	}
	return cond(rules.FieldArtifact, b.pkgs(5)...)
}

// groupOwned is "artifacts my groups own": @mygroups, or one of the user's groups by name.
func (b *userFilters) groupOwned() rules.Condition {
	gs := b.g.groupsOf[b.u]
	if b.g.r.Float64() < 0.6 {
		return cond(rules.FieldOwned, rules.MyGroups)
	}
	return cond(rules.FieldOwned, rules.GroupPrefix+b.g.p.Groups[gs[b.g.r.IntN(len(gs))]])
}

// followUsers is "users I follow": 1-10 accounts, the much-followed ones most often, half of the
// time restricted to an application.
func (b *userFilters) followUsers() {
	g := b.g
	users := cond(rules.FieldUser, pick(g.p.Users, g.userZipf, 1+g.r.IntN(10))...)
	if g.r.Float64() < 0.5 {
		b.add("users I follow", users)
		return
	}
	apps := fedoraApps()
	b.add("users I follow, one app", users, cond(rules.FieldApp, apps[g.r.IntN(len(apps))]))
}

// topicGlob is a topic pattern or two, mostly with a package, owner or user condition.
func (b *userFilters) topicGlob() {
	g := b.g
	globs := g.globs
	topic := cond(rules.FieldTopic, globs[g.r.IntN(len(globs))])
	if g.r.Float64() < 0.3 {
		topic.Values = append(topic.Values, globs[g.r.IntN(len(globs))])
	}
	switch x := g.r.Float64(); {
	case x < 0.6:
		b.add("a topic family of my packages", b.subject(), topic)
	case x < 0.8:
		b.add("a topic family about me", cond(rules.FieldUser, rules.Me), topic)
	case x < 0.9:
		b.add("a topic family of people I follow", cond(rules.FieldUser, pick(g.p.Users, g.userZipf, 1+g.r.IntN(5))...), topic)
	default:
		b.add("a topic family, important only", topic, cond(rules.FieldSeverity, "warning"))
	}
}

// body is a filter with a body condition: the owner is me (on a topic, or alone: always
// checked), an update's status, or a regexp on a title or an NVR. Some paths are missing from
// most bodies.
func (b *userFilters) body() {
	g := b.g
	switch x := g.r.Float64(); {
	case x < 0.3:
		paths := [...]string{"owner", "build.owner_name", "update.user.name", "msg.owner"}
		mine := rules.Condition{Field: rules.FieldBody, Op: rules.OpEq, Path: paths[g.r.IntN(len(paths))], Values: []string{b.name}}
		if g.r.Float64() < 0.25 {
			b.add("things I own (body)", mine)
			return
		}
		topics := fedoraBodyTopics()
		b.add("my builds", cond(rules.FieldTopic, topics[g.r.IntN(len(topics))]), mine)
	case x < 0.65:
		statuses := [...]rules.Condition{
			{Field: rules.FieldBody, Op: rules.OpIn, Path: "update.status", Values: []string{"stable", "testing"}},
			{Field: rules.FieldBody, Op: rules.OpIn, Path: "update.request", Values: []string{"stable"}},
			{Field: rules.FieldBody, Op: rules.OpIn, Path: "comment.update.status", Values: []string{"stable", "obsolete"}},
		}
		b.add("updates of my packages going stable", b.subject(), statuses[g.r.IntN(len(statuses))])
	default:
		b.regexFilter()
	}
}

// regexFilter is a regexp on an update title, an NVR or an issue title.
func (b *userFilters) regexFilter() {
	g := b.g
	pkg := b.onePackage()
	art := cond(rules.FieldArtifact, pkg)
	if g.r.Float64() < 0.5 && g.owns[b.u] != nil {
		art = cond(rules.FieldOwned, rules.Me)
	}
	re := func(path, expr string) rules.Condition {
		return rules.Condition{Field: rules.FieldBody, Op: rules.OpRegex, Path: path, Values: []string{expr}}
	}
	switch x := g.r.Float64(); {
	case x < 0.4:
		b.add("updates of one package", art, re("update.title", "^"+regexp.QuoteMeta(pkg)+"-"))
	case x < 0.8:
		paths := [...]string{"build.nvr", "nvr", "update.builds[0].nvr", "override.nvr"}
		b.add("Fedora 4x builds of one package", art, re(paths[g.r.IntN(len(paths))], "^"+regexp.QuoteMeta(pkg)+`-[0-9].*\.fc4[0-9]$`))
	default:
		paths := [...]string{"issue.title", "body.issue.title", "pullrequest.title", "body.pull_request.title"}
		b.add("crashes in my issues", cond(rules.FieldUser, rules.Me), re(paths[g.r.IntN(len(paths))], `(?i)(crash|segfault|fails? to build|ftbfs)`))
	}
}

// leadingGlobs is 2-5 topic patterns that start with a wildcard, half of the time alone.
func (b *userFilters) leadingGlobs() {
	g := b.g
	all := fedoraLeadingGlobs()
	perm := g.r.Perm(len(all))
	topic := cond(rules.FieldTopic)
	for _, i := range perm[:2+g.r.IntN(4)] {
		topic.Values = append(topic.Values, all[i])
	}
	if g.r.Float64() < 0.5 {
		b.add("whatever the environment", topic)
		return
	}
	if g.owns[b.u] != nil {
		b.add("my packages, whatever the environment", cond(rules.FieldOwned, rules.Me), topic)
		return
	}
	b.add("about me, whatever the environment", cond(rules.FieldUser, rules.Me), topic)
}

// filler is the i-th filter added to reach the user's filter count: "events about me" first,
// then followed packages, with "my actions, important" once.
func (b *userFilters) filler(i int) {
	switch {
	case !b.aboutMe:
		b.aboutMe = true
		b.add("events about me", cond(rules.FieldUser, rules.Me))
	case i%3 == 2 && !b.myActions:
		b.myActions = true
		b.add("my actions, important", cond(rules.FieldAgent, rules.Me), cond(rules.FieldSeverity, "warning"))
	default:
		art := cond(rules.FieldArtifact, b.pkgs(8)...)
		if b.g.r.Float64() < 0.5 {
			art.ArtifactType = string(message.ArtifactRPM)
		}
		b.add("artifacts I follow", art)
	}
}

// emit gives the user's filters (at most fedoraMaxFilters) ids, destinations (one or two, as
// in the default shape) and, for fedoraNegationShare of them, a negated condition, and adds
// them to the snapshot.
func (b *userFilters) emit() {
	g, r := b.g, b.g.r
	dests := []int64{int64(2*b.u + 1)}
	if r.Float64() < 0.3 {
		dests = append(dests, int64(2*b.u+2))
	}
	apps := noisyApps()
	for _, f := range b.filters[:min(len(b.filters), fedoraMaxFilters)] {
		if r.Float64() < fedoraNegationShare {
			if r.Float64() < 0.6 {
				f.Conditions = append(f.Conditions, notMine())
			} else {
				f.Conditions = append(f.Conditions, negate(cond(rules.FieldApp, apps[r.IntN(len(apps))])))
			}
		}
		g.id++
		f.ID, f.User, f.Enabled, f.Destinations = g.id, b.name, r.Float64() >= 0.05, dests
		if len(dests) > 1 && r.Float64() < 0.5 {
			f.Destinations = dests[:1]
		}
		g.s.Filters = append(g.s.Filters, f)
		g.p.Conditions += len(f.Conditions)
	}
}
