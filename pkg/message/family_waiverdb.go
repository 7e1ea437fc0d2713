package message

// waiverdbFn describes a new waiver.
func waiverdbFn(x *extraction) {
	defer waiverdbDetails(x)
	if id := scalarString(getPath(x.root, "id")); id != "" {
		x.url = waiverdbHost + "/api/v1.0/waivers/" + id
	}
	who := x.agent
	if who == "" {
		who = "someone"
	}
	what := ""
	if tc := getString(x.root, "testcase"); tc != "" {
		what = tc
		if item := getString(x.root, "subject_identifier"); item != "" {
			what += " for " + item
		}
	} else if r := scalarString(getPath(x.root, "result_id")); r != "" {
		what = "result " + r
	}
	if what == "" {
		return
	}
	s := who + " waived " + what
	if p := getString(x.root, "product_version"); p != "" {
		s += " (" + p + ")"
	}
	if c := getString(x.root, "comment"); c != "" {
		s += ": \"" + shorten(c, 80) + "\""
	}
	x.summary = s
}

// waiverdbDetails adds a waiver's whole comment and the result it waives.
func waiverdbDetails(x *extraction) {
	if c := getString(x.root, "comment"); !buildSaid(x, c) {
		x.detailText("Comment", c)
	}
	resultsdbDetail(x)
	if getPath(x.root, "waived") == false {
		x.detail("Waived", "no (the waiver was revoked)")
	}
}
