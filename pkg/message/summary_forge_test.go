package message_test

import (
	"testing"

	"fmn/pkg/message"
)

// TestSummaryForgeFamilies checks the sentences and links of the forge families (pagure.io and
// dist-git, the legacy git hooks, GitHub, Forgejo and GitLab webhooks, Trac, Bugzilla and
// Jenkins) on bodies taken from the corpus: each summary names who acted, what happened and to
// what, and each link is the page a person would open.
func TestSummaryForgeFamilies(t *testing.T) {
	t.Parallel()
	cases := []summaryCase{
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
	checkSummaries(t, cases)
}

// TestDetailsForgeFamilies checks the long form of the forge families on bodies taken from the
// corpus: the comment, status and branches of pull requests, tickets and bugs, and the commits,
// files and links of pushes, without repeating the summary.
func TestDetailsForgeFamilies(t *testing.T) {
	t.Parallel()
	cases := []detailCase{
		{
			// A dist-git pull-request comment gives the branches (from the fork), status and the comment.
			name:  "dist-git pull request comment",
			topic: "org.fedoraproject.prod.pagure.pull-request.comment.added",
			body: `{"agent":"mmassari","pullrequest":{"id":31,"title":"Version 1.31","status":"Open","branch":"packit-src-git",` +
				`"branch_from":"1.31-packit-src-git-src-2","comments":[{"id":106021,"comment":"rebased"},` +
				`{"id":109953,"comment":"/packit koji-build","filename":null,"line":null}],` +
				`"project":{"name":"python-teamcity-messages","namespace":"rpms","url_path":"rpms/python-teamcity-messages",` +
				`"full_url":"https://src.fedoraproject.org/rpms/python-teamcity-messages","parent":null},` +
				`"repo_from":{"name":"python-teamcity-messages","namespace":"rpms","url_path":"fork/packit/rpms/python-teamcity-messages",` +
				`"full_url":"https://src.fedoraproject.org/fork/packit/rpms/python-teamcity-messages"}}}`,
			want: []message.Detail{
				{Label: "Branch", Value: "fork/packit/rpms/python-teamcity-messages:1.31-packit-src-git-src-2 → packit-src-git"},
				{Label: "Status", Value: "Open"},
				{Label: "Comment", Value: "/packit koji-build", Text: true},
			},
		},
		{
			// A private ticket's comment stays on pagure: only its status is shown.
			name:  "pagure private ticket comment",
			topic: "io.pagure.prod.pagure.issue.comment.added",
			body: `{"agent":"langdon","project":{"name":"tickets","namespace":"Fedora-Council","parent":null},` +
				`"issue":{"id":79,"title":"Secret","status":"Open","private":true,"comments":[{"id":45749,"comment":"confidential"}]}}`,
			want: []message.Detail{{Label: "Status", Value: "Open"}},
		},
		{
			// A dist-git push links its range of commits to their comparison and says it was forced.
			name:  "dist-git forced push",
			topic: "org.fedoraproject.prod.pagure.git.receive",
			body: `{"agent":"cathay4t","branch":"rawhide","total_commits":2,"forced":true,"changed_files":{"nispor.spec":"M"},` +
				`"start_commit":"a80772d8fdc0","end_commit":"e134a94872e6","old_commit":"04c956ebf012",` +
				`"repo":{"name":"nispor","namespace":"rpms","url_path":"rpms/nispor","full_url":"https://src.fedoraproject.org/rpms/nispor"}}`,
			want: []message.Detail{
				{Label: "Commits", Value: "a80772d8..e134a948", URL: "https://src.fedoraproject.org/rpms/nispor/c/a80772d8fdc0..e134a94872e6"},
				{Label: "Push", Value: "forced (history rewritten)"},
				{Label: "Files", Value: "nispor.spec (M)"},
			},
		},
		{
			// A fedmsg-era dist-git commit gives its files and the rest of its message, not its subject.
			name:  "dist-git commit",
			topic: "org.fedoraproject.prod.git.receive.valgrind.master",
			body: `{"commit":{"username":"mjw","repo":"valgrind","branch":"master","rev":"7a98f80",` +
				`"summary":"Clear CFLAGS.","message":"Clear CFLAGS.\n\nThis is a bit of a hammer.\n",` +
				`"stats":{"files":{"valgrind.spec":{"deletions":2,"insertions":1,"lines":3}}}}}`,
			want: []message.Detail{
				{Label: "Files", Value: "valgrind.spec (+1 −2)"},
				{Label: "Message", Value: "This is a bit of a hammer.", Text: true},
			},
		},
		{
			// A relayed GitHub push of several commits lists each subject with its link.
			name:  "webhook github push",
			topic: "org.fedoraproject.prod.github.push",
			body: `{"agent":"testuser","headers":{},"body":{"ref":"refs/heads/main","forced":false,` +
				`"compare":"https://github.com/o/r/compare/aaa...bbb","repository":{"full_name":"o/r","html_url":"https://github.com/o/r"},` +
				`"commits":[{"id":"1111111111aa","message":"Fix the build\n\nlong text","url":"https://github.com/o/r/commit/1111111111aa"},` +
				`{"id":"2222222222bb","message":"Bump version","url":"javascript:alert(1)"}],` +
				`"head_commit":{"message":"Bump version"}}}`,
			want: []message.Detail{
				{Label: "Commit", Value: "11111111 Fix the build", URL: "https://github.com/o/r/commit/1111111111aa"},
				{Label: "Commit", Value: "22222222 Bump version"},
			},
		},
		{
			// A GitLab merge-request approval gives the branches and whether it can be merged.
			name:  "webhook gitlab merge request",
			topic: "org.fedoraproject.prod.gitlab.merge_request",
			body: `{"agent":"testuser","headers":{},"body":{"object_kind":"merge_request","project":{"path_with_namespace":"s/w"},` +
				`"object_attributes":{"iid":1,"title":"Test","action":"approved","state":"opened","detailed_merge_status":"mergeable",` +
				`"source_branch":"test-branch","target_branch":"main","url":"https://gitlab.com/s/w/-/merge_requests/1"}}}`,
			want: []message.Detail{
				{Label: "Branch", Value: "test-branch → main"},
				{Label: "Status", Value: "opened (mergeable)"},
			},
		},
		{
			// A Bugzilla change gives the status, component, product and the values that changed.
			name:  "bugzilla update",
			topic: "org.fedoraproject.prod.bugzilla.bug.update",
			body: `{"comment":null,"bug":{"id":1301537,"summary":"RuntimeError","component":"python-fedora","product":"Fedora",` +
				`"version":"23","status":"CLOSED","resolution":"UPSTREAM","severity":"unspecified"},` +
				`"event":{"who":"rbean@redhat.com","changes":[{"removed":"NEW","added":"CLOSED","field_name":"status"},` +
				`{"removed":"","added":"UPSTREAM","field_name":"resolution"},{"removed":"","added":"2016-03-28","field_name":"cf_last_closed"}]}}`,
			want: []message.Detail{
				{Label: "Status", Value: "CLOSED UPSTREAM"},
				{Label: "Component", Value: "python-fedora"},
				{Label: "Product", Value: "Fedora 23"},
				{Label: "Changes", Value: "status: NEW → CLOSED; resolution: UPSTREAM"},
			},
		},
		{
			// A Trac ticket update gives the fields that changed and the comment.
			name:  "trac ticket update",
			topic: "org.fedoraproject.prod.trac.ticket.update",
			body: `{"agent":"ralph","comment":"Works again.\r\nThanks","instance":{"project_name":"moksha","base_url":"https://fedorahosted.org/moksha/"},` +
				`"ticket":{"id":249,"status":"reopened","resolution":"","summary":"Test ticket"},"old_values":{"status":"closed","resolution":"wontfix"}}`,
			want: []message.Detail{
				{Label: "Changes", Value: "resolution: wontfix → (none); status: closed → reopened"},
				{Label: "Comment", Value: "Works again.\nThanks", Text: true},
			},
		},
	}
	checkDetails(t, cases)
}
