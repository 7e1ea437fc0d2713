package message

import (
	"slices"
	"strings"
)

// mdapi reads the fedmsg-era "differences" (per category and action, lists of tuples whose
// first element is the package, or the last one for file paths).
func mdapi(x *extraction) {
	diffs, ok := getPath(x.root, "differences").(map[string]any)
	if !ok {
		return
	}
	for _, actions := range diffs {
		am, ok := actions.(map[string]any)
		if !ok {
			continue
		}
		for _, details := range am {
			each(details, func(d any) {
				tuple, ok := d.([]any)
				if !ok || len(tuple) == 0 {
					return
				}
				first, _ := tuple[0].(string)
				name := first
				if strings.Contains(first, "/") {
					name, _ = tuple[len(tuple)-1].(string)
				}
				name, _, _ = strings.Cut(name, "(")
				x.addArtifact(ArtifactRPM, name)
			})
		}
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
