// Package population generates deterministic synthetic user populations for fmn's rules engine:
// users with realistic filters (the UI presets: artifacts I own, artifacts my groups own, events
// about me, users and artifacts I follow, plus topic, severity and body filters), artifact
// ownership with a Zipf spread over the packages, and group memberships. It also maps real
// corpus messages onto a population, so that benchmarks and load tests see matches.
//
// The same Config always gives the same population.
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
	// PackagerShare is the share of users who own packages (default DefaultPackagerShare).
	PackagerShare float64
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
}

// Generate builds a population.
func Generate(cfg Config) *Population {
	if cfg.Packages <= 0 {
		cfg.Packages = DefaultPackages
	}
	if cfg.Groups <= 0 {
		cfg.Groups = max(20, cfg.Users/200)
	}
	if cfg.PackagerShare <= 0 {
		cfg.PackagerShare = DefaultPackagerShare
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	// topicGlobs are topic patterns as people write them.
	topicGlobs := [...]string{
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

	// noisyApps are the applications people exclude.
	noisyApps := [...]string{"fedbadges", "badges", "fas", "mailman", "meetbot", "wiki", "planet", "fedocal", "discourse"}
	p := &Population{Snapshot: &rules.Snapshot{}}
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
	s := p.Snapshot

	// Packagers: a random subset of users; some own far more than others (Zipf).
	nPackagers := max(1, int(float64(cfg.Users)*cfg.PackagerShare))
	perm := r.Perm(cfg.Users)
	packagers := perm[:min(nPackagers, cfg.Users)]
	isPackager := make([]bool, cfg.Users)
	for _, u := range packagers {
		isPackager[u] = true
	}
	packagerZipf := rand.NewZipf(r, 1.2, 20, uint64(len(packagers)-1))
	groupZipf := rand.NewZipf(r, 1.3, 2, uint64(cfg.Groups-1))
	// Group sizes: a few big SIGs, most groups small (tens of members at 100k users).
	memberZipf := rand.NewZipf(r, 1.1, 10, uint64(cfg.Groups-1))
	// Followed packages: popular ones are followed by a fraction of a percent of users.
	pkgZipf := rand.NewZipf(r, 1.05, 50, uint64(cfg.Packages-1))
	userZipf := rand.NewZipf(r, 1.1, 50, uint64(cfg.Users-1))
	rpm := func(i int) message.Artifact { return message.Artifact{Type: message.ArtifactRPM, Name: p.Packages[i]} }
	for i := range p.Packages {
		owners := 1
		for owners < 5 && r.Float64() < 0.35 {
			owners++
		}
		for range owners {
			s.Ownership = append(s.Ownership, rules.Ownership{Artifact: rpm(i), User: p.Users[packagers[packagerZipf.Uint64()]]})
		}
		if r.Float64() < 0.3 {
			s.Ownership = append(s.Ownership, rules.Ownership{Artifact: rpm(i), Group: p.Groups[groupZipf.Uint64()]})
		}
	}
	// Memberships: packagers in 0-3 groups, a few others in one.
	for u := range cfg.Users {
		n := 0
		if isPackager[u] {
			n = r.IntN(4)
		} else if r.Float64() < 0.05 {
			n = 1
		}
		for range n {
			s.Memberships = append(s.Memberships, rules.Membership{Group: p.Groups[memberZipf.Uint64()], User: p.Users[u]})
		}
	}

	// Filters.
	var id int64
	c := func(f rules.Field, values ...string) rules.Condition {
		return rules.Condition{Field: f, Values: values}
	}
	neg := func(cd rules.Condition) rules.Condition { cd.Negate = true; return cd }
	notMine := neg(c(rules.FieldAgent, rules.Me))
	noisy := func() rules.Condition {
		n := 1 + r.IntN(3)
		vals := make([]string, n)
		for i := range vals {
			vals[i] = noisyApps[r.IntN(len(noisyApps))]
		}
		return neg(c(rules.FieldApp, vals...))
	}
	glob := func() rules.Condition { return c(rules.FieldTopic, topicGlobs[r.IntN(len(topicGlobs))]) }
	for u, name := range p.Users {
		dests := []int64{int64(2*u + 1)}
		if r.Float64() < 0.3 {
			dests = append(dests, int64(2*u+2))
		}
		add := func(fname string, conds ...rules.Condition) {
			id++
			d := dests
			if len(dests) > 1 && r.Float64() < 0.5 {
				d = dests[:1]
			}
			s.Filters = append(s.Filters, rules.Filter{
				ID: id, User: name, Name: fname, Enabled: r.Float64() >= 0.05, Destinations: d, Conditions: conds,
			})
			p.Conditions += len(conds)
		}
		// Everyone: events about me, not my own actions, minus some noisy apps.
		add("events about me", c(rules.FieldUser, rules.Me), notMine, noisy())
		if isPackager[u] {
			add("artifacts I own", c(rules.FieldOwned, rules.Me), notMine, noisy())
			if r.Float64() < 0.3 {
				add("artifacts my groups own", c(rules.FieldOwned, rules.MyGroups), glob(), notMine)
			}
		} else {
			add("my actions, important", c(rules.FieldAgent, rules.Me), c(rules.FieldSeverity, "warning"), noisy())
		}
		if r.Float64() < 0.8 {
			n := 2 + r.IntN(6)
			vals := make([]string, n)
			for i := range vals {
				vals[i] = p.Users[userZipf.Uint64()]
			}
			add("users I follow", c(rules.FieldUser, vals...), glob(), noisy())
		}
		if r.Float64() < 0.7 {
			n := 1 + r.IntN(8)
			vals := make([]string, n)
			for i := range vals {
				vals[i] = p.Packages[pkgZipf.Uint64()]
			}
			art := c(rules.FieldArtifact, vals...)
			art.ArtifactType = string(message.ArtifactRPM)
			add("artifacts I follow", art, c(rules.FieldSeverity, "info"), notMine)
		}
		if r.Float64() < 0.03 {
			add("a topic family", glob(), c(rules.FieldSeverity, "info"), noisy())
		}
		if r.Float64() < 0.4 {
			n := 1 + r.IntN(4)
			vals := make([]string, n)
			for i := range vals {
				vals[i] = p.Packages[pkgZipf.Uint64()]
			}
			add("updates of packages I use", c(rules.FieldArtifact, vals...), glob(), notMine)
		}
		switch x := r.Float64(); {
		case x < 0.02: // a whole topic family, important only
			add("critical "+topicGlobs[u%len(topicGlobs)], glob(), c(rules.FieldSeverity, "error"), noisy())
		case x < 0.025: // nothing selective: always checked
			add("all errors", c(rules.FieldSeverity, "error"), noisy(), notMine)
		case x < 0.06: // a body filter on bodhi updates
			add("stable updates", c(rules.FieldTopic, "org.fedoraproject.prod.bodhi.update.comment"),
				rules.Condition{Field: rules.FieldBody, Op: rules.OpIn, Path: "update.status", Values: []string{"stable", "testing"}},
				rules.Condition{Field: rules.FieldBody, Op: rules.OpRegex, Path: "update.title", Values: []string{`^(kernel|python3)-`}})
		case x < 0.08: // a group's events
			add("my group", c(rules.FieldGroup, p.Groups[groupZipf.Uint64()]), notMine, c(rules.FieldSeverity, "info"))
		}
	}
	return p
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

// User maps a (real) account name to one of the population's users, deterministically.
func (p *Population) User(name string) string {
	return p.Users[hash64(0, "user", name)%uint64(len(p.Users))]
}

// Package maps a (real) package name to one of the population's packages, deterministically,
// biased towards the popular ones (rank = N·u² for a uniform u: the top 1% of packages gets 10%
// of the messages), since busy packages are also the followed ones.
func (p *Population) Package(name string) string {
	u := float64(hash64(0, "pkg", name)>>11) / (1 << 53)
	i := int(float64(len(p.Packages)) * u * u)
	return p.Packages[min(max(i, 0), len(p.Packages)-1)]
}

// Group maps a (real) group name to one of the population's groups, deterministically.
func (p *Population) Group(name string) string {
	return p.Groups[hash64(0, "group", name)%uint64(len(p.Groups))]
}

// MapMessage rewrites m's users, agent, groups and artifact names into the population's names
// (see User, Package, Group) and normalises it. The topic, app, severity and body are kept.
func (p *Population) MapMessage(m *message.Message) {
	for i, u := range m.Usernames {
		m.Usernames[i] = p.User(u)
	}
	if m.Agent != "" {
		m.Agent = p.User(m.Agent)
	}
	for i, g := range m.Groups {
		m.Groups[i] = p.Group(g)
	}
	for i, a := range m.Artifacts {
		m.Artifacts[i].Name = p.Package(a.Name)
	}
	m.Normalize()
}
