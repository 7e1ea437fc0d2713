package message

// The production instances fmn links to where a message's body does not name its own, one
// block per group of families.

// Build and test: koji, bodhi, copr, openQA, koschei, kerneltest, autocloud, ResultsDB,
// WaiverDB and MBS.
const (
	bodhiHost      = "https://bodhi.fedoraproject.org"
	kojiHost       = "https://koji.fedoraproject.org"
	coprHost       = "https://copr.fedoraproject.org"
	coprResults    = "https://copr-be.cloud.fedoraproject.org/results"
	openqaHost     = "https://openqa.fedoraproject.org"
	koscheiHost    = "https://koschei.fedoraproject.org"
	kerneltestHost = "https://apps.fedoraproject.org/kerneltest"
	autocloudHost  = "https://apps.fedoraproject.org/autocloud"
	resultsdbHost  = "https://taskotron.fedoraproject.org/resultsdb"
	waiverdbHost   = "https://waiverdb.fedoraproject.org"
	mbsHost        = "https://mbs.fedoraproject.org"
)

// Release engineering, mirrors, infrastructure and package metadata.
const (
	composeHost   = "https://kojipkgs.fedoraproject.org/compose/"
	pdcHost       = "https://pdc.fedoraproject.org"
	mirrorsHost   = "https://mirrors.fedoraproject.org"
	mirrorAdmin   = "https://admin.fedoraproject.org/mirrormanager"
	nagiosStatus  = "https://admin.fedoraproject.org/nagios/cgi-bin/status.cgi?navbarsearch=1&host="
	ansibleTree   = "https://infrastructure.fedoraproject.org/cgit/ansible.git/tree/"
	pkgdbHost     = "https://admin.fedoraproject.org/pkgdb"
	anityaHost    = "https://release-monitoring.org"
	lookasideHost = "https://pkgs.fedoraproject.org/lookaside/pkgs/"
	downloadHost  = "https://download.fedoraproject.org/pub/"
	atomicStable  = "https://download.fedoraproject.org/pub/alt/atomic/stable/"
)

// Community applications.
const (
	commAccounts  = "https://accounts.fedoraproject.org"
	commCalendar  = "https://apps.fedoraproject.org/calendar"
	commMeetbot   = "https://meetbot.fedoraproject.org"
	commDiscourse = "https://discussion.fedoraproject.org"
	commFMN       = "https://apps.fedoraproject.org/notifications/"
	commAskbot    = "https://ask.fedoraproject.org"
	commElections = "https://admin.fedoraproject.org/voting"
	commNuancier  = "https://apps.fedoraproject.org/nuancier"
	commTagger    = "https://apps.fedoraproject.org/tagger"
	commWiki      = "https://fedoraproject.org/wiki"
	commBadges    = "https://badges.fedoraproject.org"
	commLists     = "https://lists.fedoraproject.org/archives"
)

// Forges and trackers.
const (
	forgePagure     = "https://pagure.io"
	forgeDistgit    = "https://src.fedoraproject.org"
	forgeBugzilla   = "https://bugzilla.redhat.com"
	forgeJenkins    = "https://jenkins.cloud.fedoraproject.org"
	forgeInfraCgit  = "https://infrastructure.fedoraproject.org/cgit"
	forgeHostedCgit = "https://git.fedorahosted.org/cgit"
)
