package message

// mbsFn adds the long form of a module build state change: why it is in its state (a failed
// build's reason), the modulemd commit it builds, linked to dist-git, and the module's version.
func mbsFn(x *extraction) {
	x.detail("Reason", getString(x.root, "state_reason"))
	if short, page := kojiDistGitCommit(getString(x.root, "scmurl")); short != "" {
		x.detailLink("Commit", short, page)
	}
	x.detail("Version", scalarString(getPath(x.root, "version")))
}
