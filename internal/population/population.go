// Package population generates deterministic synthetic user populations for fmn's rules engine
// (filters, artifact ownership, group memberships) and maps real corpus messages onto them, so
// that benchmarks, fmnbench and load tests see matches. The same Config always gives the same
// population. Config.Shape chooses one of two shapes.
//
// # ShapeDefault (the default)
//
// Users with the UI presets: everyone has "events about me, not my own actions, minus noisy
// apps"; the quarter of them who own packages (Zipf over 20,000 packages, one to five owners each,
// a third of the packages also owned by a group) have "artifacts I own" and some "artifacts my
// groups own"; most follow users and packages; a few have topic, severity, body and always-check
// filters. About 4 filters and 12 conditions per user, most filters with a negation.
//
// # ShapeFedora (issue #21)
//
// Shaped like Fedora's packagers, drawn per user:
//
//   - 1-8 filters per user, ≈ 3.5 (weights 12, 19, 23, 19, 12, 8, 4, 3 %); a user has one
//     filter of each kind below they were drawn for, then fillers ("events about me", followed
//     packages, "my actions, important") up to their count; ≈ 4.7 conditions per user;
//   - 70 % own packages and have "artifacts I own" (owned @me): 1-20 of 25,000 package names
//     (Zipf, ≈ 3.5 on average), 5 % of them 20-150; the packages are drawn Zipf-like (s 1.05,
//     v 400: at 100k users the most popular one has ≈ 300 owners, the median one 8); 8 % of
//     owned packages come with the container and 4 % with the flatpak of the same name;
//   - one SIG per 2,000 users (at least 20) owns 200-2,000 packages each (log-uniform, popular
//     ones more often); 5 % of the users are members of 1-3 SIGs (the big SIGs more often: at
//     100k users 76-559 members, median 154) and filter on @mygroups (60 %) or group:NAME
//     (40 %), so a popular package reaches hundreds of people through groups;
//   - 30 % follow 1-10 usernames (Zipf: a few accounts have hundreds of followers), half of
//     them in one application;
//   - ≈ 25 % use topic globs: 24 % one or two of the usual patterns, 90 % with an owned, artifact
//     or user condition, 10 % alone with severity warning; and 1 % 2-5 patterns that start with a
//     wildcard ("*.bodhi.update.comment"), half of them alone;
//   - 15 % have a body condition: the owner is me (owner, build.owner_name, update.user.name, or
//     the missing msg.owner equal to the user's name; a quarter of these alone, and so always
//     checked: ≈ 1 % of the users), an update status (update.status, update.request,
//     comment.update.status in …) with an owned or artifact condition, or a regexp on an update
//     title, an NVR (build.nvr, nvr, update.builds[0].nvr, override.nvr: mostly missing) or an
//     issue title;
//   - ≈ 4 % of the filters carry a negation (not agent @me, or not one noisy app); 5 % are
//     disabled; a user has one or two destinations, as in the default shape.
//
// Messages mapped onto a Fedora-shaped population (MapMessageVariant, MappedMessages) name its
// users (skewed like packages: the busy accounts are the followed ones), packages and groups, in
// the message's fields and in the body's strings and NVRs too, and MappedMessages cycles through
// the whole corpus (every family, the 13-25 KB GitHub and forge payloads included), each pass
// naming other users, packages and groups.
package population

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"

	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// Defaults for Config fields left at zero.
const (
	// DefaultPackages is about the number of rpm packages in Fedora's dist-git.
	DefaultPackages = 20000
	// DefaultPackagerShare is the share of users who own packages.
	DefaultPackagerShare = 0.25
)

// Config sets the size and shape of a population.
type Config struct {
	// Users is the number of users.
	Users int
	// Seed makes the population; the same Seed and sizes give the same population.
	Seed uint64
	// Packages is the number of package names (default DefaultPackages).
	Packages int
	// Groups is the number of groups (default Users/200, at least 20).
	Groups int
	// PackagerShare is the share of users who own packages (default DefaultPackagerShare, or
	// FedoraOwnerShare for ShapeFedora).
	PackagerShare float64
	// Shape is how users, ownership and filters are drawn: ShapeDefault (the zero value) or
	// ShapeFedora.
	Shape Shape
}

// Population is a generated population: the snapshot to compile plus the names it uses.
type Population struct {
	// Snapshot holds the filters, ownership and memberships.
	Snapshot *rules.Snapshot
	// Users, Packages (most popular first) and Groups are the names in use.
	Users    []string
	Packages []string
	Groups   []string
	// Conditions is the total number of conditions over all filters.
	Conditions int
	// Shape is the shape the population was drawn in; MapMessage maps messages to suit it.
	Shape Shape
}

// Generate builds a population.
func Generate(cfg Config) *Population {
	cfg = cfg.withDefaults()
	if cfg.Shape == ShapeFedora {
		return generateFedora(cfg)
	}
	g := newGenerator(cfg)
	g.ownership()
	g.memberships()
	g.filters()
	return g.p
}

// withDefaults fills in the zero fields.
func (cfg Config) withDefaults() Config {
	if cfg.Shape == "" {
		cfg.Shape = ShapeDefault
	}
	if cfg.Shape == ShapeFedora {
		return cfg.fedoraDefaults()
	}
	if cfg.Packages <= 0 {
		cfg.Packages = DefaultPackages
	}
	if cfg.Groups <= 0 {
		cfg.Groups = max(20, cfg.Users/200)
	}
	if cfg.PackagerShare <= 0 {
		cfg.PackagerShare = DefaultPackagerShare
	}
	return cfg
}

// generator draws one population from one random source. Its steps run in a fixed order, each
// drawing from the source in turn, so the same Config always gives the same population.
type generator struct {
	cfg Config
	r   *rand.Rand
	p   *Population
	s   *rules.Snapshot

	// topicGlobs are topic patterns as people write them; noisyApps the applications people
	// exclude.
	topicGlobs [18]string
	noisyApps  [9]string

	// packagers are the users who own packages (isPackager by user index).
	packagers  []int
	isPackager []bool
	// The Zipf spreads: packages over packagers, ownership and memberships over groups, follows
	// over packages and users.
	packagerZipf, groupZipf, memberZipf, pkgZipf, userZipf *rand.Zipf

	id int64 // the last filter id
}

// newGenerator names the users, packages and groups and picks the packagers.
func newGenerator(cfg Config) *generator {
	r := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	g := &generator{cfg: cfg, r: r, p: &Population{Snapshot: &rules.Snapshot{}, Shape: cfg.Shape},
		topicGlobs: commonTopicGlobs(),
		noisyApps:  noisyApps(),
	}
	p := g.p
	g.s = p.Snapshot
	p.name(cfg)

	// Packagers: a random subset of users; some own far more than others (Zipf).
	nPackagers := max(1, int(float64(cfg.Users)*cfg.PackagerShare))
	perm := r.Perm(cfg.Users)
	g.packagers = perm[:min(nPackagers, cfg.Users)]
	g.isPackager = make([]bool, cfg.Users)
	for _, u := range g.packagers {
		g.isPackager[u] = true
	}
	g.packagerZipf = rand.NewZipf(r, 1.2, 20, uint64(len(g.packagers)-1))
	g.groupZipf = rand.NewZipf(r, 1.3, 2, uint64(cfg.Groups-1))
	// Group sizes: a few big SIGs, most groups small (tens of members at 100k users).
	g.memberZipf = rand.NewZipf(r, 1.1, 10, uint64(cfg.Groups-1))
	// Followed packages: popular ones are followed by a fraction of a percent of users.
	g.pkgZipf = rand.NewZipf(r, 1.05, 50, uint64(cfg.Packages-1))
	g.userZipf = rand.NewZipf(r, 1.1, 50, uint64(cfg.Users-1))
	return g
}

// name names the users, packages and groups of a population of cfg's sizes.
func (p *Population) name(cfg Config) {
	p.Users = make([]string, cfg.Users)
	for i := range p.Users {
		p.Users[i] = fmt.Sprintf("user%06d", i)
	}
	prefixes := [...]string{"", "python-", "rust-", "golang-", "perl-", "ghc-", "nodejs-", "texlive-", "R-", "php-"}
	p.Packages = make([]string, cfg.Packages)
	for i := range p.Packages {
		p.Packages[i] = fmt.Sprintf("%spkg%05d", prefixes[i%len(prefixes)], i)
	}
	p.Groups = make([]string, cfg.Groups)
	for i := range p.Groups {
		p.Groups[i] = fmt.Sprintf("sig%04d", i)
	}
}

// commonTopicGlobs are topic patterns as people write them.
func commonTopicGlobs() [18]string {
	return [...]string{
		"org.fedoraproject.prod.bodhi.*",
		"org.fedoraproject.prod.buildsys.*",
		"org.fedoraproject.prod.buildsys.build.state.change",
		"org.fedoraproject.prod.git.receive",
		"org.fedoraproject.*.git.*",
		"org.fedoraproject.prod.copr.*",
		"org.fedoraproject.prod.bodhi.update.comment",
		"org.fedoraproject.prod.bodhi.update.status.testing.*",
		"io.pagure.*.pagure.pull-request.*",
		"org.fedoraproject.prod.pagure.*",
		"org.release-monitoring.prod.anitya.*",
		"org.fedoraproject.prod.hotness.*",
		"org.fedoraproject.prod.compose.*",
		"org.fedoraproject.prod.openqa.*",
		"*.bodhi.update.request.*",
		"org.centos.prod.ci.*",
		"org.fedoraproject.prod.fedora_elections.*",
		"org.fedoraproject.prod.discourse.*",
	}
}

// noisyApps are the applications people exclude.
func noisyApps() [9]string {
	return [...]string{"fedbadges", "badges", "fas", "mailman", "meetbot", "wiki", "planet", "fedocal", "discourse"}
}

// ownership gives every package one to five packagers and, for some, a group.
func (g *generator) ownership() {
	p, r := g.p, g.r
	rpm := func(i int) message.Artifact { return message.Artifact{Type: message.ArtifactRPM, Name: p.Packages[i]} }
	for i := range p.Packages {
		owners := 1
		for owners < 5 && r.Float64() < 0.35 {
			owners++
		}
		for range owners {
			g.s.Ownership = append(g.s.Ownership, rules.Ownership{Artifact: rpm(i), User: p.Users[g.packagers[g.packagerZipf.Uint64()]]})
		}
		if r.Float64() < 0.3 {
			g.s.Ownership = append(g.s.Ownership, rules.Ownership{Artifact: rpm(i), Group: p.Groups[g.groupZipf.Uint64()]})
		}
	}
}

// memberships puts packagers in 0-3 groups, a few others in one.
func (g *generator) memberships() {
	r := g.r
	for u := range g.cfg.Users {
		n := 0
		if g.isPackager[u] {
			n = r.IntN(4)
		} else if r.Float64() < 0.05 {
			n = 1
		}
		for range n {
			g.s.Memberships = append(g.s.Memberships, rules.Membership{Group: g.p.Groups[g.memberZipf.Uint64()], User: g.p.Users[u]})
		}
	}
}

// Conditions as the UI presets write them.
func cond(f rules.Field, values ...string) rules.Condition {
	return rules.Condition{Field: f, Values: values}
}

func negate(cd rules.Condition) rules.Condition { cd.Negate = true; return cd }

// notMine is "not my own actions".
func notMine() rules.Condition { return negate(cond(rules.FieldAgent, rules.Me)) }

// noisy excludes one to three noisy apps.
func (g *generator) noisy() rules.Condition {
	n := 1 + g.r.IntN(3)
	vals := make([]string, n)
	for i := range vals {
		vals[i] = g.noisyApps[g.r.IntN(len(g.noisyApps))]
	}
	return negate(cond(rules.FieldApp, vals...))
}

// glob is a topic condition with one of the usual patterns.
func (g *generator) glob() rules.Condition {
	return cond(rules.FieldTopic, g.topicGlobs[g.r.IntN(len(g.topicGlobs))])
}

// pick draws n names from names, spread by z.
func pick(names []string, z *rand.Zipf, n int) []string {
	vals := make([]string, n)
	for i := range vals {
		vals[i] = names[z.Uint64()]
	}
	return vals
}

// filters gives every user their filters.
func (g *generator) filters() {
	for u, name := range g.p.Users {
		g.userFilters(u, name)
	}
}

// userFilters gives user u (named name) the presets people pick: everyone gets events about
// themselves, packagers their artifacts, most follow users and packages, a few something rarer.
func (g *generator) userFilters(u int, name string) {
	r, p := g.r, g.p
	dests := []int64{int64(2*u + 1)}
	if r.Float64() < 0.3 {
		dests = append(dests, int64(2*u+2))
	}
	add := func(fname string, conds ...rules.Condition) {
		g.id++
		d := dests
		if len(dests) > 1 && r.Float64() < 0.5 {
			d = dests[:1]
		}
		g.s.Filters = append(g.s.Filters, rules.Filter{
			ID: g.id, User: name, Name: fname, Enabled: r.Float64() >= 0.05, Destinations: d, Conditions: conds,
		})
		p.Conditions += len(conds)
	}
	// Everyone: events about me, not my own actions, minus some noisy apps.
	add("events about me", cond(rules.FieldUser, rules.Me), notMine(), g.noisy())
	if g.isPackager[u] {
		add("artifacts I own", cond(rules.FieldOwned, rules.Me), notMine(), g.noisy())
		if r.Float64() < 0.3 {
			add("artifacts my groups own", cond(rules.FieldOwned, rules.MyGroups), g.glob(), notMine())
		}
	} else {
		add("my actions, important", cond(rules.FieldAgent, rules.Me), cond(rules.FieldSeverity, "warning"), g.noisy())
	}
	if r.Float64() < 0.8 {
		vals := pick(p.Users, g.userZipf, 2+r.IntN(6))
		add("users I follow", cond(rules.FieldUser, vals...), g.glob(), g.noisy())
	}
	if r.Float64() < 0.7 {
		art := cond(rules.FieldArtifact, pick(p.Packages, g.pkgZipf, 1+r.IntN(8))...)
		art.ArtifactType = string(message.ArtifactRPM)
		add("artifacts I follow", art, cond(rules.FieldSeverity, "info"), notMine())
	}
	if r.Float64() < 0.03 {
		add("a topic family", g.glob(), cond(rules.FieldSeverity, "info"), g.noisy())
	}
	if r.Float64() < 0.4 {
		add("updates of packages I use", cond(rules.FieldArtifact, pick(p.Packages, g.pkgZipf, 1+r.IntN(4))...), g.glob(), notMine())
	}
	g.rareFilter(u, add)
}

// rareFilter gives a few users one filter of a rarer kind.
func (g *generator) rareFilter(u int, add func(string, ...rules.Condition)) {
	switch x := g.r.Float64(); {
	case x < 0.02: // a whole topic family, important only
		add("critical "+g.topicGlobs[u%len(g.topicGlobs)], g.glob(), cond(rules.FieldSeverity, "error"), g.noisy())
	case x < 0.025: // nothing selective: always checked
		add("all errors", cond(rules.FieldSeverity, "error"), g.noisy(), notMine())
	case x < 0.06: // a body filter on bodhi updates
		add("stable updates", cond(rules.FieldTopic, "org.fedoraproject.prod.bodhi.update.comment"),
			rules.Condition{Field: rules.FieldBody, Op: rules.OpIn, Path: "update.status", Values: []string{"stable", "testing"}},
			rules.Condition{Field: rules.FieldBody, Op: rules.OpRegex, Path: "update.title", Values: []string{`^(kernel|python3)-`}})
	case x < 0.08: // a group's events
		add("my group", cond(rules.FieldGroup, g.p.Groups[g.groupZipf.Uint64()]), notMine(), cond(rules.FieldSeverity, "info"))
	}
}

// hash64 is a seeded FNV-1a hash of name.
func hash64(seed uint64, kind, name string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(seed >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return h.Sum64()
}
