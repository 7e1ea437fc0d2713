package message

import (
	"net/url"
	"strings"
)

// greenwaveSubjects adds the packages of the koji builds a decision is about.
func greenwaveSubjects(x *extraction) {
	each(getPath(x.root, "subject"), func(e any) {
		if getString(e, "type") == "koji_build" {
			x.addArtifact(ArtifactRPM, nameFromNVR(getString(e, "item")))
		}
	})
	if getString(x.root, "subject_type") == "koji_build" {
		x.addArtifact(ArtifactRPM, nameFromNVR(getString(x.root, "subject_identifier")))
	}
}

// greenwaveFn describes a gating decision: "greenwave says GO for foo-1.0-1.fc27 in
// bodhi_update_push_stable (fedora-27): all required tests passed".
func greenwaveFn(x *extraction) {
	defer greenwaveDetails(x)
	item := getString(x.root, "subject_identifier")
	typ := getString(x.root, "subject_type")
	if item == "" {
		each(getPath(x.root, "subject"), func(e any) {
			if item == "" {
				item, typ = getString(e, "item"), getString(e, "type")
			}
		})
	}
	if item == "" {
		return
	}
	if typ != "" {
		x.url = resultsdbHost + "/results?item=" + url.QueryEscape(item) + "&type=" + url.QueryEscape(typ)
	}
	sat := getPath(x.root, "policies_satisfied")
	if sat == nil {
		sat = getPath(x.root, "policies_satisified") // the fedmsg-era spelling
	}
	verdict := "NO-GO"
	if sat == true {
		verdict = "GO"
	}
	s := "greenwave says " + verdict + " on " + item
	if c := getString(x.root, "decision_context"); c != "" {
		s += " for " + c
	}
	if p := getString(x.root, "product_version"); p != "" {
		s += " (" + p + ")"
	}
	if sum := getString(x.root, "summary"); sum != "" {
		s += ": " + sum
	}
	x.summary = s
}

// greenwaveDetails adds the requirements a decision found unsatisfied, the policies it applied
// and what the previous decision said.
func greenwaveDetails(x *extraction) {
	var unsat []string
	each(getPath(x.root, "unsatisfied_requirements"), func(r any) {
		tc := getString(r, "testcase")
		if tc == "" {
			return
		}
		why := strings.TrimPrefix(getString(r, "type"), "test-result-")
		if why != "" {
			tc += " (" + why + ")"
		}
		unsat = append(unsat, tc)
	})
	x.detail("Unsatisfied", strings.Join(unsat, ", "))
	x.detail("Policies", buildJoin(getPath(x.root, "applicable_policies"), ", "))
	x.detail("Previously", getString(x.root, "previous", "summary"))
}
