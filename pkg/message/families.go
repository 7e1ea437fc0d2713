package message

// ruleSpecs is the extraction table, one block per producer family. Paths and topics come from
// the producers' message schemas (and the fedmsg-era shapes still bridged onto the bus); code
// is used only where a path cannot say it; that code lives in family_<app>.go, named for the
// rule's App (see the package comment).
var ruleSpecs = []ruleSpec{
	// --- Koji (buildsys) ---
	{
		Topics: "buildsys.tag buildsys.untag", App: "koji",
		Agent: "user", Users: "owner", RPMs: "name",
		Summary: []string{"{user} {@event}ged {name} into {tag}", "{name} was {@event}ged"},
		Fn:      kojiTagFn,
	},
	{
		Topics: "buildsys.build.state.change", App: "koji",
		Agent: "owner", RPMs: "name",
		Summary: []string{"{@agent}'s koji build {build_id} changed state", "koji build {build_id} changed state"},
		Fn:      kojiBuildFn,
	},
	{
		Topics: "buildsys.task.state.change", App: "koji",
		Agent: "owner",
		Fn:    kojiTaskFn,
	},
	{
		Topics: "buildsys.package.list.change", App: "koji",
		Agent: "owner", RPMs: "package",
		Fn: kojiPackageListFn,
	},
	{
		Topics: "buildsys.rpm.sign", App: "koji",
		Summary: []string{"{rpm.name} was signed with key {sigkey}"},
		Fn:      kojiSignFn,
	},
	{
		Topics: "buildsys.repo.#", App: "koji",
		Fn: kojiRepoFn,
	},
	{Topics: "buildsys.#", App: "koji", Agent: "owner user", Fn: func(x *extraction) { x.url = kojiWeb(x) }},

	// --- Bodhi ---
	{
		Topics: "bodhi.masher.start", App: "bodhi",
		Agent:   "agent",
		Fn:      func(x *extraction) { bodhiMasherPackages(x); bodhiComposeText(x) },
		Summary: []string{"{@agent} started a bodhi push"},
		URL:     []string{bodhiHost},
	},
	{
		Topics: "bodhi.stack.#", App: "bodhi",
		Agent: "agent", Users: "stack.users[]", RPMs: "stack.packages[].name",
		Summary: []string{"{@agent} changed the bodhi stack {stack.name}"},
		Fn:      bodhiStackFn,
	},
	{
		Topics: "bodhi.#", App: "bodhi",
		Agent: "agent",
		Users: "comment.user comment.author update.user update.submitter comment.update.user override.submitter " +
			"artifact.builds[].issuer",
		Fn: bodhi,
		Summary: []string{
			"{@agent} commented on bodhi update {comment.update.alias}",
			"{comment.author} commented on bodhi update {comment.update_title}",
			"bodhi update {update.alias} had a {@event} event ({@packages})",
			"bodhi update {update.title} had a {@event} event",
			"{@agent} caused a bodhi {@event} event",
		},
		URL: []string{
			"{update.url}", "https://bodhi.fedoraproject.org/updates/{update.alias}",
			"{comment.update.url}", "https://bodhi.fedoraproject.org/updates/{comment.update.alias}",
			"https://bodhi.fedoraproject.org/overrides/{override.nvr}",
			"https://bodhi.fedoraproject.org/overrides/{override.build.nvr}",
		},
	},

	// --- Dist-git and Pagure ---
	{
		Topics: "git.receive git.receive.#", Shape: "commit", App: "distgit",
		Agent: "agent commit.agent commit.username",
		Fn:    func(x *extraction) { distgitReceive(x); distgitText(x) },
		Summary: []string{
			"{@agent} pushed to {commit.namespace}/{commit.repo} ({commit.branch})",
			"{@agent} pushed to {commit.repo} ({commit.branch})",
		},
		URL: []string{"https://src.fedoraproject.org/{commit.namespace}/{commit.repo}/c/{commit.rev}"},
	},
	{
		Topics: "git.branch git.branch.# git.lookaside.#", App: "distgit",
		Agent: "agent", RPMs: "name",
		Fn:      func(x *extraction) { distgitBranchPackage(x); distgitText(x) },
		Summary: []string{"{@agent} {@event} {name} {branch}", "{@agent} {@event} {name}"},
	},
	{
		Topics: "git.pkgdb2branch.#", App: "distgit",
		Agent: "agent", RPMs: "branchedPackages[] unbranchedPackages[]",
		Fn: distgitText,
	},
	{Topics: "git.#", App: "distgit", Agent: "agent", Fn: distgitText},
	{
		Topics: "pagure.#", App: "pagure",
		Agent: "agent",
		Fn:    func(x *extraction) { pagure(x); pagureText(x) },
		Summary: []string{
			"{@agent} {@event} on {project.fullname}#{issue.id}: {issue.title}",
			"{@agent} {@event} on {project.name}#{issue.id}: {issue.title}",
			"{@agent} {@event} on {pullrequest.project.fullname}#{pullrequest.id}: {pullrequest.title}",
			"{@agent} {@event} on {pullrequest.project.name}#{pullrequest.id}: {pullrequest.title}",
			"{@agent} {@event} on {pull_request.project.fullname}#{pull_request.id}",
			"{@agent} {@event} on {project.fullname}",
			"{@agent} {@event} on {project.name}",
			"{@agent} {@event} on {repo.fullname}",
			"{@agent} {@event} on {repo.name}",
		},
		URL: []string{"{pullrequest.full_url}", "{issue.full_url}", "{project.full_url}", "{repo.full_url}"},
	},

	// --- Release monitoring ---
	{
		Topics: "anitya.#", App: "anitya",
		Fn: anityaFn,
		Summary: []string{
			"{@agent}: anitya {@event} for the project {project.name}",
			"{@agent}: anitya {@event} for {message.project}",
			"{@agent}: anitya {@event} for the distro {message.distro}",
			"anitya {@event} for the project {project.name}",
			"{@agent}: anitya {@event}",
			"anitya {@event}",
		},
		URL: []string{anityaHost + "/project/{project.id}/", anityaHost},
	},
	{
		Topics: "hotness.#", App: "hotness",
		Fn:      hotnessFn,
		Summary: []string{"the-new-hotness {@event} for {@packages}", "the-new-hotness {@event}"},
		URL:     []string{"{bug.url}", "https://bugzilla.redhat.com/show_bug.cgi?id={bug.bug_id}"},
	},

	// --- Copr ---
	{
		Topics: "copr.#", App: "copr",
		Agent: "user", Users: "owner",
		Summary: []string{"{@agent}'s {copr} copr: {@event}", "copr {@event}"},
		URL:     []string{coprHost},
		Fn:      coprFn,
	},
	// --- Autocloud (before the compose rules, which also match its topics) ---
	{
		Topics: "autocloud.#", App: "autocloud",
		Summary: []string{"autocloud {@event} for {compose_id}", "autocloud {@event}"},
		URL:     []string{autocloudHost + "/"},
		Fn:      autocloudFn,
	},

	// --- Accounts (FAS, noggin) ---
	{
		Topics: "fas.#", Shape: "msg", Root: "msg", App: "fas",
		Agent: "agent", Users: "user", Groups: "group",
		Fn: fasContent,
	},
	{
		Topics: "fas.# noggin.#", App: "fas",
		Agent: "agent", Users: "user", Groups: "group",
		Fn: fasContent,
	},

	// --- Package database ---
	{
		Topics: "pkgdb.#", App: "pkgdb",
		Agent: "agent", Users: "acl.fas_name username",
		Fn:      pkgdbFn,
		Summary: []string{"{@agent}: pkgdb {@event} {@package}", "{@agent}: pkgdb {@event}", "pkgdb {@event}"},
	},

	// --- Badges ---
	{
		Topics: "fedbadges.# badges.#", App: "badges",
		Agent: "user person",
		Fn:    badgesContent,
	},

	// --- Meetings ---
	{
		Topics: "meetbot.#", App: "meetbot",
		Agent: "end_user start_user",
		Users: "attendees.~ attendees[].name chairs.~ chairs[] owner start_user end_user",
		Fn:    func(x *extraction) { x.dropUser("zodbot"); meetbotContent(x) },
	},
	{
		Topics: "fedocal.#", App: "fedocal",
		Agent: "agent",
		Fn:    fedocalContent,
	},

	// --- Wiki ---
	{
		Topics: "wiki.#", App: "wiki",
		Fn: wikiContent,
	},

	// --- Composes and images ---
	{Topics: "compose.#", Agent: "compose.owner", Fn: composeFn,
		Summary: []string{"compose {@event} {compose_id}", "compose {@event}"}},
	{Topics: "pungi.#", Agent: "compose.owner", Fn: pungiFn,
		Summary: []string{"pungi-koji {@event} {compose_id}", "pungi-koji {@event}"}},
	{Topics: "pdc.#", Agent: "compose.owner", Fn: pdcFn,
		Summary: []string{"PDC {@event} {compose_id}", "PDC {@event}"}},
	{Topics: "releng.#", Agent: "compose.owner", Fn: relengFn, Summary: []string{"releng {@event}"}},
	{Topics: "fedimg.#", Agent: "compose.owner", Fn: fedimgFn,
		Summary: []string{"fedimg {@event} for {compose.compose_id}", "fedimg {@event} for {compose_id}", "fedimg {@event}"}},
	// The generic compose rule, as before, for the topics of other families.
	{Topics: "autocloud.# odcs.#", Agent: "compose.owner",
		Summary: []string{"{@event} {compose_id} ({status})", "{@event} {compose.compose_id}", "{@event} {compose_id}"},
		URL:     []string{"{location}", "{compose_url}"}},
	// The All Packages CI pipeline (before the CI rule, which also names its topics).
	{Topics: "allpackages.#", App: "ci", Agent: "username", Fn: allpackagesFn,
		Summary: []string{"{@event} for {repo} ({branch}): {status}", "{@event} for {repo}"},
		URL:     []string{"{build_url}"}},

	// --- Mirrors ---
	{
		// A host's site admins are involved in changes to the host, not in site changes.
		Topics: "mirrormanager.host.#", App: "mirrormanager",
		Agent: "agent", Users: "site.admins[]", Fn: mirrormanagerFn,
		Summary: []string{"{@agent} {@event} {host.name} of site {site.name}", "mirrormanager {@event}"},
		URL:     []string{mirrorsHost},
	},
	{
		Topics: "mirrormanager.#", App: "mirrormanager",
		Agent: "agent", Fn: mirrormanagerFn,
		Summary: []string{"{@agent} {@event} site {site.name}", "mirrormanager {@event}"},
		URL:     []string{mirrorsHost},
	},

	// --- Infrastructure ---
	{Topics: "ansible.#", App: "ansible", Agent: "userid", Fn: ansibleFn,
		Summary: []string{"{@agent}: ansible {@event} {playbook}", "ansible {@event} {playbook}", "ansible {@event}"}},
	{Topics: "infragit.#", App: "infragit", Agent: "commit.username commit.agent", Fn: infragitText},
	{
		Topics: "nagios.#", App: "nagios",
		Fn:      func(x *extraction) { nagiosAckAuthors(x); nagiosFn(x) },
		Summary: []string{"{service} on {host} is {state}", "{host} is {state}", "nagios {@event}"},
	},

	// --- Trac ---
	{
		Topics: "trac.#", App: "trac",
		Agent: "agent", Users: "page.author ticket.owner ticket.reporter commit.username",
		Fn:      func(x *extraction) { tracCC(x); tracText(x) },
		Summary: []string{"{@agent} {@event} ticket #{ticket.id}: {ticket.summary}", "{@agent} {@event} {page.name}"},
	},

	// --- Forges and webhooks ---
	{
		Topics: "github.#", Shape: "fas_usernames", App: "github",
		Fn:      func(x *extraction) { githubAccounts(x); githubText(x) },
		Summary: []string{"{sender.login} {@event} on {repository.full_name}"},
		URL:     []string{"{pull_request.html_url}", "{issue.html_url}", "{compare}", "{repository.html_url}"},
	},
	{
		Topics:  "github.# gitlab.# forgejo.# gitea.#",
		Agent:   "agent",
		Fn:      webhookText,
		Summary: []string{"{@agent} {@event} on {body.repository.full_name}", "{@agent} {@event} on {body.project.path_with_namespace}"},
		URL:     []string{"{body.pull_request.html_url}", "{body.issue.html_url}", "{body.compare}", "{body.repository.html_url}", "{body.object_attributes.url}"},
	},
	// Discourse: who acted depends on the event; on "solved", the acting user (the question's
	// author) is not in the payload, only the solution's author.
	{
		Topics: "discourse.post.#", App: "discourse",
		Agent: "webhook_body.post.username",
		Fn:    discourseContent,
	},
	{
		Topics: "discourse.topic.#", App: "discourse",
		Agent: "webhook_body.topic.created_by.username",
		Fn:    discourseContent,
	},
	{
		Topics: "discourse.#", Shape: "webhook_body.solved", App: "discourse",
		Users: "webhook_body.solved.username",
		Fn:    discourseContent,
	},
	{
		Topics: "discourse.like.#", App: "discourse",
		Agent: "webhook_body.like.user.username", Users: "webhook_body.like.post.username",
		Fn: discourseContent,
	},
	{Topics: "discourse.#", App: "discourse", Fn: discourseContent},

	// --- Bugzilla ---
	{
		Topics: "bugzilla.#", App: "bugzilla",
		Fn:      func(x *extraction) { bugzilla(x); bugzillaText(x) },
		Summary: []string{"{@agent} {@event} RHBZ#{bug.id} {bug.summary}", "RHBZ#{bug.id} {@event}: {bug.summary}"},
		URL:     []string{"{bug.weburl}", "https://bugzilla.redhat.com/show_bug.cgi?id={bug.id}"},
	},

	// --- CI and testing ---
	// Fedora CI (the CI messages spec): the artifact under test and who submitted it.
	{
		Topics: "ci.#", Shape: "artifact.type", App: "ci",
		Users:   "artifact.issuer",
		Fn:      func(x *extraction) { ciSpecArtifacts(x); ciSpecFn(x) },
		Summary: []string{"CI {@event} for {artifact.nvr}", "CI {@event} for {artifact.id}"},
		URL:     []string{"{run.url}", "{run.log}", "{test.docs}"},
	},
	{
		Topics: "ci.# allpackages.# container.# atomic.#", App: "ci",
		Agent:   "username",
		Summary: []string{"{@event} for {repo} ({branch}): {status}", "{@event} for {repo}"},
		URL:     []string{"{build_url}"},
		Fn:      ciLegacyFn,
	},
	{Topics: "openqa.#", App: "openqa", Agent: "user", Summary: []string{"{@agent} {@event} on openQA job {job_id}", "openQA {@event}"},
		Fn: openqaFn},
	{
		Topics: "greenwave.#", App: "greenwave",
		Fn:      func(x *extraction) { greenwaveSubjects(x); greenwaveFn(x) },
		Summary: []string{"greenwave decision for {subject_identifier}: {summary}", "greenwave: {summary}"},
	},
	{Topics: "waiverdb.#", App: "waiverdb", Agent: "username", Summary: []string{"{@agent} waived {testcase}"}, Fn: waiverdbFn},
	{
		Topics: "taskotron.# resultsdb.#", App: "taskotron",
		Fn:      taskotronBuild,
		Summary: []string{"{task.name} {result.outcome} for {task.item}", "{testcase.name} {outcome} for {data.item}"},
		URL:     []string{"{result.log_url}", "{result.job_url}", "{ref_url}"},
	},
	{Topics: "rats.#", App: "rats", Agent: "agent", Summary: []string{"{@agent} requested a test run ({@event})"}, Fn: ratsFn},
	{Topics: "jenkins.#", App: "jenkins", Fn: jenkinsText, Summary: []string{"Jenkins project '{project}' {@event}"}},
	// Koschei's "groups" are its own package groups, not account-system groups.
	{Topics: "koschei.#", App: "koschei", RPMs: "name",
		Summary: []string{"{name}'s koschei status changed from {old} to {new} in {collection}", "koschei {@event} {collection}: {old} → {new}"},
		Fn:      koscheiFn},
	{Topics: "mbs.#", App: "mbs", Agent: "owner", Fn: mbsFn,
		Summary: []string{
			"{@agent}'s module build {name}:{stream} entered the {state_name} state",
			"module build {name}:{stream} entered the {state_name} state",
		},
		URL: []string{mbsHost + "/module-build-service/1/module-builds/{id}"}},
	{Topics: "openscanhub.#", App: "openscanhub", Agent: "owner"},

	// --- Community ---
	{Topics: "fedora_elections.# elections.#", App: "elections", Agent: "agent fas_user",
		Fn: electionsContent},
	// fedora-messaging test bodies of nuancier name the acting user agent_name.
	{Topics: "nuancier.#", App: "nuancier", Agent: "agent agent_name", Users: "candidate.submitter",
		Fn: nuancierContent},
	{Topics: "askbot.#", App: "askbot", Agent: "agent", Users: "newly_mentioned_users[]",
		Fn: askbotContent},
	{Topics: "fmn.#", App: "fmn", Fn: func(x *extraction) { fmnOpenIDAgent(x); fmnContent(x) }},
	{Topics: "fedoratagger.# tagger.#", App: "tagger",
		Agent: "vote.user.username user.username rating.user.username",
		RPMs:  "rating.package.name package.name",
		Fn:    func(x *extraction) { taggerVotedPackages(x); taggerContent(x) }},
	{Topics: "kerneltest.#", App: "kerneltest", Agent: "agent", Users: "test.tester",
		Summary: []string{"{@agent} uploaded kernel test results"},
		Fn:      func(x *extraction) { x.addArtifact(ArtifactRPM, "kernel"); kerneltestFn(x) }},
	{Topics: "irc.# maubot.#", Agent: "agent sender", Users: "recipient",
		Fn: cookieContent},
	{Topics: "summershum.#", App: "summershum", Agent: "original.agent", RPMs: "original.name", Fn: summershumFn,
		Summary: []string{"summershum {@event} for {original.name}", "summershum {@event}"}},
	{Topics: "mdapi.#", App: "mdapi", RPMs: "packages[]", Fn: mdapiFn,
		Summary: []string{"mdapi {@event} {name}", "mdapi {@event}"}},
	{Topics: "faf.#", App: "faf", Users: "maintainers[]", RPMs: "components[]"},
	{Topics: "planet.# fedoracollege.#", Agent: "username"},
	{Topics: "mailman.# mailman3.#", App: "mailman", Fn: mailmanContent},
	{Topics: "datanommer.#"},
}
