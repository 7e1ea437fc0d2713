package message

import "net/url"

// kerneltestFn describes kernel test uploads and new releases.
func kerneltestFn(x *extraction) {
	defer kerneltestDetails(x)
	who := x.agent
	if who == "" {
		who = "someone"
	}
	if v := getString(x.root, "test", "kernel_version"); v != "" {
		x.url = kerneltestHost + "/kernel/" + url.PathEscape(v)
		s := who + " ran a test of kernel " + v
		if r := getString(x.root, "test", "result"); r != "" {
			s += " (" + r + ")"
		}
		x.summary = s
		return
	}
	if n := scalarString(getPath(x.root, "release", "releasenum")); n != "" {
		x.url = kerneltestHost + "/stats"
		s := who + " added release " + n + " to kerneltest"
		if sup := getString(x.root, "release", "support"); sup != "" {
			s += " (" + sup + ")"
		}
		x.summary = s
	}
}

// kerneltestDetails adds the architecture, release and failed tests of a kernel test upload.
func kerneltestDetails(x *extraction) {
	t := getPath(x.root, "test")
	if t == nil {
		return
	}
	x.detail("Failed tests", buildUsable(getString(t, "failed_tests")))
	x.detail("Arch", getString(t, "arch"))
	x.detail("Release", getString(t, "release"))
	if s := getString(t, "testset"); s != "default" {
		x.detail("Test set", s)
	}
}
