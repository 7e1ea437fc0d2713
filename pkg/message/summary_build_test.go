package message_test

import (
	"testing"

	"fmn/pkg/message"
)

// TestSummaryBuildFamilies checks the sentences and links of the build and test families
// (koji, bodhi, copr, CI, openQA, koschei and the gating services) on bodies taken from the
// corpus: each summary names who acted, what happened and to what, and each link is the page
// a person would open.
func TestSummaryBuildFamilies(t *testing.T) {
	t.Parallel()
	cases := []summaryCase{
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
	checkSummaries(t, cases)
}

// TestDetailsBuildFamilies checks the long form of the build and test families: the facts a
// packager acts on (a comment and its karma, an update's gating, a build's failed architecture
// and task, a copr build's results, a test's change and log), in order, none repeating the
// summary.
func TestDetailsBuildFamilies(t *testing.T) {
	t.Parallel()
	cases := []detailCase{
		{
			// A comment gives its text, its karma with the update's total, its feedback and the
			// update's alias (the summary names the builds).
			name:  "bodhi comment",
			topic: "org.fedoraproject.prod.bodhi.update.comment",
			body: `{"comment":{"karma":-1,"karma_critpath":0,"text":"Breaks login.\r\n\r\n\r\nSee the bug.",` +
				`"bug_feedback":[{"bug_id":1234,"karma":-1}],"testcase_feedback":[{"karma":1,"testcase":{"name":"QA:Testcase_base"}}],` +
				`"update":{"alias":"FEDORA-2019-f2d195dada","builds":[{"nvr":"asciinema-1.4.0-2.fc30"}],"status":"testing","request":null,` +
				`"karma":2,"stable_karma":3,"unstable_karma":-3,"user":{"name":"tdawson"}},"user":{"name":"ralph"}}}`,
			want: []message.Detail{
				{Label: "Comment", Value: "Breaks login.\n\nSee the bug.", Text: true},
				{Label: "Karma", Value: "-1, update total +2 (stable at +3, unstable at -3)"},
				{Label: "Bug feedback", Value: "RHBZ#1234 -1"},
				{Label: "Test cases", Value: "QA:Testcase_base +1"},
				{Label: "Update", Value: "FEDORA-2019-f2d195dada", URL: "https://bodhi.fedoraproject.org/updates/FEDORA-2019-f2d195dada"},
				{Label: "Status", Value: "testing"},
			},
		},
		{
			// A fedmsg-era (bodhi 1) comment has no update object, only its title.
			name:  "bodhi 1 comment",
			topic: "org.fedoraproject.prod.bodhi.update.comment",
			body:  `{"comment":{"author":"ralph","karma":1,"text":"works for me","update_title":"foo-1.0-1.fc20"}}`,
			want:  []message.Detail{{Label: "Comment", Value: "works for me", Text: true}, {Label: "Karma", Value: "+1"}},
		},
		{
			// An update that met its requirements says its status, gating and karma.
			name:  "bodhi requirements met",
			topic: "org.fedoraproject.prod.bodhi.update.requirements_met.stable",
			body: `{"update":{"alias":"FEDORA-2018-e1f68e9766","builds":[{"nvr":"python-josepy-1.1.0-1.fc28"}],"status":"testing",` +
				`"request":null,"test_gating_status":"passed","greenwave_summary_string":"all required tests passed","karma":1,` +
				`"stable_karma":1,"unstable_karma":-1,"type":"security","severity":"high","user":{"name":"elyscape"}}}`,
			want: []message.Detail{
				{Label: "Update", Value: "FEDORA-2018-e1f68e9766", URL: "https://bodhi.fedoraproject.org/updates/FEDORA-2018-e1f68e9766"},
				{Label: "Status", Value: "testing"},
				{Label: "Gating", Value: "passed: all required tests passed"},
				{Label: "Karma", Value: "+1 (stable at +1, unstable at -1)"},
				{Label: "Type", Value: "security (severity high)"},
			},
		},
		{
			// An edit lists the builds added and removed and the bugs newly attached.
			name:  "bodhi edit",
			topic: "org.fedoraproject.prod.bodhi.update.edit",
			body: `{"agent":"ralph","new_bugs":[1708925],"new_builds":["tzdata-2014i-1.fc19"],"removed_builds":["tzdata-2014h-1.fc19"],` +
				`"update":{"alias":"FEDORA-2019-7dbbb74a13","builds":[{"nvr":"tzdata-2014i-1.fc19"}],"status":"pending","request":"testing",` +
				`"notes":"New upstream.","user":{"name":"ralph"}}}`,
			want: []message.Detail{
				{Label: "Added builds", Value: "tzdata-2014i-1.fc19"},
				{Label: "Removed builds", Value: "tzdata-2014h-1.fc19"},
				{Label: "Status", Value: "pending (request: testing)"},
				{Label: "New bugs", Value: "RHBZ#1708925", URL: "https://bugzilla.redhat.com/show_bug.cgi?id=1708925"},
				{Label: "Notes", Value: "New upstream.", Text: true},
			},
		},
		{
			// A buildroot override says when it expires and why it was made.
			name:  "bodhi override",
			topic: "org.fedoraproject.prod.bodhi.buildroot_override.tag",
			body:  `{"override":{"nvr":"libxcrypt-4.4.4-2.fc28","expiration_date":"2019-06-20 12:00:00","notes":"for the glibc rebuild","submitter":{"name":"lmacken"}}}`,
			want: []message.Detail{
				{Label: "Expires", Value: "2019-06-20 12:00:00"},
				{Label: "Notes", Value: "for the glibc rebuild", Text: true},
			},
		},
		{
			// A build that did not complete names the architecture that failed, linked to its
			// task, then the build's task, commit, target and every architecture's state.
			name:  "koji build canceled",
			topic: "org.fedoraproject.prod.buildsys.build.state.change",
			body: `{"base_url":"https://koji.fedoraproject.org","build_id":2860061,"name":"prusa-slicer","version":"2.9.4","release":"1.fc44",` +
				`"new":4,"old":0,"owner":"spot","task_id":139004033,"request":["git+https://src.fedoraproject.org/rpms/prusa-slicer.git#ddbac739fc9482082b06028e5606f74c06e1db07","rawhide",{}],` +
				`"task":{"id":139004033,"url":"https://koji.fedoraproject.org/koji/taskinfo?taskID=139004033","children":[` +
				`{"arch":"ppc64le","id":139004156,"method":"buildArch","state":5,"url":"https://koji.fedoraproject.org/koji/taskinfo?taskID=139004156"},` +
				`{"arch":"x86_64","id":139004050,"method":"buildSRPMFromSCM","state":2},{"arch":"x86_64","id":139004153,"method":"buildArch","state":2}]}}`,
			want: []message.Detail{
				{Label: "Failed", Value: "ppc64le (buildArch)", URL: "https://koji.fedoraproject.org/koji/taskinfo?taskID=139004156"},
				{Label: "Task", Value: "139004033", URL: "https://koji.fedoraproject.org/koji/taskinfo?taskID=139004033"},
				{Label: "Commit", Value: "ddbac739fc94", URL: "https://src.fedoraproject.org/rpms/prusa-slicer/c/ddbac739fc9482082b06028e5606f74c06e1db07"},
				{Label: "Target", Value: "rawhide"},
				{Label: "Arch", Value: "ppc64le failed, x86_64 closed"},
			},
		},
		{
			// A failed task gives koji's error and the architecture it was forced to.
			name:  "koji task failed",
			topic: "org.fedoraproject.prod.buildsys.task.state.change",
			body: `{"id":90100954,"method":"build","owner":"koschei","new":"FAILED","srpm":"globus-callout-4.0-1.fc29.src.rpm",` +
				`"info":{"arch":"noarch","parent":90100950,"request":["../globus-callout-4.0-1.fc29.src.rpm","f29",{"scratch":true,"arch_override":"x86_64"}],` +
				`"result":{"faultCode":1,"faultString":"BuildError: error building package (arch x86_64), mock exited with status 1"}}}`,
			want: []message.Detail{
				{Label: "Error", Value: "BuildError: error building package (arch x86_64), mock exited with status 1"},
				{Label: "Arch", Value: "x86_64 (override)"},
				{Label: "Parent", Value: "90100950", URL: "https://koji.fedoraproject.org/koji/taskinfo?taskID=90100950"},
			},
		},
		{
			// A copr build end links the project and the build's results in its chroot.
			name:  "copr build end",
			topic: "org.fedoraproject.prod.copr.build.end",
			body:  `{"status":0,"chroot":"fedora-23-i386","user":"churchyard","copr":"python26","version":"2.6.9-1.fc26","build":450811,"owner":"@python","pkg":"python26"}`,
			want: []message.Detail{
				{Label: "Project", Value: "@python/python26", URL: "https://copr.fedoraproject.org/coprs/g/python/python26/"},
				{
					Label: "Results", Value: "https://copr-be.cloud.fedoraproject.org/results/@python/python26/fedora-23-i386/00450811-python26/",
					URL: "https://copr-be.cloud.fedoraproject.org/results/@python/python26/fedora-23-i386/00450811-python26/",
				},
			},
		},
		{
			// A CentOS CI pipeline result links the pull request tested and names the build and
			// the architecture.
			name:  "ci pipeline pull request",
			topic: "org.centos.prod.ci.pipeline.allpackages-pr.package.test.functional.complete",
			body: `{"status":"SUCCESS","build_url":"https://jenkins.example.org/job/1167/","rev":"PR-105","namespace":"rpms","repo":"python3",` +
				`"branch":"master","nvr":"python3-3.7.3-2.fc31.pr.42","ref":"x86_64"}`,
			want: []message.Detail{
				{Label: "Pull request", Value: "#105", URL: "https://src.fedoraproject.org/rpms/python3/pull-request/105"},
				{Label: "Build", Value: "python3-3.7.3-2.fc31.pr.42"},
				{Label: "Arch", Value: "x86_64"},
			},
		},
		{
			// A Fedora CI result links its log and the koji task under test.
			name:  "fedora ci test complete",
			topic: "org.fedoraproject.prod.ci.koji-build.test.complete",
			body: `{"artifact":{"type":"koji-build","id":114706305,"nvr":"foo-1.0-1.fc40","component":"foo","issuer":"ralph"},` +
				`"run":{"url":"https://ci.example.org/run/1","log":"https://ci.example.org/run/1/log"},` +
				`"system":[{"architecture":"x86_64","os":"fedora-40"}],"pipeline":{"id":"p1","name":"rpminspect"},` +
				`"test":{"category":"static-analysis","namespace":"fedora-ci.koji-build","type":"rpminspect","result":"failed"}}`,
			want: []message.Detail{
				{Label: "Log", Value: "https://ci.example.org/run/1/log", URL: "https://ci.example.org/run/1/log"},
				{Label: "Task", Value: "114706305", URL: "https://koji.fedoraproject.org/koji/taskinfo?taskID=114706305"},
				{Label: "Arch", Value: "x86_64"},
			},
		},
		{
			// A finished openQA job gives its architecture and flavor, links the update it tested
			// and its log.
			name:  "openqa job done",
			topic: "org.fedoraproject.prod.openqa.job.done",
			body: `{"ARCH":"x86_64","BUILD":"Update-FEDORA-2024-0123456789","FLAVOR":"updates-everything-boot-iso","MACHINE":"64bit",` +
				`"TEST":"base_selinux","id":2500000,"result":"failed","remaining":0}`,
			want: []message.Detail{
				{Label: "Arch", Value: "x86_64"},
				{Label: "Flavor", Value: "updates-everything-boot-iso"},
				{Label: "Update", Value: "FEDORA-2024-0123456789", URL: "https://bodhi.fedoraproject.org/updates/FEDORA-2024-0123456789"},
				{
					Label: "Log", Value: "https://openqa.fedoraproject.org/tests/2500000/file/autoinst-log.txt",
					URL: "https://openqa.fedoraproject.org/tests/2500000/file/autoinst-log.txt",
				},
			},
		},
		{
			// Greenwave lists what kept the decision from passing.
			name:  "greenwave no-go",
			topic: "org.fedoraproject.prod.greenwave.decision.update",
			body: `{"subject_type":"koji_build","subject_identifier":"foo-1.0-1.fc40","policies_satisfied":false,"decision_context":"bodhi_update_push_stable",` +
				`"unsatisfied_requirements":[{"testcase":"dist.rpmdeplint","type":"test-result-failed"}],"applicable_policies":["p1"],"summary":"1 of 1 required tests failed"}`,
			want: []message.Detail{
				{Label: "Unsatisfied", Value: "dist.rpmdeplint (failed)"},
				{Label: "Policies", Value: "p1"},
			},
		},
	}
	checkDetails(t, cases)
}
