// fmn's one piece of script: the Live page's EventSource. Everything else works as plain HTML
// forms (htmx only makes them faster). Notification fields are written with textContent, never
// as HTML.
(function () {
  "use strict";
  var source = null;
  var lastId = "";

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

  function connect() {
    var live = document.getElementById("live");
    if (!live) return;
    var state = document.getElementById("live-state");
    var list = document.getElementById("events");
    if (source) { source.close(); source = null; }
    fetch(live.dataset.tokenUrl, { method: "POST", credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("token: " + r.status); return r.json(); })
      .then(function (t) {
        var url = t.stream_url + (lastId ? "&last_event_id=" + encodeURIComponent(lastId) : "");
        source = new EventSource(url);
        source.addEventListener("open", function () { state.textContent = "connected"; });
        source.addEventListener("notification", function (e) {
          lastId = e.lastEventId || lastId;
          try { show(list, JSON.parse(e.data)); } catch (err) { /* not a notification */ }
        });
        source.addEventListener("error", function () {
          state.textContent = "reconnecting…";
          // The stream token is short-lived: past its end the browser's own reconnect fails, so
          // a closed stream gets a fresh token.
          if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
        });
      })
      .catch(function () { state.textContent = "offline, retrying…"; setTimeout(connect, 5000); });
  }

  document.addEventListener("DOMContentLoaded", connect);
  document.addEventListener("htmx:afterSettle", function () {
    if (document.getElementById("live") && !source) connect();
    if (!document.getElementById("live") && source) { source.close(); source = null; }
  });
})();
