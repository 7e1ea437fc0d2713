package message

import (
	"net/mail"
	"strings"
)

// mailmanContent takes the sender of a mailing-list post as its agent and describes the post:
// "nim replied to "Re: …" on the devel list", with its page in the archives.
func mailmanContent(x *extraction) {
	defer mailmanDetails(x)
	msg := getPath(x.root, "msg")
	who := ""
	if from := getString(msg, "from"); from != "" {
		if a, err := mail.ParseAddress(from); err == nil {
			x.setAgent(a.Address)
			who = x.agent
			if who == "" {
				who = a.Name
			}
			if who == "" {
				who, _, _ = strings.Cut(a.Address, "@")
			}
		}
	}
	if who == "" {
		who = "someone"
	}
	list := getString(x.root, "mlist", "list_name")
	subj := strings.Join(strings.Fields(getString(msg, "subject")), " ")
	reply := getString(msg, "references") != "" || getString(msg, "in-reply-to") != ""
	switch {
	case list == "":
	case subj != "" && reply:
		x.summary = who + " replied to " + commQuote(subj) + " on the " + list + " list"
	case subj != "":
		x.summary = who + " wrote " + commQuote(subj) + " to the " + list + " list"
	case reply:
		x.summary = who + " replied to a thread on the " + list + " list"
	default:
		x.summary = who + " wrote to the " + list + " list"
	}
	at := strings.TrimSuffix(strings.TrimPrefix(getString(msg, "archived-at"), "<"), ">")
	switch {
	case httpURL(at) != "":
		x.url = at
	case strings.HasPrefix(at, "/"):
		x.url = commLists + at
	}
}

// mailmanDetails adds the list a post went to, linked to its archives, and the post's subject.
func mailmanDetails(x *extraction) {
	list := getString(x.root, "mlist", "list_name")
	link := ""
	at := strings.TrimSuffix(strings.TrimPrefix(getString(x.root, "msg", "archived-at"), "<"), ">")
	if strings.HasPrefix(at, "/") {
		at = commLists + at
	}
	if i := strings.Index(at, "/list/"); i >= 0 && httpURL(at) != "" {
		if j := strings.IndexByte(at[i+len("/list/"):], '/'); j > 0 {
			link = at[:i+len("/list/")+j+1]
		}
	}
	x.detailLink("List", list, link)
	x.detail("Subject", strings.Join(strings.Fields(getString(x.root, "msg", "subject")), " "))
}
