package message

import (
	"slices"
	"strings"
)

// Helpers the forge families share (pagure, dist-git, infragit, Trac, Bugzilla, GitHub and the
// webhooks): who acted, commit messages, pushes and their long forms.

// forgeStrings returns the string elements of a JSON array (or a lone string), in order.
func forgeStrings(v any) []string {
	var out []string
	switch t := v.(type) {
	case string:
		if s := strings.TrimSpace(t); s != "" {
			out = append(out, s)
		}
	case []any:
		for _, e := range t {
			if s := strings.TrimSpace(scalarString(e)); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// forgeFirstLine returns the first line of a commit message, trimmed.
func forgeFirstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// forgeCommits says "1 commit" or "n commits".
func forgeCommits(n string) string {
	if n == "1" {
		return "1 commit"
	}
	return n + " commits"
}

// forgeTitled returns `: "s"`, the way a summary ends with an object's title, or "" for no title.
func forgeTitled(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return ""
	}
	return ": \"" + s + "\""
}

// forgeWho names the person who acted for a summary: the account when known, else what the body says.
func (x *extraction) forgeWho(raw ...string) string {
	if x.agent != "" {
		return x.agent
	}
	for _, r := range raw {
		if r = strings.TrimSpace(r); r != "" {
			if a := x.account(r); a != "" {
				return a
			}
			return r
		}
	}
	return ""
}

// forgeMaxCommits is how many commits of a push the long form lists one by one.
const forgeMaxCommits = 5

// forgeZeroSHA reports whether s is empty or git's all-zero object name (no commit: a new or
// deleted branch).
func forgeZeroSHA(s string) bool {
	return strings.Trim(s, "0") == ""
}

// forgeMessageBody returns a commit message without its subject line (what the summary does not
// already say) and without its sign-off trailers ("Signed-off-by: …"), trimmed.
func forgeMessageBody(s string) string {
	_, body, _ := strings.Cut(strings.TrimSpace(s), "\n")
	lines := strings.Split(body, "\n")
	out := lines[:0]
	for _, l := range lines {
		key, _, ok := strings.Cut(strings.TrimSpace(l), ": ")
		if ok && !strings.ContainsAny(key, " \t") && strings.HasSuffix(strings.ToLower(key), "-by") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// forgeNames returns the names (or titles) of an array of label objects, in order.
func forgeNames(v any, key string) []string {
	var out []string
	each(v, func(e any) {
		if s := getString(e, key); s != "" {
			out = append(out, s)
		} else if s := scalarString(e); s != "" {
			out = append(out, s)
		}
	})
	return out
}

// forgeArrow says "from → to", or just one side when the other is unknown.
func forgeArrow(from, to string) string {
	switch {
	case from == "":
		return to
	case to == "":
		return from
	}
	return from + " → " + to
}

// forgeCommitDetails adds what a fedmsg-era git hook says of one commit beyond its subject: the
// rest of its message and the files it changed with their line counts.
func forgeCommitDetails(x *extraction, c any) {
	files, _ := getPath(c, "stats", "files").(map[string]any)
	x.detail("Files", fileList(files, func(f any) string {
		ins := scalarString(getPath(f, "insertions"))
		if ins == "" {
			ins = scalarString(getPath(f, "additions"))
		}
		del := scalarString(getPath(f, "deletions"))
		if ins != "" || del != "" {
			return " (+" + ins + " −" + del + ")"
		}
		return ""
	}))
	x.detailText("Message", forgeMessageBody(getString(c, "message")))
}

// forgePushCommits lists the commits of a webhook push (GitHub, Forgejo, GitLab), newest last:
// each subject with a link to the commit, then how many more there are. A push of one commit
// whose subject the summary quotes gets the rest of its message instead.
func forgePushCommits(x *extraction, commits any, total int) {
	arr, _ := commits.([]any)
	if total < len(arr) {
		total = len(arr)
	}
	if len(arr) == 1 && total == 1 {
		subject := getString(arr[0], "title")
		if subject == "" {
			subject = forgeFirstLine(getString(arr[0], "message"))
		}
		if subject != "" && strings.Contains(x.summary, subject) {
			x.detailText("Message", forgeMessageBody(getString(arr[0], "message")))
			return
		}
	}
	start := 0
	if len(arr) > forgeMaxCommits {
		start = len(arr) - forgeMaxCommits
	}
	for _, c := range arr[start:] {
		subject := getString(c, "title")
		if subject == "" {
			subject = forgeFirstLine(getString(c, "message"))
		}
		x.detailLink("Commit", strings.TrimSpace(shortSHA(getString(c, "id"))+" "+subject), httpURL(getString(c, "url")))
	}
	if n := total - (len(arr) - start); n > 0 && len(arr) > 0 {
		x.detail("Commits", "and "+itoa(n)+" more")
	}
}

// fileList names the changed files of files (name → what a forge says of the file) in order, each
// followed by what note makes of its value, the first ten and then how many more.
func fileList(files map[string]any, note func(v any) string) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	var parts []string
	for i, n := range names {
		if i == 10 {
			parts = append(parts, "and "+itoa(len(names)-10)+" more")
			break
		}
		parts = append(parts, n+note(files[n]))
	}
	return strings.Join(parts, ", ")
}
