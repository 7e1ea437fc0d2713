package message

// summershumFn describes summershum's ingestion of a lookaside tarball.
func summershumFn(x *extraction) {
	o := getPath(x.root, "original")
	name, file := getString(o, "name"), getString(o, "filename")
	if name == "" || file == "" {
		return
	}
	if md5 := getString(o, "md5sum"); md5 != "" {
		x.url = lookasideHost + name + "/" + file + "/" + md5 + "/" + file
	}
	switch lastWord(x.topic) {
	case "start":
		x.summary = "summershum started working on " + file + " for " + name
	case "complete":
		x.summary = "summershum ingested " + file + " for " + name
	case "fail", "failed":
		x.summary = "summershum failed to ingest " + file + " for " + name
	default:
		x.summary = "summershum " + lastWord(x.topic) + " " + file + " for " + name
	}
}
