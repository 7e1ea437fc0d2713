package message_test

import (
	"testing"

	"fmn/pkg/message"
)

// TestSummaryCommunityFamilies checks the sentences and links of the community families
// (accounts, calendar, meetings, Discourse, FMN, Askbot, elections, nuancier, tagger, wiki,
// badges, mailing lists and cookies) on bodies taken from the corpus: each summary names who
// acted, what happened and to what, and each link is the page a person would open.
func TestSummaryCommunityFamilies(t *testing.T) {
	t.Parallel()
	cases := []summaryCase{
		{
			// A fedmsg-era group removal names both people and the group, and links to the group.
			name:     "fas group member remove",
			topic:    "org.fedoraproject.stg.fas.group.member.remove",
			body:     `{"group":{"name":"ambassadors"},"user":{"username":"ralph"},"agent":{"username":"toshio"}}`,
			contains: []string{"toshio removed ralph from the ambassadors group"},
			url:      "https://accounts.fedoraproject.org/group/ambassadors/",
		},
		{
			// A noggin account update says how many details changed, of whose account.
			name:     "noggin user update",
			topic:    "org.fedoraproject.prod.fas.user.update",
			body:     `{"msg":{"agent":"dudemcpants","user":"testuser","fields":["firstname","lastname","gpgkeyid"]}}`,
			contains: []string{"dudemcpants edited 3 details", "of testuser's Fedora account"},
			url:      "https://accounts.fedoraproject.org/user/testuser/",
		},
		{
			// A new calendar meeting names the meeting, its date and its calendar, and links to the meeting.
			name:  "fedocal meeting new",
			topic: "org.fedoraproject.prod.fedocal.meeting.new",
			body: `{"agent":"dummy_user","calendar":{"calendar_name":"test_calendar"},"meeting":{"meeting_time_start":"12:00:00",` +
				`"meeting_name":"wat","meeting_id":42,"calendar_name":"awesome","meeting_timezone":"UTC","meeting_date":"2013-09-20"}}`,
			contains: []string{"dummy_user created a new meeting \"wat\"", "2013-09-20", "calendar \"test_calendar\""},
			url:      "https://apps.fedoraproject.org/calendar/meeting/42/",
		},
		{
			// A meeting item quotes its line and links to that line of the meeting's log.
			name:  "meetbot item",
			topic: "org.fedoraproject.prod.meetbot.meeting.item.help",
			body: `{"meeting_topic":"fancytown","attendees":{"lmacken":2,"threebean":2,"zodbot":2},"chairs":{},"topic":"",` +
				`"url":"threebean/2015/threebean.2015-03-17-00.42","details":{"linenum":4,"line":"we need reviewers","nick":"threebean"},` +
				`"owner":"lmacken","channel":"#fedora-meeting"}`,
			contains: []string{"ralph called for help", "\"fancytown\" meeting in #fedora-meeting", "we need reviewers"},
			url:      "https://meetbot.fedoraproject.org/threebean/2015/threebean.2015-03-17-00.42.log.html#l-4",
			agent:    "ralph",
		},
		{
			// A finished Matrix meeting links to its HTML minutes.
			name:  "meetbot complete",
			topic: "org.fedoraproject.prod.meetbot.meeting.complete",
			body: `{"start_user":"dummy-user","end_user":"dudemcpants","location":"#fedora-meeting:fedoraproject.org","meeting_name":"epel",` +
				`"url":"https://meetbot-raw.test/m/epel","logs":[{"log_type":"HTML Minutes","log_url":"https://meetbot-raw.test/m/epel.html"}],` +
				`"attendees":[{"name":"dudemcpants","lines_said":3}],"chairs":["dummy-user"]}`,
			contains: []string{"dudemcpants ended the meeting \"epel\" in #fedora-meeting:fedoraproject.org"},
			url:      "https://meetbot-raw.test/m/epel.html",
		},
		{
			// A Discourse topic names its author, its title and the instance, and links to the topic there.
			name:  "discourse topic created",
			topic: "org.fedoraproject.prod.discourse.topic.topic_created",
			body: `{"webhook_body":{"topic":{"created_by":{"username":"awarda"},"id":31739,"slug":"no-updates","title":"No updates?"}},` +
				`"webhook_headers":{"X-Discourse-Event":"topic_created","X-Discourse-Event-Type":"topic","X-Discourse-Instance":"https://ask.fedoraproject.org"}}`,
			contains: []string{"awarda created the topic \"No updates?\" on Ask Fedora"},
			url:      "https://ask.fedoraproject.org/t/no-updates/31739",
		},
		{
			// A fedora-messaging badge award links to the badge's page.
			name:     "badge award",
			topic:    "org.fedoraproject.prod.badges.badge.award",
			body:     `{"user":{"username":"test","badges_user_id":1},"badge":{"badge_id":"testbadge","name":"TestBadge","description":"d","image_url":"i"}}`,
			contains: []string{"test has been awarded the \"TestBadge\" badge"},
			url:      "https://badges.fedoraproject.org/badge/testbadge",
			agent:    "test",
		},
		{
			// A nuancier test body names its agent agent_name.
			name:     "nuancier agent_name",
			topic:    "org.fedoraproject.prod.nuancier.new",
			body:     `{"agent_name":"dummy-user","thing":{"id":1,"name":"dummy","url":"http://localhost/thing"}}`,
			contains: []string{"dummy-user", "\"dummy\""},
			url:      "http://localhost/thing",
			agent:    "dummy-user",
		},
		{
			// A reply on a mailing list names the sender's account, the subject and the list.
			name:  "mailman reply",
			topic: "org.fedoraproject.dev.mailman.receive",
			body: `{"mlist":{"list_name":"devel"},"msg":{"from":"\"Nicolas Mailhot\" <nicolas.mailhot@laposte.net>",` +
				`"in-reply-to":"<a@b>","references":null,"archived-at":"/list/devel@lists.fedoraproject.org/message/S3PH/","subject":"Re: RFEs"}}`,
			contains: []string{"nim replied to \"Re: RFEs\" on the devel list"},
			url:      "https://lists.fedoraproject.org/archives/list/devel@lists.fedoraproject.org/message/S3PH/",
		},
		{
			// An IRC karma cookie and a Matrix cookie read alike.
			name:     "irc karma",
			topic:    "org.fedoraproject.prod.irc.karma",
			body:     `{"agent":"ralph","recipient":"lmacken","total":36,"vote":1,"channel":"#fedora-apps","line":"lmacken++"}`,
			contains: []string{"ralph gave a karma cookie to lmacken in #fedora-apps"},
			url:      "https://badges.fedoraproject.org/user/lmacken",
		},
		{
			// An election candidate names the candidate and the election, and links to the election.
			name:     "elections candidate",
			topic:    "org.fedoraproject.dev.fedora_elections.candidate.new",
			body:     `{"election":{"alias":"test","shortdesc":"test"},"candidate":{"url":"","name":"Toshio"},"agent":"pingou"}`,
			contains: []string{"pingou added the candidate \"Toshio\" to the election \"test\""},
			url:      "https://admin.fedoraproject.org/voting/about/test",
		},
	}
	checkSummaries(t, cases)
}

// TestDetailsCommunityFamilies checks the long form of the community families: a meeting's
// name, time and description, a meeting item's text, a forum post's text, a mailing-list post's
// list and subject, a badge and what it is for, a group, in order.
func TestDetailsCommunityFamilies(t *testing.T) {
	t.Parallel()
	cases := []detailCase{
		{
			// A calendar meeting: its name and page, when it runs, where, and its description.
			name:  "fedocal meeting new",
			topic: "org.fedoraproject.prod.fedocal.meeting.new",
			body: `{"agent":"dummy_user","calendar":{"calendar_name":"test_calendar"},"meeting":{"meeting_time_start":"12:00:00",` +
				`"meeting_time_stop":"13:30:00","meeting_name":"wat","meeting_id":42,"meeting_date_end":"2013-09-20",` +
				`"meeting_timezone":"UTC","meeting_date":"2013-09-20","meeting_location":"#fedora-meeting","meeting_information":"Agenda:\n- one"}}`,
			want: []message.Detail{
				{Label: "Meeting", Value: "wat", URL: "https://apps.fedoraproject.org/calendar/meeting/42/"},
				{Label: "When", Value: "2013-09-20 12:00–13:30 UTC"},
				{Label: "Location", Value: "#fedora-meeting"},
				{Label: "Description", Value: "Agenda:\n- one", Text: true},
			},
		},
		{
			// A meeting item: the meeting and the item's text.
			name:  "meetbot item",
			topic: "org.fedoraproject.prod.meetbot.meeting.item.agreed",
			body: `{"meeting_topic":"fancytown","url":"threebean/2015/threebean.2015-03-17-00.42",` +
				`"details":{"linenum":4,"line":"ship it on Tuesday","nick":"threebean"},"owner":"lmacken","channel":"#fedora-meeting"}`,
			want: []message.Detail{
				{Label: "Meeting", Value: "fancytown"},
				{Label: "Item", Value: "ship it on Tuesday", Text: true},
			},
		},
		{
			// A finished Matrix meeting: when it ran, and its full log (the link is the minutes).
			name:  "meetbot complete",
			topic: "org.fedoraproject.prod.meetbot.meeting.complete",
			body: `{"start_time":"2023-08-12T20:17:46+0000","start_user":"dummy-user","end_time":"2023-08-12T20:45:59+0000",` +
				`"end_user":"dudemcpants","location":"#fedora-meeting:fedoraproject.org","meeting_name":"epel","url":"https://m.test/epel",` +
				`"logs":[{"log_type":"HTML Minutes","log_url":"https://m.test/epel.html"},{"log_type":"HTML Full Log","log_url":"https://m.test/epel.log.html"}]}`,
			want: []message.Detail{
				{Label: "Meeting", Value: "epel"},
				{Label: "When", Value: "2023-08-12 20:17–20:45 UTC"},
				{Label: "Log", Value: "https://m.test/epel.log.html", URL: "https://m.test/epel.log.html"},
			},
		},
		{
			// A Discourse post gives its text (the rendered form, as text, when the raw one is missing).
			name:  "discourse post",
			topic: "org.fedoraproject.prod.discourse.post.post_created",
			body: `{"webhook_body":{"post":{"username":"darknao","topic_title":"Docs","topic_slug":"docs","topic_id":1,"post_number":3,` +
				`"category_slug":"project","cooked":"<p>Hello &amp; welcome</p><p>Second</p>"}},` +
				`"webhook_headers":{"X-Discourse-Event":"post_created","X-Discourse-Event-Type":"post","X-Discourse-Instance":"https://discussion.fedoraproject.org"}}`,
			want: []message.Detail{
				{Label: "Post", Value: "Hello & welcome\n\nSecond", Text: true},
				{Label: "Category", Value: "project"},
			},
		},
		{
			// A mailing-list post: the list, linked to its archives, and the subject.
			name:  "mailman post",
			topic: "org.fedoraproject.prod.mailman.receive",
			body: `{"mlist":{"list_name":"devel"},"msg":{"from":"a@example.com","subject":"Re:  RFEs",` +
				`"archived-at":"/list/devel@lists.fedoraproject.org/message/S3PH/"}}`,
			want: []message.Detail{
				{Label: "List", Value: "devel", URL: "https://lists.fedoraproject.org/archives/list/devel@lists.fedoraproject.org/"},
				{Label: "Subject", Value: "Re: RFEs"},
			},
		},
		{
			// A badge award: the badge and what it is awarded for.
			name:  "badge award",
			topic: "org.fedoraproject.prod.fedbadges.badge.award",
			body: `{"badge":{"name":"Something on your mind","badge_id":"something-on-your-mind",` +
				`"description":"You have commented on 2 or more bodhi updates."},"user":{"username":"ralph"}}`,
			want: []message.Detail{
				{Label: "Badge", Value: "Something on your mind", URL: "https://badges.fedoraproject.org/badge/something-on-your-mind"},
				{Label: "Description", Value: "You have commented on 2 or more bodhi updates."},
			},
		},
		{
			// An account-system group change names the group, linked to its page.
			name:  "fas sponsor",
			topic: "org.fedoraproject.prod.fas.group.member.sponsor",
			body:  `{"group":{"name":"ambassadors"},"user":{"username":"ralph"},"agent":{"username":"toshio"}}`,
			want:  []message.Detail{{Label: "Group", Value: "ambassadors", URL: "https://accounts.fedoraproject.org/group/ambassadors/"}},
		},
	}
	checkDetails(t, cases)
}
