// Package composecheck checks a docker-compose.yml for what would make a deployment unsafe on the
// internet: a secret with a default or a literal value, a port published beyond a loopback
// default, a development tool outside the dev profile, RabbitMQ's guest user. Its test runs the
// checks on the repository's docker-compose.yml, standing in for `docker compose config` where
// Docker is not installed.
package composecheck

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DevProfile is the profile of the services meant for a trial on one machine.
const DevProfile = "dev"

// Publishers are the only services outside the dev profile that may publish ports: the web app
// and the backend's /stream.
func Publishers() []string { return []string{"web", "backend"} }

// DevTools are the services that must run in the dev profile only: the mail catcher, the IRC
// server and a development OpenID provider. Each must exist but the OpenID provider.
func DevTools() []string { return []string{"mailpit", "ircd", "oidc"} }

// File is the part of a compose file the checks read.
type File struct {
	Services map[string]Service `yaml:"services"`
}

// Service is the part of a service the checks read.
type Service struct {
	Image       string      `yaml:"image"`
	Profiles    []string    `yaml:"profiles"`
	Ports       []Port      `yaml:"ports"`
	Environment Environment `yaml:"environment"`
	DependsOn   DependsOn   `yaml:"depends_on"`
	NetworkMode string      `yaml:"network_mode"`
}

// Port is one entry of ports, in the short ("HOST_IP:HOST:CONTAINER") or the long syntax.
type Port struct {
	Short  string // the short syntax, or ""
	HostIP string // the long syntax's host_ip
	Long   bool
}

// UnmarshalYAML reads either syntax.
func (p *Port) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		p.Short = n.Value
		return nil
	}
	var long struct {
		HostIP string `yaml:"host_ip"`
	}
	if err := n.Decode(&long); err != nil {
		return fmt.Errorf("port: %w", err)
	}
	*p = Port{HostIP: long.HostIP, Long: true}
	return nil
}

// Environment maps a variable to its value; nil means "no value": passed on from the shell or
// .env when set there, unset otherwise.
type Environment map[string]*string

// UnmarshalYAML reads the mapping (merge keys included) or the list ("KEY=value", "KEY") form.
func (e *Environment) UnmarshalYAML(n *yaml.Node) error {
	out := Environment{}
	switch n.Kind {
	case yaml.SequenceNode:
		var list []string
		if err := n.Decode(&list); err != nil {
			return fmt.Errorf("environment: %w", err)
		}
		for _, kv := range list {
			if k, v, ok := strings.Cut(kv, "="); ok {
				out[k] = &v
			} else {
				out[kv] = nil
			}
		}
	default:
		m := map[string]any{}
		if err := n.Decode(&m); err != nil {
			return fmt.Errorf("environment: %w", err)
		}
		for k, v := range m {
			if v == nil {
				out[k] = nil
				continue
			}
			s := fmt.Sprint(v)
			out[k] = &s
		}
	}
	*e = out
	return nil
}

// DependsOn is the names of the services a service depends on, in either syntax.
type DependsOn []string

// UnmarshalYAML reads the list or the mapping form.
func (d *DependsOn) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		var list []string
		if err := n.Decode(&list); err != nil {
			return fmt.Errorf("depends_on: %w", err)
		}
		*d = list
		return nil
	}
	m := map[string]yaml.Node{}
	if err := n.Decode(&m); err != nil {
		return fmt.Errorf("depends_on: %w", err)
	}
	for k := range m {
		*d = append(*d, k)
	}
	sort.Strings(*d)
	return nil
}

// Ref is one interpolation in a value: ${Name}, ${Name<Op><Arg>} or $Name.
type Ref struct {
	Name string
	Op   string // "", ":-", "-", ":?", "?", ":+" or "+"
	Arg  string
	// Start and End delimit the reference in the value.
	Start, End int
}

// Required reports whether compose refuses to start when the variable is unset.
func (r Ref) Required() bool { return r.Op == ":?" || r.Op == "?" }

// HasDefault reports whether the reference supplies a value of its own when the variable is unset.
func (r Ref) HasDefault() bool { return r.Op == ":-" || r.Op == "-" }

var (
	nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*`)
	// secretRE matches the names of variables that hold secrets.
	secretRE = regexp.MustCompile(`(?i)(PASSWORD|PASSWD|_SECRET$|_TOKEN$|_PASS$|_KEY$)`)
	// devImageRE matches the images of development tools.
	devImageRE = regexp.MustCompile(`(?i)(mailpit|mailhog|ergochat|oidc|mock-oauth2)`)
	// loopbackVarRE is an address variable defaulting to 127.0.0.1.
	loopbackVarRE = regexp.MustCompile(`^\$\{[A-Za-z_][A-Za-z0-9_]*:-127\.0\.0\.1\}$`)
	// shortPortRE is a short-syntax port bound to such a variable.
	shortPortRE = regexp.MustCompile(`^(\$\{[A-Za-z_][A-Za-z0-9_]*:-127\.0\.0\.1\}):[0-9]+(-[0-9]+)?:[0-9]+(-[0-9]+)?(/(tcp|udp))?$`)
)

// IsSecretName reports whether the variable name is one of a secret (a _FILE variant names a
// file, not a secret).
func IsSecretName(name string) bool {
	return secretRE.MatchString(name) && !strings.HasSuffix(strings.ToUpper(name), "_FILE")
}

// Refs returns the interpolations in v, skipping $$ (a literal dollar).
func Refs(v string) ([]Ref, error) {
	var refs []Ref
	for i := 0; i < len(v); i++ {
		if v[i] != '$' {
			continue
		}
		if i+1 < len(v) && v[i+1] == '$' {
			i++
			continue
		}
		if i+1 < len(v) && v[i+1] == '{' {
			depth, j := 1, i+2
			for ; j < len(v) && depth > 0; j++ {
				switch v[j] {
				case '{':
					depth++
				case '}':
					depth--
				}
			}
			if depth > 0 {
				return nil, fmt.Errorf("unclosed ${ in %q", v)
			}
			body := v[i+2 : j-1]
			name := nameRE.FindString(body)
			if name == "" {
				return nil, fmt.Errorf("bad interpolation ${%s}", body)
			}
			r := Ref{Name: name, Start: i, End: j}
			rest := body[len(name):]
			for _, op := range []string{":-", ":?", ":+", "-", "?", "+"} {
				if strings.HasPrefix(rest, op) {
					r.Op, r.Arg = op, rest[len(op):]
					break
				}
			}
			if r.Op == "" && rest != "" {
				return nil, fmt.Errorf("bad interpolation ${%s}", body)
			}
			refs = append(refs, r)
			i = j - 1
			continue
		}
		if name := nameRE.FindString(v[i+1:]); name != "" {
			refs = append(refs, Ref{Name: name, Start: i, End: i + 1 + len(name)})
			i += len(name)
		}
	}
	return refs, nil
}

// Parse decodes a compose file.
func Parse(data []byte) (File, error) {
	var f File
	if err := yaml.Unmarshal(data, &f); err != nil {
		return File{}, fmt.Errorf("parse compose file: %w", err)
	}
	return f, nil
}

// Check returns every problem of the compose file in data, sorted; none means it passes.
func Check(data []byte) ([]string, error) {
	f, err := Parse(data)
	if err != nil {
		return nil, err
	}
	c := newChecker(f)
	c.devTools()
	for _, name := range c.names {
		if err := c.service(name); err != nil {
			return nil, err
		}
	}
	c.rabbitUser()
	sort.Strings(c.problems)
	return slices.Compact(c.problems), nil
}

// checker collects the problems of one compose file.
type checker struct {
	f File
	// names are the file's services, sorted.
	names    []string
	problems []string
	// interpolationOps turns the operators of interpolations into spaces, so that a default's
	// first word stands alone.
	interpolationOps *strings.Replacer
}

// newChecker returns a checker of f with no problems yet.
func newChecker(f File) *checker {
	c := &checker{f: f, names: make([]string, 0, len(f.Services)),
		interpolationOps: strings.NewReplacer(":-", " ", ":?", " ", ":+", " ", "${", " ", "}", " ")}
	for name := range f.Services {
		c.names = append(c.names, name)
	}
	sort.Strings(c.names)
	return c
}

// fail records a problem of service.
func (c *checker) fail(service, format string, args ...any) {
	c.problems = append(c.problems, service+": "+fmt.Sprintf(format, args...))
}

// isDev reports whether s runs in the dev profile only.
func isDev(s Service) bool { return slices.Contains(s.Profiles, DevProfile) }

// devTools checks that the development tools exist (the OpenID provider aside) and run in the
// dev profile only, and that no other service runs a development tool's image outside it.
func (c *checker) devTools() {
	for _, tool := range DevTools() {
		s, ok := c.f.Services[tool]
		switch {
		case !ok && tool != "oidc":
			c.fail(tool, "missing (the dev profile's %s)", tool)
		case ok && !isDev(s):
			c.fail(tool, "a development tool outside the %q profile", DevProfile)
		}
	}
	for _, name := range c.names {
		if s := c.f.Services[name]; devImageRE.MatchString(s.Image) && !isDev(s) && !slices.Contains(DevTools(), name) {
			c.fail(name, "image %s is a development tool: run it in the %q profile only", s.Image, DevProfile)
		}
	}
}

// service checks one service: its secrets, its network and ports, and, outside the dev profile,
// that it needs no development tool.
func (c *checker) service(name string) error {
	s := c.f.Services[name]
	if err := checkEnvironment(name, s.Environment, c.fail); err != nil {
		return err
	}
	if s.NetworkMode == "host" {
		c.fail(name, "network_mode host publishes every port it listens on")
	}
	c.ports(name, s)
	if !isDev(s) {
		c.devDependencies(name, s)
	}
	return nil
}

// ports checks that only the publishers (and dev tools) publish ports, each bound to an address
// variable defaulting to loopback.
func (c *checker) ports(name string, s Service) {
	if len(s.Ports) > 0 && !isDev(s) && !slices.Contains(Publishers(), name) {
		c.fail(name, "publishes ports; only %s may", strings.Join(Publishers(), " and "))
	}
	for _, p := range s.Ports {
		switch {
		case p.Long && !loopbackVarRE.MatchString(p.HostIP):
			c.fail(name, "port with host_ip %q: bind it to an address variable defaulting to 127.0.0.1", p.HostIP)
		case !p.Long && !shortPortRE.MatchString(p.Short):
			c.fail(name, "port %q: bind it to an address variable defaulting to 127.0.0.1, as ${FMN_BIND_ADDR:-127.0.0.1}:8080:8080", p.Short)
		}
	}
}

// devDependencies checks that a service outside the dev profile neither depends on a service of
// that profile nor points a variable at one.
func (c *checker) devDependencies(name string, s Service) {
	for _, d := range s.DependsOn {
		if ds, ok := c.f.Services[d]; ok && isDev(ds) {
			c.fail(name, "depends on %s, which runs in the %q profile only", d, DevProfile)
		}
	}
	for _, key := range sortedKeys(s.Environment) {
		v := s.Environment[key]
		if v == nil {
			continue
		}
		// Defaults count: ${FMN_SMTP_ADDR:-mailpit:1025} needs mailpit.
		words := c.interpolationOps.Replace(*v)
		for _, tool := range c.names {
			if isDev(c.f.Services[tool]) && pointsAt(words, tool) {
				c.fail(name, "%s points at %s, which runs in the %q profile only", key, tool, DevProfile)
			}
		}
	}
}

// rabbitUser checks that RabbitMQ gets a user of its own, not guest, and that every broker URL
// logs in with it.
func (c *checker) rabbitUser() {
	rabbit, ok := c.f.Services["rabbitmq"]
	if !ok {
		c.fail("rabbitmq", "missing")
	} else {
		for _, k := range []string{"RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS"} {
			if _, ok := rabbit.Environment[k]; !ok {
				c.fail("rabbitmq", "%s is not set: RabbitMQ would run with its guest user", k)
			}
		}
	}
	for _, name := range c.names {
		env := c.f.Services[name].Environment
		for _, key := range []string{"FMN_AMQP_URL", "FMN_RABBITMQ_API_URL"} {
			v := env[key]
			if v == nil {
				continue
			}
			if strings.Contains(*v, "guest") {
				c.fail(name, "%s uses RabbitMQ's guest user", key)
			}
			if !strings.Contains(*v, "${RABBITMQ_DEFAULT_USER") || !strings.Contains(*v, "${RABBITMQ_DEFAULT_PASS") {
				c.fail(name, "%s must log in with RABBITMQ_DEFAULT_USER and RABBITMQ_DEFAULT_PASS", key)
			}
		}
	}
}

// checkEnvironment checks one service's variables for secrets with defaults or literal values.
func checkEnvironment(service string, env Environment, fail func(service, format string, args ...any)) error {
	for _, key := range sortedKeys(env) {
		v := env[key]
		if v == nil {
			continue // passed on from .env when set there, unset otherwise
		}
		refs, err := Refs(*v)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", service, key, err)
		}
		for _, r := range refs {
			if !IsSecretName(r.Name) {
				continue
			}
			switch {
			case r.HasDefault():
				fail(service, "%s: ${%s} has a default; make it ${%s:?message} (or, if optional, list it with no value)", key, r.Name, r.Name)
			case !r.Required():
				fail(service, "%s: ${%s} is blank when unset; make it ${%s:?message} (or, if optional, list it with no value)", key, r.Name, r.Name)
			}
		}
		if IsSecretName(key) {
			if len(refs) != 1 || refs[0].Start != 0 || refs[0].End != len(*v) {
				fail(service, "%s is a literal secret; take it from the environment with ${%s:?message}, or list it without a value", key, key)
			}
			continue
		}
		if strings.HasSuffix(key, "_URL") {
			checkURLPassword(service, key, *v, refs, fail)
		}
	}
	return nil
}

// checkURLPassword refuses a connection URL whose password is not one secret variable.
func checkURLPassword(service, key, v string, refs []Ref, fail func(service, format string, args ...any)) {
	// Each reference becomes a marker url.Parse accepts; the password must be exactly one.
	var b strings.Builder
	last := 0
	for i, r := range refs {
		b.WriteString(v[last:r.Start])
		fmt.Fprintf(&b, "zzref%dzz", i)
		last = r.End
	}
	b.WriteString(v[last:])
	u, err := url.Parse(b.String())
	if err != nil || u.User == nil {
		return
	}
	pw, ok := u.User.Password()
	if !ok {
		return
	}
	for i, r := range refs {
		if pw == fmt.Sprintf("zzref%dzz", i) && IsSecretName(r.Name) {
			return // whether it is required is checked with every reference
		}
	}
	fail(service, "%s has a literal password; take it from a secret variable with ${NAME:?message}", key)
}

// pointsAt reports whether v names host:port on the service host.
func pointsAt(v, host string) bool {
	for i := 0; ; {
		j := strings.Index(v[i:], host+":")
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isHostChar(v[j-1])
		after := j+len(host)+1 < len(v) && v[j+len(host)+1] >= '0' && v[j+len(host)+1] <= '9'
		if before && after {
			return true
		}
		i = j + 1
	}
}

func isHostChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
}

func sortedKeys(env Environment) []string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
