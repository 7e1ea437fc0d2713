package message_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSummaryBuildFamilies checks the sentences and links of the build and test families
// (koji, bodhi, copr, CI, openQA, koschei and the gating services) on bodies taken from the
// corpus: each summary names who acted, what happened and to what, and each link is the page
// a person would open.
func TestSummaryBuildFamilies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		topic    string
		body     string
		contains []string // words the summary must contain, in order
		url      string
		agent    string // when set, the agent extraction must find
		pkgs     []string
	}{
		{
			// A failed scratch build task names the srpm and the target.
			name:  "koji task failed",
			topic: "org.fedoraproject.prod.buildsys.task.state.change",
			body: `{"old":"OPEN","method":"build","owner":"ralph","srpm":"foo-1.0-1.fc20.src.rpm","new":"FAILED","id":6380373,` +
				`"info":{"request":["cli-build/foo-1.0-1.fc20.src.rpm","epel7-candidate",{"scratch":true}],"id":10177586}}`,
			contains: []string{"ralph's", "scratch build of foo-1.0-1.fc20.src.rpm", "for epel7-candidate", "failed"},
			url:      "https://koji.fedoraproject.org/koji/taskinfo?taskID=6380373",
		},
		{
			// A secondary-architecture hub links to its own web UI.
			name:     "koji repo done on arm",
			topic:    "org.fedoraproject.prod.buildsys.repo.done",
			body:     `{"instance":"arm"}`,
			contains: []string{"repo", "done", "(arm)"},
			url:      "https://arm.koji.fedoraproject.org/koji",
		},
		{
			// A body that names its hub (base_url) links there, staging included.
			name:     "koji build on the staging hub",
			topic:    "org.fedoraproject.stg.buildsys.build.state.change",
			body:     `{"base_url":"https://koji.stg.fedoraproject.org","instance":"primary","name":"tzdata","version":"2024a","release":"1.fc40","owner":"ralph","new":1,"build_id":7}`,
			contains: []string{"ralph's", "tzdata-2024a-1.fc40", "completed"},
			url:      "https://koji.stg.fedoraproject.org/koji/buildinfo?buildID=7",
		},
		{
			// A tagging says whose build, into which tag and by whom.
			name:     "koji untag",
			topic:    "org.fedoraproject.prod.buildsys.untag",
			body:     `{"release":"2.fc16","tag":"f16-updates-pending","name":"globus","version":"1.5","user":"bodhi","owner":"ralph","tag_id":216}`,
			contains: []string{"ralph's", "globus-1.5-2.fc16", "untagged from f16-updates-pending", "by bodhi"},
			url:      "https://koji.fedoraproject.org/koji/taginfo?tagID=216",
		},
		{
			// A signature is about the build's package and its owner, not the sub-package.
			name:  "koji rpm sign",
			topic: "org.fedoraproject.prod.buildsys.rpm.sign",
			body: `{"build":{"id":966549,"name":"template-glib","nvr":"template-glib-3.25.92-1.fc28","owner_name":"yaneti"},"instance":"primary",` +
				`"rpm":{"arch":"ppc64","build_id":966549,"name":"template-glib-debuginfo","release":"1.fc28","version":"3.25.92"},"sigkey":"9db62fb1"}`,
			contains: []string{"yaneti's", "template-glib-debuginfo-3.25.92-1.fc28.ppc64", "signed", "9db62fb1"},
			url:      "https://koji.fedoraproject.org/koji/buildinfo?buildID=966549",
			agent:    "yaneti",
			pkgs:     []string{"template-glib"},
		},
		{
			// A request names the actor, the owner's update and the target.
			name:     "bodhi request testing",
			topic:    "org.fedoraproject.prod.bodhi.update.request.testing",
			body:     `{"agent":"lmacken","update":{"alias":"FEDORA-2019-f1ca3c00e5","user":{"name":"hadess"},"builds":[{"nvr":"gnome-settings-daemon-3.6.1-1.fc18"}]}}`,
			contains: []string{"lmacken submitted hadess's update FEDORA-2019-f1ca3c00e5", "gnome-settings-daemon-3.6.1-1.fc18", "to testing"},
			url:      "https://bodhi.fedoraproject.org/updates/FEDORA-2019-f1ca3c00e5",
		},
		{
			// A comment carries its karma.
			name:     "bodhi comment with karma",
			topic:    "org.fedoraproject.prod.bodhi.update.comment",
			body:     `{"comment":{"karma":-1,"text":"no","update":{"alias":"FEDORA-EPEL-2019-f2d195dada","builds":[{"nvr":"asciinema-1.4.0-2.el7"}],"user":{"name":"tdawson"}},"user":{"name":"ralph"}}}`,
			contains: []string{"ralph commented", "asciinema-1.4.0-2.el7", "karma -1"},
			url:      "https://bodhi.fedoraproject.org/updates/FEDORA-EPEL-2019-f2d195dada",
		},
		{
			// An erratum is published on behalf of the update's owner.
			name:     "bodhi errata publish",
			topic:    "org.fedoraproject.prod.bodhi.errata.publish",
			body:     `{"subject":"[SECURITY] Fedora 40 Update: tzdata-2024a-1.fc40","update":{"title":"tzdata-2024a-1.fc40","alias":"FEDORA-2024-1","user":{"name":"ralph"}}}`,
			contains: []string{"tzdata-2024a-1.fc40"},
			url:      "https://bodhi.fedoraproject.org/updates/FEDORA-2024-1",
			agent:    "ralph",
		},
		{
			// A repository sync says which release reached the mirrors and links to it.
			name:     "bodhi epel sync",
			topic:    "org.fedoraproject.prod.bodhi.updates.epel.sync",
			body:     `{"deleted":"74","release":"7","bytes":"505 MiB","repo":"epel-testing"}`,
			contains: []string{"EPEL 7", "epel-testing", "synced", "505 MiB"},
			url:      "https://download.fedoraproject.org/pub/epel/testing/7/",
		},
		{
			// A copr build end gives the package, the chroot and the outcome; group projects
			// link under /g/.
			name:     "copr build end",
			topic:    "org.fedoraproject.prod.copr.build.end",
			body:     `{"status":0,"chroot":"fedora-23-i386","user":"churchyard","copr":"python26","version":"2.6.9-1.fc26","build":450811,"owner":"@python","pkg":"python26"}`,
			contains: []string{"churchyard's", "python26 copr build of python26-2.6.9-1.fc26", "fedora-23-i386", "failed"},
			url:      "https://copr.fedoraproject.org/coprs/g/python/python26/build/450811/",
		},
		{
			// A CentOS CI pipeline result names the change, the package, the stage and the outcome.
			name:  "ci pipeline functional tests",
			topic: "org.centos.prod.ci.pipeline.allpackages-pr.package.test.functional.complete",
			body: `{"status":"SUCCESS","build_url":"https://jenkins.example.org/job/1167/","rev":"PR-105","namespace":"rpms","repo":"python3",` +
				`"branch":"master"}`,
			contains: []string{"Pull request 105", "rpms/python3", "passed its functional tests", "All Packages (PR) CI pipeline", "master"},
			url:      "https://jenkins.example.org/job/1167/",
		},
		{
			// An openQA comment links to the job's comments.
			name:     "openqa comment",
			topic:    "org.fedoraproject.prod.openqa.comment.create",
			body:     `{"id":1,"job_id":15052,"text":"test comment","user":"perci"}`,
			contains: []string{"perci created comment #1 on openQA job 15052", "test comment"},
			url:      "https://openqa.fedoraproject.org/tests/15052#comments",
		},
		{
			// Koschei says the package's builds started failing, and where.
			name:     "koschei package failing",
			topic:    "org.fedoraproject.prod.koschei.package.state.change",
			body:     `{"name":"rnv","old":"ok","new":"failing","koji_instance":"primary","collection":"f22","collection_name":"Fedora 22"}`,
			contains: []string{"rnv's builds started to fail in Fedora 22"},
			url:      "https://koschei.fedoraproject.org/package/rnv?collection=f22",
		},
		{
			// Greenwave gives the verdict, the subject and the decision context.
			name:  "greenwave decision",
			topic: "org.fedoraproject.prod.greenwave.decision.update",
			body: `{"policies_satisfied":true,"decision_context":"bodhi_update_push_stable","product_version":"fedora-27",` +
				`"subject":[{"item":"libmtp-1.1.14-1.fc27","type":"koji_build"}],"summary":"all required tests passed"}`,
			contains: []string{"GO", "libmtp-1.1.14-1.fc27", "bodhi_update_push_stable", "all required tests passed"},
			url:      "https://taskotron.fedoraproject.org/resultsdb/results?item=libmtp-1.1.14-1.fc27&type=koji_build",
		},
		{
			// An autocloud compose run links to its job.
			name:     "autocloud compose complete",
			topic:    "org.fedoraproject.prod.autocloud.compose.complete",
			body:     `{"status":"completed","release":"24","results":{"failed":0,"success":6},"compose_job_id":37,"id":"Fedora-24-20160419.n.1"}`,
			contains: []string{"Fedora-24-20160419.n.1", "completed", "6 passed"},
			url:      "https://apps.fedoraproject.org/autocloud/jobs/37",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := extract(t, tc.topic, tc.body, nil)
			rest := m.Summary
			for _, w := range tc.contains {
				require.Contains(t, rest, w, "summary %q", m.Summary)
				_, rest, _ = strings.Cut(rest, w)
			}
			require.Equal(t, tc.url, m.URL)
			if tc.agent != "" {
				require.Equal(t, tc.agent, m.Agent)
			}
			if tc.pkgs != nil {
				require.Equal(t, tc.pkgs, m.Packages())
			}
		})
	}
}
