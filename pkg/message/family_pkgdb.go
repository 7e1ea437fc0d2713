package message

import "strings"

// pkgdb collects packages from the many shapes pkgdb used, typed by their namespace.
func pkgdb(x *extraction) {
	add := func(pkg any, nsKey string, nameKey string) {
		obj, ok := pkg.(map[string]any)
		if !ok {
			return
		}
		ns, _ := obj[nsKey].(string)
		if t := namespaceType(ns); t != "" {
			name, _ := obj[nameKey].(string)
			x.addArtifact(t, name)
		}
	}
	add(getPath(x.root, "package_listing", "package"), "namespace", "name")
	each(getPath(x.root, "package_listings"), func(pl any) { add(getPath(pl, "package"), "namespace", "name") })
	switch p := getPath(x.root, "package").(type) {
	case string:
		if t := namespaceType(getString(x.root, "namespace")); t != "" {
			x.addArtifact(t, p)
		}
	case map[string]any:
		add(p, "namespace", "name")
	}
	add(getPath(x.root, "acl", "packagelist", "package"), "namespace", "name")
	add(getPath(x.root, "info"), "pkg_namespace", "pkg_name")
	add(getPath(x.root, "action", "info"), "pkg_namespace", "pkg_name")
	add(getPath(x.root, "action", "package"), "namespace", "name")
	x.dropUser("orphan")
}

// pkgdbPackage finds the package a pkgdb message is about, as "namespace/name", and the
// branches of the listings it names.
func pkgdbPackage(root any) (pkg string, branches []string) {
	named := func(p any) string {
		switch v := p.(type) {
		case string:
			ns := getString(root, "namespace")
			if ns == "" {
				ns = "rpms"
			}
			return ns + "/" + v
		case map[string]any:
			n, _ := v["name"].(string)
			if n == "" {
				return ""
			}
			ns, _ := v["namespace"].(string)
			if ns == "" {
				ns = "rpms"
			}
			return ns + "/" + n
		}
		return ""
	}
	listing := func(pl any) {
		if b := getString(pl, "collection", "branchname"); b != "" {
			branches = append(branches, b)
		}
		if pkg == "" {
			pkg = named(getPath(pl, "package"))
		}
	}
	if pl := getPath(root, "package_listing"); pl != nil {
		listing(pl)
	}
	each(getPath(root, "package_listings"), listing)
	if pl := getPath(root, "acl", "packagelist"); pl != nil {
		listing(pl)
	}
	if pkg == "" {
		pkg = named(getPath(root, "package"))
	}
	for _, k := range [...][]string{{"info"}, {"action", "info"}} {
		if n := getString(root, append(k, "pkg_name")...); pkg == "" && n != "" {
			ns := getString(root, append(k, "pkg_namespace")...)
			if ns == "" {
				ns = "rpms"
			}
			pkg = ns + "/" + n
		}
	}
	return pkg, branches
}

// pkgdbFn adds to pkgdb's extraction what a person reads: who changed which ACL, branch,
// collection or package, and the package's page.
func pkgdbFn(x *extraction) {
	pkgdb(x)
	r := x.root
	pkg, branches := pkgdbPackage(r)
	if pkg != "" {
		x.url = pkgdbHost + "/package/" + pkg + "/"
	}
	p := &pkgdbEvent{r: r, who: x.userOf(getPath(r, "agent")), user: getString(r, "username"), pkg: pkg, on: pkg}
	if p.who == "" {
		p.who = "someone"
	}
	if len(branches) > 0 {
		p.on += " (" + strings.Join(branches, ", ") + ")"
	}
	ev := strings.TrimPrefix(x.topic, "pkgdb.")
	var s string
	switch {
	case strings.HasPrefix(ev, "acl.") || ev == "owner.update":
		s = p.aclSentence(ev)
	case strings.HasPrefix(ev, "package."):
		s = p.packageSentence(ev)
	default:
		s = p.collectionSentence(ev)
	}
	if strings.Contains(s, "  ") || strings.HasSuffix(s, " ") || strings.Contains(s, "''") ||
		(p.pkg == "" && strings.Contains(s, " of  ")) {
		s = ""
	}
	x.summary = s
	pkgdbDetails(x, ev, branches)
}

// pkgdbEvent is what a pkgdb sentence is made of: the body, who acted, the user the change is
// about, and the package (on is the package with its branches).
type pkgdbEvent struct {
	r                  any
	who, user, pkg, on string
}

// aclSentence describes a change to who may do what on a package (acl.*, owner.update).
func (p *pkgdbEvent) aclSentence(ev string) string {
	r, who, on := p.r, p.who, p.on
	switch ev {
	case "acl.update":
		return who + " changed " + ownerOf(p.user) + " '" + getString(r, "acl") + "' permission on " + on +
			" to '" + getString(r, "status") + "'"
	case "acl.request.toggle":
		return who + " has " + getString(r, "acl_action") + " '" + getString(r, "acl") + "' on " + on
	case "acl.delete":
		return who + " deleted " + ownerOf(getString(r, "acl", "fas_name")) + " " + getString(r, "acl", "acl") +
			" rights from " + on
	case "acl.user.remove":
		return who + " removed " + p.user + " from " + on
	case "owner.update":
		return who + " changed the owner of " + on + " to " + p.user
	}
	return ""
}

// packageSentence describes a change to a package: added, updated, retired, deleted, branched,
// its monitoring flags (package.*).
func (p *pkgdbEvent) packageSentence(ev string) string {
	r, who, pkg, on := p.r, p.who, p.pkg, p.on
	switch ev {
	case "package.new":
		return who + " added the package " + on + " to pkgdb"
	case "package.update":
		return who + " updated " + strings.Join(strs(getPath(r, "fields")), ", ") + " of " + pkg
	case "package.update.status":
		return who + " changed the status of " + on + " from " + getString(r, "prev_status") + " to " + getString(r, "status")
	case "package.delete":
		return who + " deleted the package " + pkg + " from pkgdb"
	case "package.retire":
		verb := getString(r, "retirement")
		if verb == "" {
			verb = "retired"
		}
		return who + " " + verb + " " + on
	case "package.branch.new":
		return who + " created the branch " + getString(r, "package_listing", "collection", "branchname") +
			" for the package " + pkg
	case "package.branch.delete":
		return who + " deleted the " + getString(r, "package_listing", "collection", "branchname") +
			" branch of the package " + pkg
	case "package.branch.request":
		return who + " requested the branch " + getString(r, "collection_to", "branchname") + " for the package " + pkg
	case "package.unretire.request":
		return who + " asked that " + pkg + " be unretired on " + getString(r, "collection", "branchname")
	case "package.koschei.update", "package.monitor.update", "package.critpath.update":
		flag := strings.TrimSuffix(strings.TrimPrefix(ev, "package."), ".update")
		if flag == "critpath" {
			return who + " set the critpath flag of " + on + " to " + pyBool(getPath(r, "critpath"))
		}
		return who + " set the " + flag + " monitoring flag of " + pkg + " to " + pyBool(getPath(r, "status"))
	}
	return ""
}

// collectionSentence describes the changes that are not about one package's ACLs or settings:
// admin requests, the critical path, mass branching and collections.
func (p *pkgdbEvent) collectionSentence(ev string) string {
	r, who := p.r, p.who
	coll := func(k string) string {
		c := getPath(r, k)
		return strings.TrimSpace(getString(c, "name") + " " + getString(c, "version"))
	}
	switch ev {
	case "admin.action.status.update":
		if p.pkg == "" {
			p.pkg, _ = pkgdbPackage(getPath(r, "action"))
		}
		return who + " changed the status of the " + strings.ReplaceAll(getString(r, "action", "action"), ".", " ") +
			" request for " + p.pkg + " from " + getString(r, "old_status") + " to " + getString(r, "new_status")
	case "critpath.update":
		n := 0
		each(getPath(r, "package_listing_ids"), func(any) { n++ })
		if n == 0 {
			return who + " changed the critpath status of some packages"
		}
		verb, prep := "removed", " from"
		if b, _ := getPath(r, "critpath").(bool); b {
			verb, prep = "added", " to"
		}
		return who + " " + verb + " " + itoa(n) + " package listings" + prep + " the critical path"
	case "branch.start":
		return who + " started a branch of " + getString(r, "collection_to", "branchname") + " from " +
			getString(r, "collection_from", "branchname")
	case "branch.complete":
		return ownerOf(who) + " branch of " + getString(r, "collection_to", "branchname") + " from " +
			getString(r, "collection_from", "branchname") + " completed"
	case "collection.new":
		return who + " created a new collection for " + coll("collection")
	case "collection.update":
		return who + " updated fields of the " + coll("collection") + " collection: " +
			strings.Join(strs(getPath(r, "fields")), ", ")
	}
	return ""
}

// pyBool says a JSON boolean as pkgdb's messages did ("True", "False").
func pyBool(v any) string {
	if b, ok := v.(bool); ok {
		if b {
			return "True"
		}
		return "False"
	}
	return scalarString(v)
}

// pkgdbDetails adds the long form of a pkgdb message: the branches, the ACL and its status
// (and the previous status), and a new or requested package's summary and links.
func pkgdbDetails(x *extraction, ev string, branches []string) {
	r := x.root
	x.detail("Branch", strings.Join(branches, ", "))
	if len(branches) == 0 {
		b := getString(r, "collection_to", "branchname")
		if b == "" {
			b = getString(r, "collection", "branchname")
		}
		x.detail("Branch", b)
	}
	acl, status := getString(r, "acl"), getString(r, "status")
	if a := getPath(r, "acl"); acl == "" && a != nil {
		acl, status = getString(a, "acl"), getString(a, "status")
	}
	if s := getString(r, "acl_status"); s != "" {
		status = s
	}
	if s := getString(r, "new_status"); s != "" {
		status = s
	}
	x.detail("ACL", acl)
	x.detail("Status", status)
	prev := getString(r, "prev_status")
	if prev == "" {
		prev = getString(r, "old_status")
	}
	x.detail("Previous", prev)
	if ev == "package.new" || ev == "package.branch.request" || ev == "package.unretire.request" {
		pkg := getPath(r, "package_listing", "package")
		if pkg == nil {
			pkg = getPath(r, "package")
		}
		x.detail("Description", getString(pkg, "summary"))
		for _, k := range [...][2]string{{"Review", "review_url"}, {"Upstream", "upstream_url"}} {
			if u := httpURL(getString(pkg, k[1])); u != "" {
				x.detailLink(k[0], u, u)
			}
		}
	}
}
