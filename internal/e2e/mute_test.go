package e2e

import (
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/mutetoken"
	"fmn/internal/signedtoken"
	"fmn/internal/testkit/rabbittest"
)

// A mute link that expired, or is of the first format, gets a page saying so; one issued for an
// earlier account of the same name (deleted, then created again) mutes nothing of the new one.
func TestMuteRefusesStaleLinksAndRecreatedAccounts(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()
	signer, err := mutetoken.NewSigner([]byte(muteSecret))
	require.NoError(t, err)

	// post sends a mail client's one-click POST with token and returns the status and page.
	post := func(token string) (int, string) {
		t.Helper()
		resp, err := http.PostForm(s.webURL+"/mute?token="+url.QueryEscape(token), url.Values{"List-Unsubscribe": {"One-Click"}})
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	get := func(token string) int {
		t.Helper()
		resp, err := http.Get(s.webURL + "/mute?token=" + url.QueryEscape(token))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	enabled := func(user string, filter int64) bool {
		t.Helper()
		for _, f := range s.filters(user) {
			if f.ID == filter {
				return f.Enabled
			}
		}
		t.Fatalf("%s has no filter %d", user, filter)
		return false
	}
	emailDest := func(user string) int64 { return s.destination(user, "email", "").ID }

	filter := s.userWithEmail("alice", "alice@example.org")
	dest := emailDest("alice")
	now := time.Now()
	valid := signer.Issue(mutetoken.Claims{User: "alice", Destination: dest, Filters: []int64{filter}, Expires: now.Add(time.Hour)})
	require.Equal(t, http.StatusOK, get(valid), "a valid link shows its form")

	const stale = "This mute link is from an older format or has expired: log in to turn the filter off."
	expired := signer.Issue(mutetoken.Claims{User: "alice", Destination: dest, Filters: []int64{filter}, Expires: now.Add(-time.Minute)})
	old, err := signedtoken.New([]byte(muteSecret), "m1", "fmn-mute-token", 1024)
	require.NoError(t, err)
	for name, tok := range map[string]string{"expired": expired, "old format": old.Seal("alice", "1")} {
		require.Equal(t, http.StatusGone, get(tok), name)
		code, page := post(tok)
		require.Equal(t, http.StatusGone, code, name)
		require.Contains(t, page, stale, name)
	}
	code, page := post("m2.bogus.bogus")
	require.Equal(t, http.StatusBadRequest, code)
	require.Contains(t, page, "This mute link is not valid.")
	require.True(t, enabled("alice", filter), "no refused link muted anything")

	// alice is deleted and created again: the new account has other destination and filter ids.
	require.Equal(t, http.StatusNoContent, s.api("DELETE", "/api/v1/users/alice", nil, nil))
	newFilter := s.userWithEmail("alice", "alice@example.org")
	newDest := emailDest("alice")
	require.NotEqual(t, dest, newDest)
	// Even a token naming the new account's filter, with the old account's destination.
	crossed := signer.Issue(mutetoken.Claims{User: "alice", Destination: dest, Filters: []int64{newFilter}, Expires: now.Add(time.Hour)})
	for name, tok := range map[string]string{"the old link": valid, "crossed": crossed} {
		require.Equal(t, http.StatusNotFound, get(tok), name)
		code, page := post(tok)
		require.Equal(t, http.StatusNotFound, code, name)
		require.Contains(t, page, "no longer exists", name)
	}
	require.True(t, enabled("alice", newFilter), "the new account's filter is untouched")

	// The new account's own link works.
	code, _ = post(signer.Issue(mutetoken.Claims{User: "alice", Destination: newDest, Filters: []int64{newFilter}, Expires: now.Add(time.Hour)}))
	require.Equal(t, http.StatusOK, code)
	require.False(t, enabled("alice", newFilter))
}
