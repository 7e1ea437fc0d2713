package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/mailtest"
	"fmn/internal/testkit/rabbittest"
)

// userWithEmail creates a user with a confirmed email destination and a filter "mail me" sending
// messages that involve the user there. It returns the filter's id.
func (s *stack) userWithEmail(name, address string) int64 {
	s.t.Helper()
	require.Equal(s.t, http.StatusCreated, s.api("POST", "/api/v1/users", map[string]string{"name": name}, nil))
	var dest struct {
		ID int64 `json:"id"`
	}
	require.Equal(s.t, http.StatusCreated, s.api("POST", "/api/v1/users/"+name+"/destinations",
		map[string]string{"kind": "email", "address": address, "format": "verbose"}, &dest))
	require.Equal(s.t, http.StatusNoContent, s.api("POST", "/api/v1/users/"+name+"/destinations/"+strconv.FormatInt(dest.ID, 10)+"/confirm", nil, nil))
	var f struct {
		ID int64 `json:"id"`
	}
	require.Equal(s.t, http.StatusCreated, s.api("POST", "/api/v1/users/"+name+"/filters", map[string]any{
		"name": "mail me", "destinations": []int64{dest.ID},
		"conditions": []map[string]any{{"field": "user", "op": "in", "values": []string{"@me"}}},
	}, &f))
	return f.ID
}

// A bus message naming alice arrives in her inbox (a real mailpit) with the headers people filter
// on, and the one-click mute link of its List-Unsubscribe header disables the filter that sent it.
func TestEmailReachesTheInboxAndItsMuteLinkWorks(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.mail = mailtest.Start(t)
	s.startAll()
	filterID := s.userWithEmail("alice", "alice@example.org")
	s.waitWorkersCurrent()

	s.userMessage("mail-1", "alice", "bob")
	got := s.mail.WaitFor(t, `to:"alice@example.org"`, 1)
	require.Len(t, got, 1)
	m := s.mail.Message(t, got[0].ID)
	require.Contains(t, m.Text, "Topic:     org.fedoraproject.prod.bodhi.update.comment")
	require.Contains(t, m.HTML, "<td>org.fedoraproject.prod.bodhi.update.comment</td>")
	h := s.mail.Headers(t, got[0].ID)
	require.Equal(t, []string{"org.fedoraproject.prod.bodhi.update.comment"}, h["X-Fmn-Topic"])
	require.Equal(t, []string{"mail me"}, h["X-Fmn-Filter"])
	require.Equal(t, []string{"alice, bob"}, h["X-Fmn-User"])
	require.Equal(t, []string{"bulk"}, h["Precedence"])
	require.Equal(t, []string{"List-Unsubscribe=One-Click"}, h["List-Unsubscribe-Post"])
	require.Len(t, h["List-Unsubscribe"], 1)

	// The mail client's one-click POST (RFC 8058).
	link := strings.TrimSuffix(strings.TrimPrefix(h["List-Unsubscribe"][0], "<"), ">")
	require.True(t, strings.HasPrefix(link, s.webURL+"/mute?token="), link)
	resp, err := http.Get(link)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET shows a confirmation page")
	// enabled maps each of alice's filters (hers and the defaults every user gets) to its state.
	enabled := func() map[int64]bool {
		var fs struct {
			Filters []struct {
				ID      int64 `json:"id"`
				Enabled bool  `json:"enabled"`
			} `json:"filters"`
		}
		require.Equal(t, http.StatusOK, s.api("GET", "/api/v1/users/alice/filters", nil, &fs))
		out := map[int64]bool{}
		for _, f := range fs.Filters {
			out[f.ID] = f.Enabled
		}
		return out
	}
	require.True(t, enabled()[filterID], "GET changes nothing")

	resp, err = http.PostForm(link, url.Values{"List-Unsubscribe": {"One-Click"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	after := enabled()
	require.Contains(t, after, filterID)
	for id, on := range after {
		require.Equal(t, id != filterID, on, "the mute link disabled the filter that sent the mail, and only it")
	}

	// A forged token is refused.
	resp, err = http.PostForm(s.webURL+"/mute?token=m1.bogus.bogus", url.Values{"List-Unsubscribe": {"One-Click"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// A destination with digest settings gets one email for max_count notifications, listing them
// all, instead of one email each.
func TestDigestGroupsNotifications(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.mail = mailtest.Start(t)
	s.startAll()
	require.Equal(t, http.StatusCreated, s.api("POST", "/api/v1/users", map[string]string{"name": "dora"}, nil))
	var dest struct {
		ID int64 `json:"id"`
	}
	require.Equal(t, http.StatusCreated, s.api("POST", "/api/v1/users/dora/destinations",
		map[string]any{"kind": "email", "address": "dora@example.org", "digest_max_count": 3, "digest_max_delay": "1h"}, &dest))
	require.Equal(t, http.StatusNoContent, s.api("POST", "/api/v1/users/dora/destinations/"+strconv.FormatInt(dest.ID, 10)+"/confirm", nil, nil))
	require.Equal(t, http.StatusCreated, s.api("POST", "/api/v1/users/dora/filters", map[string]any{
		"name": "digest me", "destinations": []int64{dest.ID},
		"conditions": []map[string]any{{"field": "user", "op": "in", "values": []string{"@me"}}},
	}, nil))
	s.waitWorkersCurrent()

	for i := range 3 {
		s.userMessage("dg-"+strconv.Itoa(i), "dora")
	}
	got := s.mail.WaitFor(t, `to:"dora@example.org"`, 1)
	require.Len(t, got, 1, "one email for the three notifications")
	h := s.mail.Headers(t, got[0].ID)
	require.Equal(t, []string{"3"}, h["X-Fmn-Digest"])
	require.Equal(t, []string{"digest me"}, h["X-Fmn-Filter"])
	require.Len(t, h["List-Unsubscribe"], 1)
	m := s.mail.Message(t, got[0].ID)
	require.Equal(t, "fmn digest: 3 notifications", m.Subject)
	require.Equal(t, 3, strings.Count(m.Text, "\n- "), "the digest lists each notification: %s", m.Text)

	// A fourth stays waiting (max_count 3, max_delay an hour): the inbox still holds one email
	// once the fourth is stored.
	s.userMessage("dg-3", "dora")
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, s.pool.QueryRow(context.Background(), `SELECT count(*) FROM digest_items`).Scan(&n))
		return n == 1
	}, waitFor, 10*time.Millisecond)
	after, err := s.mail.Search(context.Background(), `to:"dora@example.org"`)
	require.NoError(t, err)
	require.Len(t, after, 1)
}
