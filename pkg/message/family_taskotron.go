package message

// taskotronBuild adds the package of the koji build a result is about.
func taskotronBuild(x *extraction) {
	if getString(x.root, "task", "type") == "koji_build" {
		x.addArtifact(ArtifactRPM, nameFromNVR(getString(x.root, "task", "item")))
	}
}
