package message

import "strings"

// infragitText sets the summary and URL of a push to an infrastructure repository.
func infragitText(x *extraction) {
	c := getPath(x.root, "commit")
	repo := getString(c, "repo")
	if p := strings.TrimSuffix(strings.TrimSuffix(getString(c, "path"), "/"), ".git"); p != "" {
		repo = p[strings.LastIndexByte(p, '/')+1:]
	}
	who := x.forgeWho(getString(c, "username"), getString(c, "email"))
	if repo == "" || who == "" {
		return
	}
	branch := getString(c, "branch")
	x.summary = who + " pushed a commit to the fedora-infra " + repo + " repo"
	if branch != "" {
		x.summary += " (" + branch + ")"
	}
	x.summary += forgeTitled(getString(c, "summary"))
	if rev := getString(c, "rev"); rev != "" && repo != "puppet" {
		x.url = forgeInfraCgit + "/" + repo + ".git/commit/?"
		if branch != "" {
			x.url += "h=" + branch + "&"
		}
		x.url += "id=" + rev
	}
	forgeCommitDetails(x, c)
}
