package message

import "strings"

// fmnOpenIDAgent takes the acting user from the OpenID of the legacy fmn messages
// (ralph.id.fedoraproject.org).
func fmnOpenIDAgent(x *extraction) {
	if s := getString(x.root, "openid"); s != "" {
		x.setAgent(strings.Split(s, ".")[0])
	}
}

// fmnContent describes changes to notification settings in fedmsg-era FMN.
func fmnContent(x *extraction) {
	who := x.agent
	if who == "" {
		who = "someone"
	}
	ctx, changed := getString(x.root, "context"), getString(x.root, "changed")
	ev := x.event()
	var s string
	switch {
	case ev == "confirmation.update":
		s = "the " + changed + " of one of " + who + "'s pending " + ctx + " confirmations changed"
	case ev == "rule.update":
		s = who + " updated the " + changed + " on their fmn " + ctx + " rule"
	case ev == "filter.update":
		s = who + " updated the " + changed + " on their fmn " + ctx + " filter"
	case ev == "preference.update" && changed == "enabled":
		s = who + " toggled the flow of their " + ctx + " messages"
	case ev == "preference.update":
		what := map[string]string{"batch_values": "digest options", "details": "delivery details"}[changed]
		if what == "" {
			what = changed
		}
		s = who + " updated their " + ctx + " " + what
	default:
		s = who + " changed their notification settings (" + strings.ReplaceAll(ev, ".", " ") + ")"
	}
	x.summary = strings.Join(strings.Fields(s), " ")
	x.url = commFMN
}
