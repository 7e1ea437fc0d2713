package config

import (
	"fmt"
	"slices"
	"strings"

	"fmn/internal/signedtoken"
)

// MinSecretLen is the shortest signing secret or token fmn accepts: an HMAC-SHA256 key of 256
// bits, as internal/signedtoken requires.
const MinSecretLen = signedtoken.MinSecretLen

// GenerateHint is the command every secret error ends with: 48 random bytes, 64 characters of
// base64, well over MinSecretLen.
const GenerateHint = "generate one with: openssl rand -base64 48"

// placeholderParts are what people paste from documentation and sample files instead of a
// secret: a value of fmn's own that contains one of them, in any case, is refused. Each is long
// enough (seven letters or more) not to turn up by chance in a random secret. (A function rather
// than a package variable: the table stays immutable.)
func placeholderParts() []string {
	return []string{
		// docker-compose.yml's old defaults, and the usual spellings.
		"change-me", "changeme", "change_me", "replace-me", "replaceme", "replace_me",
		// "example-secret", the docs' example.org values.
		"example",
		// "<placeholder>".
		"placeholder",
		// "password123", "mypassword".
		"password",
		// "sk_live_xxxxxxxx…", masked values copied from a dashboard.
		"xxxxxxxx",
		// "your-secret-here".
		"your-secret", "your_secret", "yoursecret",
	}
}

// placeholderWords are refused as the whole value only (in any case, with surrounding spaces,
// quotes or angle brackets ignored): as parts they would refuse honest secrets. With
// placeholderParts taken whole too, they are all an issued secret is checked against.
func placeholderWords() []string {
	return []string{
		"secret", "token", "admin", "test", "dummy", "default", "none", "null", "todo", "fixme",
		"client-secret", "client_secret", "clientsecret",
	}
}

// SecretSpec is one signing secret or token of a process, as CheckSecrets judges it.
type SecretSpec struct {
	// Key is the environment variable the secret comes from (or its _FILE variant), named in
	// every error.
	Key string
	// Value is the secret as read.
	Value Secret
	// Required refuses an unset secret; an optional secret is checked only when set.
	Required bool
	// Why ends the error of a required secret that is unset, e.g. "shared with the backends".
	Why string
	// Issued marks a secret someone else issued, such as an OpenID provider's client secret: fmn
	// cannot choose its length or form, so only a value that is wholly a placeholder is refused.
	Issued bool
}

// CheckSecrets refuses, naming the variable and saying what to do, a secret that is unset but
// required, a placeholder (see placeholderParts and placeholderWords) or one character repeated,
// shorter than MinSecretLen (except an issued one), or the same as another of specs: each
// purpose has its own secret, so that one leaking does not give away the others. Errors never
// quote a secret, only the placeholder word it contains.
func (r *Reader) CheckSecrets(specs ...SecretSpec) {
	seen := make(map[string]string, len(specs)) // value -> the first key that had it
	for _, s := range specs {
		v := s.Value.Value()
		if v == "" {
			if s.Required {
				why := ""
				if s.Why != "" {
					why = " (" + s.Why + ")"
				}
				r.Fail(s.Key, "must be set%s; %s", why, GenerateHint)
			}
			continue
		}
		if problem := secretProblem(v, s.Issued); problem != "" {
			r.Fail(s.Key, "%s; %s", problem, GenerateHint)
		}
		if other, ok := seen[v]; ok {
			r.Fail(s.Key, "is the same as %s; each purpose needs a secret of its own, %s", other, GenerateHint)
			continue
		}
		seen[v] = s.Key
	}
}

// secretProblem says what is wrong with the set secret v, or returns "".
func secretProblem(v string, issued bool) string {
	lower := strings.ToLower(v)
	bare := strings.Trim(lower, " \t\"'<>")
	for _, w := range slices.Concat(placeholderWords(), placeholderParts()) {
		if bare == w {
			return fmt.Sprintf("is a placeholder (%q)", w)
		}
	}
	if repeated(lower) {
		return "is a placeholder (one character repeated)"
	}
	if issued {
		return ""
	}
	for _, p := range placeholderParts() {
		if strings.Contains(lower, p) {
			return fmt.Sprintf("is a placeholder (contains %q)", p)
		}
	}
	if len(v) < MinSecretLen {
		return fmt.Sprintf("is %d bytes, shorter than the %d required", len(v), MinSecretLen)
	}
	return ""
}

// repeated reports whether s is one character repeated (case already folded).
func repeated(s string) bool {
	for _, c := range s {
		return strings.Trim(s, string(c)) == ""
	}
	return false
}
