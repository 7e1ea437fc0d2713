package population

import (
	"strings"

	"fmn/pkg/message"
)

// User maps a (real) account name to one of the population's users, deterministically.
func (p *Population) User(name string) string { return p.user(name, 0) }

// Package maps a (real) package name to one of the population's packages, deterministically,
// biased towards the popular ones (rank = N·u² for a uniform u: the top 1% of packages gets 10%
// of the messages), since busy packages are also the followed ones.
func (p *Population) Package(name string) string { return p.pkg(name, 0) }

// Group maps a (real) group name to one of the population's groups, deterministically.
func (p *Population) Group(name string) string { return p.group(name, 0) }

// user, pkg and group are User, Package and Group for one variant of the mapping: variant 0 is
// the mapping of User, Package and Group; every other variant maps names elsewhere.
// In a ShapeFedora population users are mapped like packages, biased towards the first ones,
// who are also the most followed: the accounts busy on the bus are the ones people follow.
func (p *Population) user(name string, variant uint64) string {
	if p.Shape == ShapeFedora {
		return p.Users[skewed(hash64(variant, "user", name), len(p.Users))]
	}
	return p.Users[hash64(variant, "user", name)%uint64(len(p.Users))]
}

func (p *Population) pkg(name string, variant uint64) string {
	return p.Packages[skewed(hash64(variant, "pkg", name), len(p.Packages))]
}

// skewed maps a hash to an index below n, N·u² for the uniform u the hash gives: the first 1 %
// of the indexes get 10 % of the hashes.
func skewed(h uint64, n int) int {
	u := float64(h>>11) / (1 << 53)
	return min(max(int(float64(n)*u*u), 0), n-1)
}

func (p *Population) group(name string, variant uint64) string {
	return p.Groups[hash64(variant, "group", name)%uint64(len(p.Groups))]
}

// MapMessage rewrites m's users, agent, groups and artifact names into the population's names
// (see User, Package, Group; in a ShapeFedora population users are mapped with the same skew as
// packages) and normalises it. The topic, app and severity are kept; so is the
// body, except in a ShapeFedora population, where the body names the same users, packages and
// groups as the message (see MapMessageVariant).
func (p *Population) MapMessage(m *message.Message) { p.MapMessageVariant(m, 0) }

// MapMessageVariant is MapMessage with the names mapped by one variant of the mapping (variant 0
// is MapMessage's), so that one real message gives many that name different users, packages
// and groups. In a ShapeFedora population the body is rewritten too: every string value equal to
// one of the message's account, group or artifact names, and every NVR of one of its artifacts
// ("kernel-6.1.1-1.fc39", also as a word in a list such as an update's title), is renamed the
// same way, so body conditions on owners, titles and NVRs meet the population's names. Keys,
// and every other byte of the body, are kept. Headers are kept as they were.
func (p *Population) MapMessageVariant(m *message.Message, variant uint64) {
	var names map[string]string
	if p.Shape == ShapeFedora {
		names = make(map[string]string, len(m.Usernames)+len(m.Groups)+len(m.Artifacts)+1)
	}
	rename := func(old, new string) string {
		if names != nil {
			if _, ok := names[old]; !ok {
				names[old] = new
			}
		}
		return new
	}
	for i, u := range m.Usernames {
		m.Usernames[i] = rename(u, p.user(u, variant))
	}
	if m.Agent != "" {
		m.Agent = rename(m.Agent, p.user(m.Agent, variant))
	}
	for i, g := range m.Groups {
		m.Groups[i] = rename(g, p.group(g, variant))
	}
	for i, a := range m.Artifacts {
		m.Artifacts[i].Name = rename(a.Name, p.pkg(a.Name, variant))
	}
	if len(names) > 0 {
		m.Body = renameInBody(m.Body, names)
	}
	m.Normalize()
}

// renameInBody returns the JSON body with the string values renamed as MapMessageVariant says;
// body itself when nothing changed. Strings with escapes are left alone.
func renameInBody(body []byte, names map[string]string) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		j, escaped := i+1, false
		for j < len(body) && body[j] != '"' {
			if body[j] == '\\' {
				escaped = true
				j++
			}
			j++
		}
		if j >= len(body) {
			break
		}
		if !escaped && !isKey(body, j+1) {
			if s, ok := renameValue(string(body[i+1:j]), names); ok {
				out = append(out, body[last:i+1]...)
				out = append(out, s...)
				last = j
			}
		}
		i = j
	}
	if out == nil {
		return body
	}
	return append(out, body[last:]...)
}

// isKey reports whether the string that ended before body[k] is an object key.
func isKey(body []byte, k int) bool {
	for k < len(body) && (body[k] == ' ' || body[k] == '\t' || body[k] == '\n' || body[k] == '\r') {
		k++
	}
	return k < len(body) && body[k] == ':'
}

// renameValue renames a string value: the whole of it if it is a name, else each
// space-separated word that is a name or an NVR ("name-1.2-3.fc39") of one.
func renameValue(s string, names map[string]string) (string, bool) {
	if n, ok := names[s]; ok {
		return n, true
	}
	if !strings.Contains(s, "-") {
		return "", false
	}
	words := strings.Split(s, " ")
	changed := false
	for i, w := range words {
		if n, ok := names[w]; ok {
			words[i], changed = n, true
			continue
		}
		if n, ok := renameNVR(w, names); ok {
			words[i], changed = n, true
		}
	}
	if !changed {
		return "", false
	}
	return strings.Join(words, " "), true
}

// renameNVR renames w when it is name-version... for a name in names: the name ends at the first
// '-' followed by a digit.
func renameNVR(w string, names map[string]string) (string, bool) {
	for k := 0; k+1 < len(w); k++ {
		if w[k] == '-' && w[k+1] >= '0' && w[k+1] <= '9' {
			if n, ok := names[w[:k]]; ok {
				return n + w[k:], true
			}
			return "", false
		}
	}
	return "", false
}
