package population

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// Sizes and shares of ShapeFedora (the package comment describes the shape).
const (
	// FedoraPackages is the number of package names of a Fedora-shaped population.
	FedoraPackages = 25000
	// FedoraOwnerShare is the share of users who own packages (and have "artifacts I own").
	FedoraOwnerShare = 0.70
	// fedoraUsersPerSIG sets the number of SIGs: one per 2,000 users, at least 20, so that at
	// 100k users a SIG has about 200 members.
	fedoraUsersPerSIG = 2000
	// fedoraBigOwnerShare is the share of owners who own 20-150 packages; the others own 1-20.
	fedoraBigOwnerShare = 0.05
	// fedoraMemberShare is the share of users in 1-3 SIGs.
	fedoraMemberShare = 0.05
	// The shares of users with a filter of each kind.
	fedoraFollowShare  = 0.30 // users I follow
	fedoraGlobShare    = 0.24 // a topic glob (plus the leading-wildcard users: ≈ 25 % in all)
	fedoraBodyShare    = 0.15 // a body condition
	fedoraLeadingShare = 0.01 // several topic globs that start with a wildcard
	// fedoraNegationShare is the share of filters with a negated condition.
	fedoraNegationShare = 0.04
	// fedoraMaxFilters is the most filters a user has.
	fedoraMaxFilters = 8
)

// fedoraFilterCounts weighs 1..8 filters per user (mean ≈ 3.5).
func fedoraFilterCounts() [fedoraMaxFilters]float64 {
	return [...]float64{0.12, 0.19, 0.23, 0.19, 0.12, 0.08, 0.04, 0.03}
}

// fedoraDefaults fills in the zero fields of a ShapeFedora config.
func (cfg Config) fedoraDefaults() Config {
	if cfg.Packages <= 0 {
		cfg.Packages = FedoraPackages
	}
	if cfg.Groups <= 0 {
		cfg.Groups = max(20, cfg.Users/fedoraUsersPerSIG)
	}
	if cfg.PackagerShare <= 0 {
		cfg.PackagerShare = FedoraOwnerShare
	}
	return cfg
}

// fedoraGen draws a Fedora-shaped population from one random source, in a fixed order of steps.
type fedoraGen struct {
	cfg Config
	r   *rand.Rand
	p   *Population
	s   *rules.Snapshot

	// owns lists the packages (indexes into p.Packages) each user owns; groupsOf the groups
	// (indexes into p.Groups) each user is a member of.
	owns, groupsOf [][]int32
	// pkgZipf spreads ownership and follows over packages (index 0 the most popular), userZipf
	// follows over users, groupZipf members over SIGs, ownedZipf the 1-20 packages of an owner.
	pkgZipf, userZipf, groupZipf, ownedZipf *rand.Zipf
	// stamp dedups package draws: stamp[k] == stampGen when package k was drawn.
	stamp    []uint32
	stampGen uint32
	// globs are the topic patterns of commonTopicGlobs that have a wildcard.
	globs []string

	id int64 // the last filter id
}

// generateFedora builds a ShapeFedora population (cfg has its defaults).
func generateFedora(cfg Config) *Population {
	r := rand.New(rand.NewPCG(cfg.Seed, 0x5fed0a))
	g := &fedoraGen{cfg: cfg, r: r, p: &Population{Snapshot: &rules.Snapshot{}, Shape: ShapeFedora}}
	g.s = g.p.Snapshot
	g.p.name(cfg)
	for _, glob := range commonTopicGlobs() {
		if strings.ContainsAny(glob, "*?[") {
			g.globs = append(g.globs, glob)
		}
	}
	g.owns = make([][]int32, cfg.Users)
	g.groupsOf = make([][]int32, cfg.Users)
	g.stamp = make([]uint32, cfg.Packages)
	g.pkgZipf = rand.NewZipf(r, 1.05, 400, uint64(cfg.Packages-1))
	g.userZipf = rand.NewZipf(r, 1.1, 50, uint64(cfg.Users-1))
	g.groupZipf = rand.NewZipf(r, 1.1, 10, uint64(cfg.Groups-1))
	g.ownedZipf = rand.NewZipf(r, 1.5, 1, 19)
	g.ownership()
	g.sigs()
	g.memberships()
	for u := range cfg.Users {
		g.userFilters(u)
	}
	return g.p
}

// distinctPackages draws n distinct packages through pkgZipf (at most half of them all).
func (g *fedoraGen) distinctPackages(n int) []int32 {
	n = min(n, g.cfg.Packages/2)
	g.stampGen++
	out := make([]int32, 0, n)
	for len(out) < n {
		k := g.pkgZipf.Uint64()
		if g.stamp[k] != g.stampGen {
			g.stamp[k] = g.stampGen
			out = append(out, int32(k))
		}
	}
	return out
}

// logUniform draws an integer between lo and hi, spread evenly on a log scale.
func (g *fedoraGen) logUniform(lo, hi int) int {
	return int(float64(lo) * math.Exp(g.r.Float64()*math.Log(float64(hi)/float64(lo))))
}

// ownership gives FedoraOwnerShare of the users 1-20 packages (a few 20-150), and some of them
// the container and flatpak of the same name too.
func (g *fedoraGen) ownership() {
	r := g.r
	for u, name := range g.p.Users {
		if r.Float64() >= g.cfg.PackagerShare {
			continue
		}
		n := 1 + int(g.ownedZipf.Uint64())
		if r.Float64() < fedoraBigOwnerShare {
			n = g.logUniform(20, 150)
		}
		g.owns[u] = g.distinctPackages(n)
		for _, k := range g.owns[u] {
			g.own(k, name, "")
			if r.Float64() < 0.08 {
				g.s.Ownership = append(g.s.Ownership, rules.Ownership{Artifact: message.Artifact{Type: message.ArtifactContainer, Name: g.p.Packages[k]}, User: name})
			}
			if r.Float64() < 0.04 {
				g.s.Ownership = append(g.s.Ownership, rules.Ownership{Artifact: message.Artifact{Type: message.ArtifactFlatpak, Name: g.p.Packages[k]}, User: name})
			}
		}
	}
}

// own records that a user or a group owns the rpm package k.
func (g *fedoraGen) own(k int32, user, group string) {
	g.s.Ownership = append(g.s.Ownership, rules.Ownership{
		Artifact: message.Artifact{Type: message.ArtifactRPM, Name: g.p.Packages[k]}, User: user, Group: group,
	})
}

// sigs gives every group (SIG) 200-2,000 packages, the popular ones most often.
func (g *fedoraGen) sigs() {
	for _, name := range g.p.Groups {
		for _, k := range g.distinctPackages(g.logUniform(200, 2000)) {
			g.own(k, "", name)
		}
	}
}

// memberships puts fedoraMemberShare of the users in 1-3 SIGs, the big SIGs most often.
func (g *fedoraGen) memberships() {
	r := g.r
	for u, name := range g.p.Users {
		if r.Float64() >= fedoraMemberShare {
			continue
		}
		n := min(1+r.IntN(3), g.cfg.Groups)
		for len(g.groupsOf[u]) < n {
			k := int32(g.groupZipf.Uint64())
			if !slices.Contains(g.groupsOf[u], k) {
				g.groupsOf[u] = append(g.groupsOf[u], k)
				g.s.Memberships = append(g.s.Memberships, rules.Membership{Group: g.p.Groups[k], User: name})
			}
		}
	}
}

// filterCount draws how many filters a user has, from fedoraFilterCounts.
func (g *fedoraGen) filterCount() int {
	x := g.r.Float64()
	for i, w := range fedoraFilterCounts() {
		if x < w {
			return i + 1
		}
		x -= w
	}
	return fedoraMaxFilters
}

// userFilters gives user u their filters: one of each kind the user has (drawn with the shares
// above), then fillers ("events about me", followed packages, "my actions") up to the drawn
// count; a few filters get a negated condition.
func (g *fedoraGen) userFilters(u int) {
	r := g.r
	b := &userFilters{g: g, u: u, name: g.p.Users[u]}
	target := g.filterCount()
	if g.owns[u] != nil {
		b.add("artifacts I own", cond(rules.FieldOwned, rules.Me))
	}
	if g.groupsOf[u] != nil {
		b.add("artifacts my groups own", b.groupOwned())
	}
	if r.Float64() < fedoraFollowShare {
		b.followUsers()
	}
	if r.Float64() < fedoraGlobShare {
		b.topicGlob()
	}
	if r.Float64() < fedoraBodyShare {
		b.body()
	}
	if r.Float64() < fedoraLeadingShare {
		b.leadingGlobs()
	}
	for i := 0; len(b.filters) < target; i++ {
		b.filler(i)
	}
	b.emit()
}
