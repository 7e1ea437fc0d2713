package message

import (
	"html"
	"regexp"
	"strings"
)

// discourseInstances names Fedora's Discourse instances.
var discourseInstances = map[string]string{
	"https://discussion.fedoraproject.org": "Fedora Discussion",
	"https://ask.fedoraproject.org":        "Ask Fedora",
}

// discourseContent describes forum events: "awarda created the topic "…" on Ask Fedora", with
// the post's or the topic's page on the instance that sent it.
func discourseContent(x *extraction) {
	defer discourseDetails(x)
	hdr := getPath(x.root, "webhook_headers")
	inst := strings.TrimRight(httpURL(getString(hdr, "X-Discourse-Instance")), "/")
	d := &discourseEvent{inst: inst, site: discourseInstances[inst], body: getPath(x.root, "webhook_body")}
	if d.site == "" {
		d.site = strings.TrimPrefix(strings.TrimPrefix(inst, "https://"), "http://")
	}
	if d.inst == "" {
		d.inst = commDiscourse
	}
	d.typ, d.event = getString(hdr, "X-Discourse-Event-Type"), getString(hdr, "X-Discourse-Event")
	if d.typ == "" || d.event == "" {
		d.typ, d.event, _ = strings.Cut(x.event(), ".")
	}
	if d.site != "" {
		d.on = " on " + d.site
	}
	var s, u string
	switch body := d.body; {
	case has(body, "post"):
		s, u = d.postSentence()
	case has(body, "topic"):
		s, u = d.topicSentence()
	case has(body, "like"):
		s, u = d.likeSentence()
	case has(body, "solved"):
		s, u = d.solvedSentence()
	default:
		name := d.site
		if name == "" {
			name = "Discourse"
		}
		s = name + " sent a " + d.typ + "." + d.event + " event"
	}
	x.summary = s
	x.url = u
}

// discourseEvent is what a Discourse sentence is made of: the instance (its URL, its name and
// " on <name>"), the event's type and name, and the webhook's body.
type discourseEvent struct {
	inst, site, on string
	typ, event     string
	body           any
}

// postURL returns the page of a post (or of its topic), or "".
func (d *discourseEvent) postURL(p any) string {
	slug, id := getString(p, "topic_slug"), commText(p, "topic_id")
	if slug == "" || id == "" {
		return ""
	}
	if n := commText(p, "post_number"); n != "" {
		return d.inst + "/t/" + slug + "/" + id + "/" + n
	}
	return d.inst + "/t/" + slug + "/" + id
}

// postSentence describes a post written, edited, deleted or restored.
func (d *discourseEvent) postSentence() (string, string) {
	p := getPath(d.body, "post")
	who, title := getString(p, "username"), getString(p, "topic_title")
	if who == "" {
		who = "someone"
	}
	inTopic := ""
	if title != "" {
		inTopic = " in the topic " + commQuote(title)
	}
	var s string
	switch d.event {
	case "post_created":
		s = who + " wrote a new post" + d.on + inTopic
	case "post_edited":
		s = who + " edited a post" + d.on + inTopic
	case "post_destroyed":
		s = who + " deleted a post" + d.on + inTopic
	case "post_recovered":
		s = who + " restored a post" + d.on + inTopic
	default:
		s = who + "'s post" + d.on + inTopic + ": " + strings.ReplaceAll(d.event, "_", " ")
	}
	return s, d.postURL(p)
}

// topicSentence describes a topic created, edited, deleted or restored.
func (d *discourseEvent) topicSentence() (string, string) {
	t := getPath(d.body, "topic")
	who, title := getString(t, "created_by", "username"), getString(t, "title")
	if who == "" {
		who = "someone"
	}
	verb := map[string]string{
		"topic_created": "created", "topic_edited": "edited",
		"topic_destroyed": "deleted", "topic_recovered": "restored",
	}[d.event]
	if verb == "" {
		verb = strings.ReplaceAll(d.event, "_", " ")
	}
	s := who + " " + verb + " the topic " + commQuote(title) + d.on
	if slug, id := getString(t, "slug"), commText(t, "id"); slug != "" && id != "" {
		return s, d.inst + "/t/" + slug + "/" + id
	}
	return s, ""
}

// likeSentence describes a post liked.
func (d *discourseEvent) likeSentence() (string, string) {
	l := getPath(d.body, "like")
	p := getPath(l, "post")
	who := getString(l, "user", "username")
	if who == "" {
		who = "someone"
	}
	whose := "a post"
	if a := getString(p, "username"); a != "" {
		whose = a + "'s post"
	}
	return who + " liked " + whose + " in the topic " + commQuote(getString(p, "topic_title")) + d.on, d.postURL(p)
}

// solvedSentence describes a post marked as the solution of its topic.
func (d *discourseEvent) solvedSentence() (string, string) {
	p := getPath(d.body, "solved")
	whose := "a post"
	if a := getString(p, "username"); a != "" {
		whose = a + "'s post"
	}
	return whose + " on the topic " + commQuote(getString(p, "topic_title")) + d.on + " was marked as the solution", d.postURL(p)
}

// commTag matches an HTML tag, to read Discourse's rendered posts as text.
var commTag = regexp.MustCompile(`<[^>]*>`)

// commHTMLText turns a rendered post into text: paragraphs and line breaks become line breaks,
// tags go, entities are decoded.
func commHTMLText(s string) string {
	s = strings.NewReplacer("</p>", "\n\n", "<br>", "\n", "<br/>", "\n", "<br />", "\n").Replace(s)
	return html.UnescapeString(commTag.ReplaceAllString(s, ""))
}

// discourseDetails adds the text of a post (its raw source, else its rendered form as text),
// its category, and a topic's tags.
func discourseDetails(x *extraction) {
	body := getPath(x.root, "webhook_body")
	var p any
	for _, k := range [...]string{"post", "solved"} {
		if p == nil {
			p = getPath(body, k)
		}
	}
	if p != nil {
		text := getString(p, "raw")
		if text == "" {
			text = commHTMLText(getString(p, "cooked"))
		}
		x.detailText("Post", text)
		x.detail("Category", getString(p, "category_slug"))
	}
	if t := getPath(body, "topic"); t != nil {
		x.detail("Tags", strings.Join(strs(getPath(t, "tags")), ", "))
	}
}
