package message

// ratsFn describes a request to rerun tests.
func ratsFn(x *extraction) {
	defer resultsdbDetail(x)
	system := lastWord(x.topic)
	who := x.agent
	if who == "" {
		who = "someone"
	}
	test, ident := getString(x.root, "test"), getString(x.root, "identifier")
	switch r := scalarString(getPath(x.root, "result_id")); {
	case ident != "" && test != "":
		x.summary = who + " requested a " + system + " run of " + test + " on " + ident
	case ident != "":
		x.summary = who + " requested a " + system + " run on " + ident
	case r != "":
		x.summary = who + " requested a " + system + " run on resultsdb result " + r
	}
}
