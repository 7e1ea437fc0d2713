package message_test

import (
	"testing"

	"fmn/pkg/message"
)

// TestSummaryReleng checks what a person reads for the release engineering, mirror,
// infrastructure and package-metadata families: the facts the summary must say, in order, and
// the page the message links to. The bodies are shortened corpus records.
func TestSummaryReleng(t *testing.T) {
	t.Parallel()
	cases := []summaryCase{
		{
			// A legacy compose phase: the phase, the product, branch and arch, the compose id.
			name:     "compose rsync complete",
			topic:    "org.fedoraproject.prod.compose.rawhide.rsync.complete",
			body:     `{"log":"done","branch":"rawhide","arch":"arm","compose_id":"Fedora-Rawhide-20171204.n.0"}`,
			contains: []string{"Completed", "master mirror publication", "Fedora Rawhide (arm) compose", "Fedora-Rawhide-20171204.n.0"},
			url:      "https://kojipkgs.fedoraproject.org/compose/",
		},
		{
			// The body's location wins over the compose root.
			name:  "compose with location",
			topic: "org.fedoraproject.prod.compose.28.complete",
			body: `{"log":"done","branch":"28","arch":"","compose_id":"Fedora-Docker-28-20180126.n.0","short":"Fedora-Docker",` +
				`"location":"https://kojipkgs.fedoraproject.org/compose/Fedora-Docker-28-20180126.n.0"}`,
			contains: []string{"Completed Fedora-Docker 28 compose Fedora-Docker-28-20180126.n.0"},
			url:      "https://kojipkgs.fedoraproject.org/compose/Fedora-Docker-28-20180126.n.0",
		},
		{
			// A pungi status change links to the compose directory, not its compose/ subdirectory.
			name:  "pungi terminated",
			topic: "org.fedoraproject.prod.pungi.compose.status.change",
			body: `{"compose_id":"Fedora-24-20151208.n.7","status":"TERMINATED",` +
				`"location":"http://kojipkgs.fedoraproject.org/compose//rawhide/Fedora-24-20151208.n.7/compose"}`,
			contains: []string{"compose of Fedora-24-20151208.n.7", "terminated"},
			url:      "http://kojipkgs.fedoraproject.org/compose//rawhide/Fedora-24-20151208.n.7",
		},
		{
			// PDC imports: the count, what was imported, the compose.
			name:     "pdc rpms import",
			topic:    "org.fedoraproject.prod.pdc.rpms",
			body:     `{"action":"import","attribute":"rpms","count":207,"compose_id":"Fedora-Rawhide-20160331.n.0","compose_type":"nightly"}`,
			contains: []string{"PDC imported", "207 rpms", "Fedora-Rawhide-20160331.n.0 nightly compose"},
			url:      "https://pdc.fedoraproject.org/rest_api/v1/composes/Fedora-Rawhide-20160331.n.0/",
		},
		{
			// A finished upload names the image, the region and the new image's id.
			name:  "fedimg upload finished",
			topic: "org.fedoraproject.prod.fedimg.image.upload",
			body: `{"image_name":"Fedora-Cloud-Base-24-20160710.0.x86_64","destination":"eu-west-1","status":"completed",` +
				`"extra":{"id":"ami-1234fda","virt_type":"HVM","vol_type":"gp2"}}`,
			contains: []string{"Fedora-Cloud-Base-24-20160710.0.x86_64", "finished uploading to eu-west-1", "ami-1234fda"},
		},
		{
			// A mirror host added: the host, the site and who added it.
			name:  "mirrormanager host added",
			topic: "org.fedoraproject.prod.mirrormanager.host.added.v2",
			body: `{"agent":"dummy-user","host":{"id":1,"name":"dummy-host"},` +
				`"site":{"id":1,"name":"dummy-site","admins":["dummy-admin"]}}`,
			contains: []string{"dummy-host", "added to site dummy-site", "by dummy-user"},
			url:      "https://admin.fedoraproject.org/mirrormanager/host/1",
		},
		{
			// A nagios recovery: the service, the host and the check's output.
			name:  "nagios recovery",
			topic: "org.fedoraproject.prod.nagios.service.state.change",
			body: `{"service":"mm-publiclist","state":"OK","host":"mm-frontend02.fedoraproject.org","output":"HTTP OK",` +
				`"type":"RECOVERY","service_ack_author":"","host_ack_author":""}`,
			contains: []string{"mm-publiclist is back up on mm-frontend02.fedoraproject.org", "HTTP OK"},
			url:      "https://admin.fedoraproject.org/nagios/cgi-bin/status.cgi?navbarsearch=1&host=mm-frontend02.fedoraproject.org",
		},
		{
			// An ansible run: who ran which playbook, relative to the repository.
			name:     "ansible start",
			topic:    "org.fedoraproject.prod.ansible.playbook.start",
			body:     `{"userid":"ralph","playbook":"/srv/web/infra/ansible/playbooks/groups/badges-backend.yml"}`,
			contains: []string{"ralph started", "playbooks/groups/badges-backend.yml"},
			url:      "https://infrastructure.fedoraproject.org/cgit/ansible.git/tree/playbooks/groups/badges-backend.yml",
		},
		{
			// pkgdb: who changed whose ACL on which package and branch; the package's page.
			name:  "pkgdb acl update",
			topic: "org.fedoraproject.prod.pkgdb.acl.update",
			body: `{"status":"Awaiting Review","username":"ralph","agent":"ralph","acl":"watchbugzilla",` +
				`"package_listing":{"package":{"name":"python-sh"},"collection":{"branchname":"EL-6"}}}`,
			contains: []string{"ralph changed ralph's 'watchbugzilla'", "rpms/python-sh (EL-6)", "Awaiting Review"},
			url:      "https://admin.fedoraproject.org/pkgdb/package/rpms/python-sh/",
		},
		{
			// A new upstream version (fedora-messaging form): project, version, previous one,
			// Fedora package.
			name:  "anitya new version",
			topic: "org.release-monitoring.prod.anitya.project.version.update",
			body: `{"project":{"id":410,"name":"ddrescue","version":"1.27"},"distro":null,"message":{"agent":"anitya",` +
				`"upstream_version":"1.27","old_version":"1.26","packages":[{"package_name":"ddrescue","distro":"Fedora"}],` +
				`"project":{"id":410,"name":"ddrescue"}}}`,
			contains: []string{"new version", "ddrescue", "1.27", "1.26", "packaged as"},
			url:      "https://release-monitoring.org/project/410/",
		},
		{
			// A distro change links to the distro list.
			name:     "anitya distro remove",
			topic:    "org.release-monitoring.prod.anitya.distro.remove",
			body:     `{"project":null,"message":{"agent":"pingou@fedoraproject.org","distro":"Arch"},"distro":{"name":"Arch"}}`,
			contains: []string{"pingou deleted the distro", "Arch"},
			url:      "https://release-monitoring.org/distros",
		},
		{
			// the-new-hotness filed a bug: the bug and the package.
			name:     "hotness bug filed",
			topic:    "org.fedoraproject.prod.hotness.update.bug.file",
			body:     `{"bug":{"bug_id":2128546},"package":"rubygem-haml","trigger":{"msg":{},"topic":"x"}}`,
			contains: []string{"the-new-hotness filed a bug", "RHBZ#2128546", "rubygem-haml"},
			url:      "https://bugzilla.redhat.com/show_bug.cgi?id=2128546",
		},
		{
			// summershum: the tarball and the package; the lookaside link.
			name:     "summershum ingested",
			topic:    "org.fedoraproject.prod.summershum.ingest.complete",
			body:     `{"original":{"md5sum":"7d32","name":"goa","agent":"rhughes","filename":"goa-3.11.tar.xz"}}`,
			contains: []string{"summershum ingested goa-3.11.tar.xz for goa"},
			url:      "https://pkgs.fedoraproject.org/lookaside/pkgs/goa/goa-3.11.tar.xz/7d32/goa-3.11.tar.xz",
		},
		{
			// An unknown compose phase still reads as a sentence.
			name:     "compose unknown phase",
			topic:    "org.fedoraproject.prod.compose.30.ostree-sync.start",
			body:     `{"log":"start","branch":"30"}`,
			contains: []string{"Started ostree sync for Fedora 30 compose"},
			url:      "https://kojipkgs.fedoraproject.org/compose/",
		},
	}
	checkSummaries(t, cases)
}

// TestDetailsReleng checks the long form of the release engineering and package-metadata
// families: the versions and project of an upstream release, the bug the-new-hotness filed,
// a compose's id, status and location, a pkgdb ACL's branch, name and status, in order.
func TestDetailsReleng(t *testing.T) {
	t.Parallel()
	cases := []detailCase{
		{
			// A new upstream version (fedora-messaging form): the versions, then the project's
			// homepage and backend.
			name:  "anitya new version",
			topic: "org.release-monitoring.prod.anitya.project.version.update.v2",
			body: `{"project":{"id":6377,"name":"flatpak","homepage":"https://www.flatpak.org","backend":"GitHub","version":"1.0.4"},` +
				`"distro":null,"message":{"agent":"anitya","upstream_versions":["1.0.4"],"old_version":"0.99.3",` +
				`"packages":[{"package_name":"flatpak","distro":"Fedora"}],"project":{"id":6377,"name":"flatpak"}}}`,
			want: []message.Detail{
				{Label: "Version", Value: "1.0.4"},
				{Label: "Previous", Value: "0.99.3"},
				{Label: "Homepage", Value: "https://www.flatpak.org", URL: "https://www.flatpak.org"},
				{Label: "Backend", Value: "GitHub"},
			},
		},
		{
			// A fedmsg-era version update has the versions at the top; an empty previous one is left out.
			name:  "anitya fedmsg version",
			topic: "org.release-monitoring.prod.anitya.project.version.update",
			body: `{"project":{"name":"Accanthis-Std","homepage":"http://arkandis.tuxfamily.org/adffonts.html","id":22,"backend":"custom"},` +
				`"packages":[{"package_name":"adf-accanthis-fonts","distro":"Fedora"}],"old_version":"","upstream_version":"20101124"}`,
			want: []message.Detail{
				{Label: "Version", Value: "20101124"},
				{Label: "Homepage", Value: "http://arkandis.tuxfamily.org/adffonts.html", URL: "http://arkandis.tuxfamily.org/adffonts.html"},
				{Label: "Backend", Value: "custom"},
			},
		},
		{
			// An edit gives each changed field, old to new; a changed homepage is not repeated.
			name:  "anitya project edit",
			topic: "org.release-monitoring.prod.anitya.project.edit",
			body: `{"distro":null,"message":{"agent":"AndrKlitzing","changes":{"homepage":{"new":"https://www.flatpak.org","old":"http://flatpak.org/"},` +
				`"version_url":{"new":null,"old":"flatpak/flatpak-builder"}},"fields":["homepage","version_url"],"project":"flatpak-builder"},` +
				`"project":{"backend":"GitHub","homepage":"https://www.flatpak.org","id":16046,"name":"flatpak-builder"}}`,
			want: []message.Detail{
				{Label: "Homepage", Value: "http://flatpak.org/ → https://www.flatpak.org"},
				{Label: "Version url", Value: "flatpak/flatpak-builder → (none)"},
			},
		},
		{
			// A filed bug: the bug, the anitya project with the versions that triggered it.
			name:  "hotness bug filed",
			topic: "org.fedoraproject.prod.hotness.update.bug.file",
			body: `{"bug":{"bug_id":2128546},"package":"rubygem-haml","trigger":{"topic":"org.release-monitoring.prod.anitya.project.version.update.v2",` +
				`"msg":{"distro":null,"message":{"agent":"anitya","old_version":"6.0.9","packages":[{"distro":"Fedora","package_name":"rubygem-haml"}],` +
				`"upstream_versions":["6.0.10"]},"project":{"backend":"Rubygems","homepage":"http://haml.info/","id":4728,"name":"haml","version":"6.0.10"}}}}`,
			want: []message.Detail{
				{Label: "Bug", Value: "RHBZ#2128546", URL: "https://bugzilla.redhat.com/show_bug.cgi?id=2128546"},
				{Label: "Project", Value: "haml", URL: "https://release-monitoring.org/project/4728/"},
				{Label: "Version", Value: "6.0.10"},
				{Label: "Previous", Value: "6.0.9"},
				{Label: "Homepage", Value: "http://haml.info/", URL: "http://haml.info/"},
				{Label: "Backend", Value: "Rubygems"},
			},
		},
		{
			// A pungi status change: the compose, its status as pungi says it, where it is.
			name:  "pungi status",
			topic: "org.fedoraproject.prod.pungi.compose.status.change",
			body: `{"compose_id":"Fedora-24-20151208.n.7","status":"FINISHED_INCOMPLETE",` +
				`"location":"http://kojipkgs.fedoraproject.org/compose//rawhide/Fedora-24-20151208.n.7/compose"}`,
			want: []message.Detail{
				{Label: "Compose", Value: "Fedora-24-20151208.n.7"},
				{Label: "Status", Value: "FINISHED_INCOMPLETE"},
				{Label: "Location", Value: "http://kojipkgs.fedoraproject.org/compose//rawhide/Fedora-24-20151208.n.7/compose",
					URL: "http://kojipkgs.fedoraproject.org/compose//rawhide/Fedora-24-20151208.n.7/compose"},
			},
		},
		{
			// A legacy compose with an id and a location.
			name:  "compose complete",
			topic: "org.fedoraproject.prod.compose.28.complete",
			body: `{"log":"done","branch":"28","compose_id":"Fedora-Docker-28-20180126.n.0","short":"Fedora-Docker",` +
				`"location":"https://kojipkgs.fedoraproject.org/compose/Fedora-Docker-28-20180126.n.0"}`,
			want: []message.Detail{
				{Label: "Compose", Value: "Fedora-Docker-28-20180126.n.0"},
				{Label: "Location", Value: "https://kojipkgs.fedoraproject.org/compose/Fedora-Docker-28-20180126.n.0",
					URL: "https://kojipkgs.fedoraproject.org/compose/Fedora-Docker-28-20180126.n.0"},
			},
		},
		{
			// A pkgdb ACL change: the branch, the ACL and its new status.
			name:  "pkgdb acl update",
			topic: "org.fedoraproject.prod.pkgdb.acl.update",
			body: `{"status":"Awaiting Review","username":"ralph","agent":"ralph","acl":"watchbugzilla",` +
				`"package_listing":{"package":{"name":"python-sh"},"collection":{"branchname":"EL-6"}}}`,
			want: []message.Detail{
				{Label: "Branch", Value: "EL-6"},
				{Label: "ACL", Value: "watchbugzilla"},
				{Label: "Status", Value: "Awaiting Review"},
			},
		},
		{
			// An ansible run names the hosts it failed on.
			name:  "ansible failures",
			topic: "org.fedoraproject.prod.ansible.playbook.complete",
			body: `{"userid":"ralph","playbook":"playbooks/x.yml","results":{"b.example":{"failures":2,"unreachable":0},` +
				`"a.example":{"failures":0,"unreachable":1},"c.example":{"failures":0,"unreachable":0}}}`,
			want: []message.Detail{{Label: "Failed", Value: "a.example (unreachable), b.example (2 failed)"}},
		},
	}
	checkDetails(t, cases)
}
