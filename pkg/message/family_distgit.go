package message

import "strings"

// namespaceType maps a dist-git namespace to an artifact type ("" for namespaces that hold no
// artifacts, such as tests).
func namespaceType(ns string) ArtifactType {
	switch ns {
	case "rpms", "rpms-checks", "":
		return ArtifactRPM
	case "container", "containers", "docker":
		return ArtifactContainer
	case "modules":
		return ArtifactModule
	case "flatpaks":
		return ArtifactFlatpak
	}
	return ""
}

// distgitReceive adds the repository a push went to, typed by its namespace (the legacy
// topics name it only in the topic).
func distgitReceive(x *extraction) {
	c := getPath(x.root, "commit")
	if t := namespaceType(getString(c, "namespace")); t != "" {
		repo := getString(c, "repo")
		if repo == "" {
			repo = repoFromTopic(x.topic, "git.receive.")
		}
		x.addArtifact(t, repo)
	}
}

// distgitBranchPackage adds the package of a legacy branch message that names it only in its
// topic (git.branch.<repo>.<branch>).
func distgitBranchPackage(x *extraction) {
	if !has(x.root, "name") {
		x.addArtifact(ArtifactRPM, repoFromTopic(x.topic, "git.branch."))
	}
}

// repoFromTopic reads the repository from a legacy dist-git topic: <prefix><repo>.<branch>.
func repoFromTopic(topic, prefix string) string {
	if rest, ok := strings.CutPrefix(topic, prefix); ok {
		if i := strings.LastIndexByte(rest, '.'); i > 0 {
			return rest[:i]
		}
	}
	return ""
}

// distgitNamespace reports whether ns is one of dist-git's namespaces, which tells a dist-git
// project from a pagure.io one when the body carries no URL.
func distgitNamespace(ns string) bool {
	switch ns {
	case "rpms", "rpms-checks", "modules", "container", "containers", "docker", "flatpaks", "tests":
		return true
	}
	return false
}

// distgitText sets the summary and URL of a dist-git message of the fedmsg-era hooks (pushes,
// branches, lookaside uploads, mass branching).
func distgitText(x *extraction) {
	r := x.root
	ev := strings.TrimPrefix(x.topic, "git.")
	agent := x.forgeWho(getString(r, "agent"))
	switch {
	case ev == "receive" || strings.HasPrefix(ev, "receive."):
		c := getPath(r, "commit")
		repo := getString(c, "repo")
		if repo == "" {
			repo = repoFromTopic(x.topic, "git.receive.")
		}
		ns := getString(c, "namespace")
		branch := getString(c, "branch")
		who := x.forgeWho(getString(c, "username"), getString(c, "email"), getString(c, "name"))
		if repo == "" || who == "" {
			return
		}
		where := repo
		if ns != "" {
			where = ns + "/" + repo
		}
		x.summary = who + " pushed to " + where
		if branch != "" {
			x.summary += " (" + branch + ")"
		}
		x.summary += forgeTitled(getString(c, "summary"))
		if u := httpURL(getString(c, "url")); u != "" {
			x.url = u
		} else if rev := getString(c, "rev"); rev != "" {
			if ns == "" {
				ns = "rpms"
			}
			x.url = forgeDistgit + "/" + ns + "/" + repo + "/c/" + rev
			if branch != "" {
				x.url += "?branch=" + branch
			}
		}
		forgeCommitDetails(x, c)
	case ev == "branch" || strings.HasPrefix(ev, "branch."):
		repo, branch := getString(r, "name"), getString(r, "branch")
		if repo == "" {
			if rest, ok := strings.CutPrefix(x.topic, "git.branch."); ok {
				if i := strings.LastIndexByte(rest, '.'); i > 0 {
					repo, branch = rest[:i], rest[i+1:]
				}
			}
		}
		ns := getString(r, "namespace")
		if ns == "" {
			ns = "rpms"
		}
		if repo == "" || branch == "" {
			return
		}
		x.summary = strings.TrimSpace(agent + " created branch '" + branch + "' for the '" + repo + "' package")
		x.url = forgeDistgit + "/" + ns + "/" + repo + "/commits/" + branch
	case strings.HasPrefix(ev, "lookaside."):
		name, file := getString(r, "name"), getString(r, "filename")
		if name == "" || file == "" {
			return
		}
		x.summary = strings.TrimSpace(agent + " uploaded " + file + " for " + name)
		path := getString(r, "path")
		if path == "" {
			if sum := getString(r, "md5sum"); sum != "" {
				path = name + "/" + file + "/" + sum + "/" + file
			}
		}
		if path != "" {
			x.url = forgeDistgit + "/lookaside/pkgs/" + strings.TrimPrefix(path, "/")
		}
	case ev == "mass_branch.start":
		x.summary = strings.TrimSpace(agent + " started a mass branch")
	case ev == "mass_branch.complete":
		x.summary = "mass branch started by " + agent + " completed"
	case ev == "pkgdb2branch.start":
		x.summary = strings.TrimSpace(agent + " started a run of pkgdb2branch")
	case ev == "pkgdb2branch.complete":
		x.summary = "run of pkgdb2branch started by " + agent + " completed"
		switch n := len(forgeStrings(getPath(r, "unbranchedPackages"))); n {
		case 0:
		case 1:
			x.summary += " with 1 error"
		default:
			x.summary += " with " + itoa(n) + " errors"
		}
		if b := forgeStrings(getPath(r, "branchedPackages")); len(b) > 0 && len(b) <= 3 {
			x.summary += " (branched " + series(b) + ")"
		} else if len(b) > 3 {
			x.detail("Branched", strings.Join(b, ", "))
		}
		x.detail("Not branched", strings.Join(forgeStrings(getPath(r, "unbranchedPackages")), ", "))
	}
}
