package message

import (
	"net/url"
	"strings"
)

// Reading a bus topic: its environment and its application.

// StripEnv removes the environment prefix of a topic: org.fedoraproject.prod.bodhi.update.comment
// becomes bodhi.update.comment, io.pagure.prod.pagure.issue.new becomes pagure.issue.new. A topic
// with no environment segment among its first three is returned unchanged.
func StripEnv(topic string) string {
	rest := topic
	for range 3 {
		seg, after, ok := strings.Cut(rest, ".")
		if !ok {
			return topic
		}
		switch seg {
		case "prod", "stg", "stage", "dev":
			if after != "" {
				return after
			}
			return topic
		}
		rest = after
	}
	return topic
}

// HistoryURL is the link to message id in the message history of the web app at base (its
// public URL, without a trailing slash): the page to open for a message whose producer names
// none.
func HistoryURL(base, id string) string {
	return base + "/api/v1/messages/" + url.PathEscape(id)
}

// topicEnv returns the environment a topic names ("prod", "stg", "stage", "dev"), or "".
func topicEnv(topic string) string {
	stripped := StripEnv(topic)
	if stripped == topic {
		return ""
	}
	rest := strings.TrimSuffix(topic, "."+stripped)
	return rest[strings.LastIndexByte(rest, '.')+1:]
}

// AppFromTopic returns the application part of a topic: the segment after the environment for
// org.fedoraproject.{prod,stg,dev}.APP.…, io.pagure.{prod,dev}.pagure.…, and the like; the first
// segment of a bare schema topic otherwise.
func AppFromTopic(topic string) string {
	t := StripEnv(topic)
	app, _, _ := strings.Cut(t, ".")
	return app
}
