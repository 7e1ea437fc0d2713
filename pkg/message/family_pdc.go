package message

import "strings"

// pdcFn describes the Product Definition Center's compose records.
func pdcFn(x *extraction) {
	id := getString(x.root, "compose_id")
	if id == "" {
		return
	}
	x.url = pdcHost + "/rest_api/v1/composes/" + id + "/"
	x.detail("Date", getString(x.root, "compose_date"))
	if n, ok := toInt(getPath(x.root, "compose_respin")); ok && n > 0 {
		x.detail("Respin", itoa(n))
	}
	compose := "the " + id + " compose"
	if t := getString(x.root, "compose_type"); t != "" {
		compose = "the " + id + " " + t + " compose"
	}
	action := getString(x.root, "action")
	if attr := getString(x.root, "attribute"); attr != "" && action == "import" {
		n := scalarString(getPath(x.root, "count"))
		if n != "" {
			n += " "
		}
		x.summary = "PDC imported metadata of " + n + attr + " for " + compose
		return
	}
	done := map[string]string{"create": "created", "update": "updated", "delete": "deleted", "import": "imported"}[action]
	if done == "" {
		done = "changed"
	}
	x.summary = strings.ToUpper(compose[:1]) + compose[1:] + " was " + done + " in the Product Definition Center"
}
