// fmn's one piece of script: the Live page's EventSource. Everything else works as plain HTML
// forms (htmx only makes them faster). Notification fields are written with textContent, never
// as HTML.
(function () {
  "use strict";
  var source = null;
  var lastId = "";
  var connecting = false; // a token request is under way

  function text(tag, cls, s) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = s;
    return el;
  }

  function show(list, n) {
    var li = document.createElement("li");
    li.className = "event";
    var summary = n.summary || n.topic || "notification";
    if (n.url && /^https?:\/\//.test(n.url)) {
      var a = text("a", "", summary);
      a.href = n.url;
      a.rel = "noopener noreferrer";
      li.appendChild(a);
    } else {
      li.appendChild(text("span", "summary", summary));
    }
    li.appendChild(document.createElement("br"));
    var meta = n.topic || "";
    if (n.filters && n.filters.length) {
      meta += " · " + n.filters.join(", ");
    }
    li.appendChild(text("span", "topic", meta));
    if (n.message_id) {
      var q = "message=" + encodeURIComponent(n.message_id);
      (n.filter_ids || []).forEach(function (id) { q += "&filter=" + encodeURIComponent(id); });
      var why = text("a", "why", "why?");
      why.href = "/why?" + q;
      li.appendChild(document.createTextNode(" "));
      li.appendChild(why);
    }
    list.insertBefore(li, list.firstChild);
    var empty = document.getElementById("events-empty");
    if (empty) empty.remove();
    while (list.children.length > 200) list.removeChild(list.lastChild);
  }

  // connect fetches a fresh stream token (a same-origin POST, with the session) and opens the
  // stream from the last event seen, so nothing is missed from one token to the next. It is the
  // one way a stream starts: first, after the token expired, and after a refused reconnect.
  function connect() {
    var live = document.getElementById("live");
    if (!live || connecting) return;
    var state = document.getElementById("live-state");
    var list = document.getElementById("events");
    if (source) { source.close(); source = null; }
    connecting = true;
    fetch(live.dataset.tokenUrl, { method: "POST", credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401 || r.status === 403) return null; // the session is over
        if (!r.ok) throw new Error("token: " + r.status);
        return r.json();
      })
      .then(function (t) {
        connecting = false;
        if (!document.getElementById("live")) return; // the page was left meanwhile
        if (!t) { state.textContent = "logged out: log in again"; return; }
        var url = t.stream_url + (lastId ? "&last_event_id=" + encodeURIComponent(lastId) : "");
        var es = new EventSource(url);
        source = es;
        es.addEventListener("open", function () { state.textContent = "connected"; });
        es.addEventListener("notification", function (e) {
          lastId = e.lastEventId || lastId;
          try { show(list, JSON.parse(e.data)); } catch (err) { /* not a notification */ }
        });
        // The token expired, or the user's streams were revoked: the server ends the stream
        // after this event. The browser's own reconnect would reuse the dead token; a fresh one
        // goes on instead (none comes if the session is over too).
        var renew = function (e) {
          if (source !== es) return;
          lastId = e.lastEventId || lastId; // "expired" carries the stream's position
          state.textContent = "renewing…";
          connect();
        };
        es.addEventListener("expired", renew);
        es.addEventListener("revoked", renew);
        es.addEventListener("error", function () {
          if (source !== es) return;
          state.textContent = "reconnecting…";
          // A refused reconnect (401: the token is dead) closes the EventSource for good, so a
          // closed stream gets a fresh token.
          if (es.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
        });
      })
      .catch(function () {
        connecting = false;
        state.textContent = "offline, retrying…";
        setTimeout(connect, 5000);
      });
  }

  document.addEventListener("DOMContentLoaded", connect);
  document.addEventListener("htmx:afterSettle", function () {
    if (document.getElementById("live") && !source) connect();
    if (!document.getElementById("live") && source) { source.close(); source = null; }
  });
})();
