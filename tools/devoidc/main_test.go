package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestParseFlagsRefusesNonLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:9998": true, "[::1]:9998": true, "localhost:9998": true,
		"0.0.0.0:9998": false, ":9998": false, "192.0.2.1:9998": false, "example.org:9998": false, "9998": false,
	} {
		_, err := parseFlags([]string{"-listen", addr}, io.Discard)
		if (err == nil) != ok {
			t.Errorf("-listen %s: err = %v, want ok = %v", addr, err, ok)
		}
	}
}

func TestParseFlagsDefaults(t *testing.T) {
	o, err := parseFlags([]string{"-listen", "127.0.0.1:1234", "-redirect-uri", "http://a/cb", "-redirect-uri", "http://b/cb"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.issuer != "http://127.0.0.1:1234" || o.clientID != defaultClientID || len(o.redirectURIs) != 2 {
		t.Errorf("got %+v", o)
	}
	if _, err := parseFlags([]string{"-issuer", "ftp://x"}, io.Discard); err == nil {
		t.Error("an ftp issuer was accepted")
	}
}

func TestLoadUsers(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, []byte(`{"id-carol": {"ID": "id-carol", "Username": "carol", "Password": "pw",
		"Email": "carol@example.org", "EmailVerified": true, "PreferredLanguage": "en", "Groups": ["qa"]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	users, err := loadUsers(good)
	if err != nil {
		t.Fatal(err)
	}
	u := users.GetUserByUsername("carol")
	if u == nil || u.ID != "id-carol" || u.Password != "pw" || users["id-carol"].Groups[0] != "qa" {
		t.Fatalf("got %+v", users)
	}
	if users.GetUserByUsername("alice") != nil {
		t.Error("a users file must replace the default users")
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"x": {"ID": "y", "Username": "u", "Password": "p"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadUsers(bad); err == nil {
		t.Error("a user whose ID differs from its key was accepted")
	}
	if d, _ := loadUsers(""); d.GetUserByUsername("alice") == nil || d.GetUserByUsername("bob") == nil {
		t.Error("the default users are alice and bob")
	}
}
