package message

import (
	"net/url"
	"strings"
)

// nagiosAckAuthors adds the people who acknowledged a service's or a host's problem.
func nagiosAckAuthors(x *extraction) {
	for _, k := range [...]string{"service_ack_author", "host_ack_author"} {
		// An OpenID URL such as http://kevin.id.fedoraproject.org/.
		x.addUser(getString(x.root, k))
	}
}

// nagiosFn describes a nagios state change: "proxy04.fedoraproject.org is down", "httpd is
// back up on proxy01", "kevin acknowledged that httpd is having problems on proxy01".
func nagiosFn(x *extraction) {
	host := getString(x.root, "host")
	if host == "" {
		return
	}
	x.url = nagiosStatus + url.QueryEscape(host)
	service := getString(x.root, "service")
	isService := strings.HasPrefix(x.topic, "nagios.service.")
	kind := strings.ToUpper(getString(x.root, "type"))
	state := strings.ToUpper(getString(x.root, "state"))
	subject, on := host, ""
	if isService {
		if service == "" {
			service = "a service"
		}
		subject, on = service, " on "+host
	}
	out := ""
	if o := getString(x.root, "output"); o != "" {
		out = ": \"" + o + "\""
	}
	switch {
	case strings.HasPrefix(kind, "ACKNOWLEDGEMENT"):
		who := x.agent
		for _, k := range [...]string{"service_ack_author", "host_ack_author"} {
			if who == "" {
				who = x.userOf(getString(x.root, k))
			}
		}
		if who == "" {
			who = "someone"
		}
		x.summary = who + " acknowledged that " + subject + " is having problems" + on + out
		return
	case kind == "RECOVERY" || state == "OK" || state == "UP":
		x.summary = subject + " is back up" + on + out
		return
	case strings.HasPrefix(kind, "FLAPPING"):
		x.summary = subject + " is flapping" + on + out
		return
	case strings.HasPrefix(kind, "DOWNTIME"):
		x.summary = "scheduled downtime " + strings.ToLower(strings.TrimPrefix(kind, "DOWNTIME")) + " for " + subject + on
		return
	}
	word := map[string]string{"CRITICAL": "down", "DOWN": "down", "UNREACHABLE": "unreachable",
		"WARNING": "in a warning state", "UNKNOWN": "in an unknown state"}[state]
	if word == "" {
		word = strings.ToLower(state)
	}
	if word == "" {
		word = "having problems"
	}
	x.summary = subject + " is " + word + on + out
}
