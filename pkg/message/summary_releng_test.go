package message_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
)

// TestSummaryReleng checks what a person reads for the release engineering, mirror,
// infrastructure and package-metadata families: the facts the summary must say, in order, and
// the page the message links to. The bodies are shortened corpus records.
func TestSummaryReleng(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		topic string
		body  string
		says  []string // fragments the summary contains, in this order
		url   string
	}{
		{
			// A legacy compose phase: the phase, the product, branch and arch, the compose id.
			name:  "compose rsync complete",
			topic: "org.fedoraproject.prod.compose.rawhide.rsync.complete",
			body:  `{"log":"done","branch":"rawhide","arch":"arm","compose_id":"Fedora-Rawhide-20171204.n.0"}`,
			says:  []string{"Completed", "master mirror publication", "Fedora Rawhide (arm) compose", "Fedora-Rawhide-20171204.n.0"},
			url:   "https://kojipkgs.fedoraproject.org/compose/",
		},
		{
			// The body's location wins over the compose root.
			name:  "compose with location",
			topic: "org.fedoraproject.prod.compose.28.complete",
			body: `{"log":"done","branch":"28","arch":"","compose_id":"Fedora-Docker-28-20180126.n.0","short":"Fedora-Docker",` +
				`"location":"https://kojipkgs.fedoraproject.org/compose/Fedora-Docker-28-20180126.n.0"}`,
			says: []string{"Completed Fedora-Docker 28 compose Fedora-Docker-28-20180126.n.0"},
			url:  "https://kojipkgs.fedoraproject.org/compose/Fedora-Docker-28-20180126.n.0",
		},
		{
			// A pungi status change links to the compose directory, not its compose/ subdirectory.
			name:  "pungi terminated",
			topic: "org.fedoraproject.prod.pungi.compose.status.change",
			body: `{"compose_id":"Fedora-24-20151208.n.7","status":"TERMINATED",` +
				`"location":"http://kojipkgs.fedoraproject.org/compose//rawhide/Fedora-24-20151208.n.7/compose"}`,
			says: []string{"compose of Fedora-24-20151208.n.7", "terminated"},
			url:  "http://kojipkgs.fedoraproject.org/compose//rawhide/Fedora-24-20151208.n.7",
		},
		{
			// PDC imports: the count, what was imported, the compose.
			name:  "pdc rpms import",
			topic: "org.fedoraproject.prod.pdc.rpms",
			body:  `{"action":"import","attribute":"rpms","count":207,"compose_id":"Fedora-Rawhide-20160331.n.0","compose_type":"nightly"}`,
			says:  []string{"PDC imported", "207 rpms", "Fedora-Rawhide-20160331.n.0 nightly compose"},
			url:   "https://pdc.fedoraproject.org/rest_api/v1/composes/Fedora-Rawhide-20160331.n.0/",
		},
		{
			// A finished upload names the image, the region and the new image's id.
			name:  "fedimg upload finished",
			topic: "org.fedoraproject.prod.fedimg.image.upload",
			body: `{"image_name":"Fedora-Cloud-Base-24-20160710.0.x86_64","destination":"eu-west-1","status":"completed",` +
				`"extra":{"id":"ami-1234fda","virt_type":"HVM","vol_type":"gp2"}}`,
			says: []string{"Fedora-Cloud-Base-24-20160710.0.x86_64", "finished uploading to eu-west-1", "ami-1234fda"},
		},
		{
			// A mirror host added: the host, the site and who added it.
			name:  "mirrormanager host added",
			topic: "org.fedoraproject.prod.mirrormanager.host.added.v2",
			body: `{"agent":"dummy-user","host":{"id":1,"name":"dummy-host"},` +
				`"site":{"id":1,"name":"dummy-site","admins":["dummy-admin"]}}`,
			says: []string{"dummy-host", "added to site dummy-site", "by dummy-user"},
			url:  "https://admin.fedoraproject.org/mirrormanager/host/1",
		},
		{
			// A nagios recovery: the service, the host and the check's output.
			name:  "nagios recovery",
			topic: "org.fedoraproject.prod.nagios.service.state.change",
			body: `{"service":"mm-publiclist","state":"OK","host":"mm-frontend02.fedoraproject.org","output":"HTTP OK",` +
				`"type":"RECOVERY","service_ack_author":"","host_ack_author":""}`,
			says: []string{"mm-publiclist is back up on mm-frontend02.fedoraproject.org", "HTTP OK"},
			url:  "https://admin.fedoraproject.org/nagios/cgi-bin/status.cgi?navbarsearch=1&host=mm-frontend02.fedoraproject.org",
		},
		{
			// An ansible run: who ran which playbook, relative to the repository.
			name:  "ansible start",
			topic: "org.fedoraproject.prod.ansible.playbook.start",
			body:  `{"userid":"ralph","playbook":"/srv/web/infra/ansible/playbooks/groups/badges-backend.yml"}`,
			says:  []string{"ralph started", "playbooks/groups/badges-backend.yml"},
			url:   "https://infrastructure.fedoraproject.org/cgit/ansible.git/tree/playbooks/groups/badges-backend.yml",
		},
		{
			// pkgdb: who changed whose ACL on which package and branch; the package's page.
			name:  "pkgdb acl update",
			topic: "org.fedoraproject.prod.pkgdb.acl.update",
			body: `{"status":"Awaiting Review","username":"ralph","agent":"ralph","acl":"watchbugzilla",` +
				`"package_listing":{"package":{"name":"python-sh"},"collection":{"branchname":"EL-6"}}}`,
			says: []string{"ralph changed ralph's 'watchbugzilla'", "rpms/python-sh (EL-6)", "Awaiting Review"},
			url:  "https://admin.fedoraproject.org/pkgdb/package/rpms/python-sh/",
		},
		{
			// A new upstream version (fedora-messaging form): project, version, previous one,
			// Fedora package.
			name:  "anitya new version",
			topic: "org.release-monitoring.prod.anitya.project.version.update",
			body: `{"project":{"id":410,"name":"ddrescue","version":"1.27"},"distro":null,"message":{"agent":"anitya",` +
				`"upstream_version":"1.27","old_version":"1.26","packages":[{"package_name":"ddrescue","distro":"Fedora"}],` +
				`"project":{"id":410,"name":"ddrescue"}}}`,
			says: []string{"new version", "ddrescue", "1.27", "1.26", "packaged as"},
			url:  "https://release-monitoring.org/project/410/",
		},
		{
			// A distro change links to the distro list.
			name:  "anitya distro remove",
			topic: "org.release-monitoring.prod.anitya.distro.remove",
			body:  `{"project":null,"message":{"agent":"pingou@fedoraproject.org","distro":"Arch"},"distro":{"name":"Arch"}}`,
			says:  []string{"pingou deleted the distro", "Arch"},
			url:   "https://release-monitoring.org/distros",
		},
		{
			// the-new-hotness filed a bug: the bug and the package.
			name:  "hotness bug filed",
			topic: "org.fedoraproject.prod.hotness.update.bug.file",
			body:  `{"bug":{"bug_id":2128546},"package":"rubygem-haml","trigger":{"msg":{},"topic":"x"}}`,
			says:  []string{"the-new-hotness filed a bug", "RHBZ#2128546", "rubygem-haml"},
			url:   "https://bugzilla.redhat.com/show_bug.cgi?id=2128546",
		},
		{
			// summershum: the tarball and the package; the lookaside link.
			name:  "summershum ingested",
			topic: "org.fedoraproject.prod.summershum.ingest.complete",
			body:  `{"original":{"md5sum":"7d32","name":"goa","agent":"rhughes","filename":"goa-3.11.tar.xz"}}`,
			says:  []string{"summershum ingested goa-3.11.tar.xz for goa"},
			url:   "https://pkgs.fedoraproject.org/lookaside/pkgs/goa/goa-3.11.tar.xz/7d32/goa-3.11.tar.xz",
		},
		{
			// An unknown compose phase still reads as a sentence.
			name:  "compose unknown phase",
			topic: "org.fedoraproject.prod.compose.30.ostree-sync.start",
			body:  `{"log":"start","branch":"30"}`,
			says:  []string{"Started ostree sync for Fedora 30 compose"},
			url:   "https://kojipkgs.fedoraproject.org/compose/",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := message.DecodeAMQP(message.AMQP{RoutingKey: tc.topic, MessageID: "id-1", Body: []byte(tc.body)}, 0)
			require.NoError(t, err)
			message.Extract(&m, nil)
			rest := m.Summary
			for _, frag := range tc.says {
				require.Contains(t, rest, frag, "summary %q", m.Summary)
				rest = rest[strings.Index(rest, frag)+len(frag):]
			}
			require.Equal(t, tc.url, m.URL)
		})
	}
}
