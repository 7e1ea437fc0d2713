package message_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSummaryForgeFamilies checks the sentences and links of the forge families (pagure.io and
// dist-git, the legacy git hooks, GitHub, Forgejo and GitLab webhooks, Trac, Bugzilla and
// Jenkins) on bodies taken from the corpus: each summary names who acted, what happened and to
// what, and each link is the page a person would open.
func TestSummaryForgeFamilies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		topic    string
		body     string
		contains []string // phrases the summary must contain, in order
		url      string
	}{
		{
			// A pagure.io ticket comment links to the newest comment.
			name:  "pagure issue comment",
			topic: "io.pagure.prod.pagure.issue.comment.added",
			body: `{"agent":"langdon","project":{"name":"tickets","namespace":"Fedora-Council","parent":null},` +
				`"issue":{"id":79,"title":"Have a training period","comments":[{"id":45748},{"id":45749}]}}`,
			contains: []string{"langdon", "commented on ticket", "Fedora-Council/tickets#79", "Have a training period"},
			url:      "https://pagure.io/Fedora-Council/tickets/issue/79#comment-45749",
		},
		{
			// A closed pull request says whether it was merged, with its number and title.
			name:     "pagure pull request merged",
			topic:    "io.pagure.prod.pagure.pull-request.closed",
			body:     `{"agent":"pingou","merged":true,"pullrequest":{"id":7,"title":"test request","project":{"name":"test","parent":null}}}`,
			contains: []string{"pingou", "merged pull request #7 on test", "test request"},
			url:      "https://pagure.io/test/pull-request/7",
		},
		{
			// A push to a dist-git fork links to the fork, on the instance its body names.
			name:  "dist-git push to a fork",
			topic: "org.fedoraproject.prod.pagure.git.receive",
			body: `{"agent":"cathay4t","branch":"rawhide","total_commits":2,"repo":{"name":"nispor","namespace":"rpms",` +
				`"url_path":"fork/packit/rpms/nispor","full_url":"https://src.fedoraproject.org/fork/packit/rpms/nispor",` +
				`"parent":{"name":"nispor","namespace":"rpms"},"user":{"name":"packit"}}}`,
			contains: []string{"cathay4t", "pushed 2 commits to", "fork/packit/rpms/nispor", "(rawhide)"},
			url:      "https://src.fedoraproject.org/fork/packit/rpms/nispor/tree/rawhide",
		},
		{
			// A staging dist-git body keeps its staging host.
			name:  "staging dist-git pull request",
			topic: "org.fedoraproject.stg.pagure.pull-request.new",
			body: `{"agent":"ralph","pullrequest":{"id":3,"title":"Fix the spec","project":{"name":"tzdata","namespace":"rpms",` +
				`"url_path":"rpms/tzdata","full_url":"https://src.stg.fedoraproject.org/rpms/tzdata","parent":null}}}`,
			contains: []string{"ralph", "opened pull request #3 on rpms/tzdata", "Fix the spec"},
			url:      "https://src.stg.fedoraproject.org/rpms/tzdata/pull-request/3",
		},
		{
			// A fedmsg-era dist-git push names the commit subject and links to the commit on its branch.
			name:     "dist-git commit",
			topic:    "org.fedoraproject.prod.git.receive",
			body:     `{"commit":{"username":"spot","repo":"ember","namespace":"tests","branch":"master","rev":"aa2df80","summary":"another missing patch?"}}`,
			contains: []string{"spot", "pushed to tests/ember (master)", "another missing patch?"},
			url:      "https://src.fedoraproject.org/tests/ember/c/aa2df80?branch=master",
		},
		{
			// A lookaside upload links to the file in the lookaside cache.
			name:     "lookaside upload",
			topic:    "org.fedoraproject.prod.git.lookaside.texlive.new",
			body:     `{"agent":"jnovy","md5sum":"dacad98","name":"texlive","filename":"pst.tar.xz"}`,
			contains: []string{"jnovy", "uploaded pst.tar.xz for texlive"},
			url:      "https://src.fedoraproject.org/lookaside/pkgs/texlive/pst.tar.xz/dacad98/pst.tar.xz",
		},
		{
			// A github2fedmsg event names the Fedora account behind the GitHub login.
			name:  "github issue labeled",
			topic: "org.fedoraproject.prod.github.issue.labeled",
			body: `{"action":"labeled","label":{"name":"JS"},"sender":{"login":"ralphbean"},"fas_usernames":{"ralphbean":"ralph"},` +
				`"repository":{"full_name":"fedora-infra/bodhi","html_url":"https://github.com/fedora-infra/bodhi"},` +
				`"issue":{"number":664,"html_url":"https://github.com/fedora-infra/bodhi/issues/664"}}`,
			contains: []string{"ralph", "added label JS to issue #664 on fedora-infra/bodhi"},
			url:      "https://github.com/fedora-infra/bodhi/issues/664",
		},
		{
			// A relayed GitHub pull request reads like the fedmsg-era one.
			name:  "webhook github pull request",
			topic: "org.fedoraproject.prod.github.pull_request",
			body: `{"agent":"testuser","headers":{"x-github-event":"pull_request"},"body":{"action":"opened","number":1,` +
				`"pull_request":{"number":1,"title":"Add a receiver","html_url":"https://github.com/gridhead/test-repo/pull/1"},` +
				`"repository":{"full_name":"gridhead/test-repo","html_url":"https://github.com/gridhead/test-repo"}}}`,
			contains: []string{"testuser", "opened pull request #1 on gridhead/test-repo", "Add a receiver"},
			url:      "https://github.com/gridhead/test-repo/pull/1",
		},
		{
			// A GitLab note links to the comment on its issue.
			name:  "webhook gitlab note",
			topic: "org.fedoraproject.prod.gitlab.note",
			body: `{"agent":"testuser","headers":{},"body":{"object_kind":"note","project":{"path_with_namespace":"sdglitched/w2fm-test"},` +
				`"object_attributes":{"noteable_type":"Issue","url":"https://gitlab.com/sdglitched/w2fm-test/-/issues/1#note_2"},` +
				`"issue":{"iid":1,"title":"Test Issue"}}}`,
			contains: []string{"testuser", "commented on issue #1 on sdglitched/w2fm-test", "Test Issue"},
			url:      "https://gitlab.com/sdglitched/w2fm-test/-/issues/1#note_2",
		},
		{
			// A Forgejo workflow run says how it ended.
			name:  "webhook forgejo action run",
			topic: "org.fedoraproject.prod.forgejo.action_run_failure",
			body: `{"agent":"testuser","headers":{},"body":{"action":"failure","run":{"title":"CI Pipeline","prettyref":"main",` +
				`"html_url":"https://codeberg.org/fedora/w2fm-test/actions/runs/1","repository":{"full_name":"fedora/w2fm-test"}}}}`,
			contains: []string{"testuser's workflow run", "CI Pipeline", "on fedora/w2fm-test", "failed"},
			url:      "https://codeberg.org/fedora/w2fm-test/actions/runs/1",
		},
		{
			// A Trac ticket links to the ticket on its instance.
			name:  "trac ticket reopened",
			topic: "org.fedoraproject.prod.trac.ticket.update",
			body: `{"agent":"ralph","instance":{"project_name":"moksha","base_url":"https://fedorahosted.org/moksha/"},` +
				`"ticket":{"id":249,"status":"reopened","summary":"Test ticket"},"old_values":{"status":"closed"}}`,
			contains: []string{"ralph", "reopened ticket #249 on the moksha trac instance", "Test ticket"},
			url:      "https://fedorahosted.org/moksha/ticket/249",
		},
		{
			// A Bugzilla change lists the fields that changed.
			name:  "bugzilla fields",
			topic: "org.fedoraproject.prod.bugzilla.bug.update",
			body: `{"comment":null,"bug":{"id":1649293,"summary":"SELinux denial","component":"pcp","weburl":null},` +
				`"event":{"who":"lvrabec@redhat.com","changes":[{"field_name":"bug_status"},{"field_name":"component"}]}}`,
			contains: []string{"lvrabec@redhat.com", "updated 'bug_status' and 'component' on RHBZ#1649293", "SELinux denial"},
			url:      "https://bugzilla.redhat.com/show_bug.cgi?id=1649293",
		},
		{
			// A Jenkins result names the project, the outcome and the build.
			name:     "jenkins failed",
			topic:    "org.fedoraproject.prod.jenkins.build.failed",
			body:     `{"project":"fedora-mobile","build":165}`,
			contains: []string{"Jenkins project 'fedora-mobile'", "failed to build", "#165"},
			url:      "https://jenkins.cloud.fedoraproject.org/job/fedora-mobile/165/",
		},
		{
			// An infrastructure push links to the commit on its branch in cgit.
			name:     "infragit push",
			topic:    "org.fedoraproject.prod.infragit.receive",
			body:     `{"commit":{"username":"ralph","rev":"6e7177a","branch":"master","path":"/git/ansible","summary":"Testing again"}}`,
			contains: []string{"ralph", "pushed a commit to the fedora-infra ansible repo (master)", "Testing again"},
			url:      "https://infrastructure.fedoraproject.org/cgit/ansible.git/commit/?h=master&id=6e7177a",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := extract(t, tc.topic, tc.body, nil)
			rest := m.Summary
			for _, want := range tc.contains {
				i := strings.Index(rest, want)
				require.GreaterOrEqual(t, i, 0, "summary %q lacks %q (in order)", m.Summary, want)
				rest = rest[i+len(want):]
			}
			require.Equal(t, tc.url, m.URL)
		})
	}
}
