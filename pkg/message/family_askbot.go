package message

import (
	"net/url"
	"strings"
)

// askbotContent describes Ask Fedora (Askbot) questions and answers, with the question's page.
func askbotContent(x *extraction) {
	defer askbotDetails(x)
	who := x.agent
	if who == "" {
		who = "someone"
	}
	title := getString(x.root, "thread", "title")
	q := "the question " + commQuote(title)
	post := getPath(x.root, "post")
	if post == nil {
		post = getPath(x.root, "instance")
	}
	answer := getString(post, "post_type") == "answer"
	created, _ := getPath(x.root, "created").(bool)
	ev := x.event()
	var s string
	switch {
	case ev == "post.edit" && created && answer:
		s = who + " answered " + q
	case ev == "post.edit" && created:
		s = who + " asked " + q
	case ev == "post.edit" && answer:
		s = who + " updated an answer to " + q
	case ev == "post.edit":
		s = who + " updated " + q
	case ev == "tag.update":
		s = who + " changed the tags of " + q
	case ev == "post.delete" && answer:
		s = who + " deleted an answer to " + q
	case ev == "post.delete":
		s = who + " deleted " + q
	case strings.HasPrefix(ev, "post.flag_offensive."):
		verb := " flagged "
		if strings.HasSuffix(ev, ".delete") {
			verb = " unflagged "
		}
		what := "a question"
		if answer {
			what = "an answer"
		}
		s = who + verb + what + " as offensive"
		if title != "" {
			s += " in " + q
		}
	default:
		s = who + " " + strings.ReplaceAll(ev, ".", " ") + " on " + q
	}
	x.summary = s
	if id := commText(x.root, "topmost_post_id"); id != "" {
		x.url = commAskbot + "/question/" + url.PathEscape(id) + "/"
	}
}

// askbotDetails adds the text of the question or answer and the question's tags.
func askbotDetails(x *extraction) {
	post := getPath(x.root, "post")
	if post == nil {
		post = getPath(x.root, "instance")
	}
	x.detailText("Post", getString(post, "text"))
	x.detail("Tags", strings.Join(strs(getPath(x.root, "thread", "tagnames")), ", "))
}
