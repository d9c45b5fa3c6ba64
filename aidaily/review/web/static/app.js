// aidaily review page: bullet -> source panel, live re-lint. No build step, no library.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  // The page's base path (unguessable when a token guards it; "" otherwise).
  var root = (document.querySelector('meta[name="app-root"]') || {}).content || "";

  // Draft page: a click (or Enter) on a fact bullet loads its source into the side panel.
  var post = document.getElementById("post");
  var panel = document.getElementById("source-panel");
  function showSource(li) {
    var day = post.getAttribute("data-day");
    var line = li.getAttribute("data-line");
    document.querySelectorAll("li.bullet.selected").forEach(function (el) {
      el.classList.remove("selected");
    });
    li.classList.add("selected");
    panel.setAttribute("aria-busy", "true");
    fetch(root + "/d/" + encodeURIComponent(day) + "/source?line=" + encodeURIComponent(line),
          { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        panel.innerHTML = html; // server-rendered, every source-derived string escaped
        panel.removeAttribute("aria-busy");
        var mark = document.getElementById("nearest");
        if (mark) { mark.scrollIntoView({ block: "center" }); }
      })
      .catch(function (err) { panel.textContent = "could not load the source: " + err; });
  }
  if (post && panel) {
    post.addEventListener("click", function (ev) {
      var li = ev.target.closest("li.bullet");
      if (li && !ev.target.closest("a")) { showSource(li); }
    });
    post.addEventListener("keydown", function (ev) {
      var li = ev.target.closest("li.bullet");
      if (li && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); showSource(li); }
    });
  }

  // Edit page: re-lint the textarea 400 ms after the last keystroke.
  var area = document.getElementById("draft-text");
  var list = document.getElementById("lint-findings");
  var status = document.getElementById("lint-status");
  var count = document.getElementById("lint-count");
  var timer = null, seq = 0;
  function lint() {
    var mine = ++seq;
    status.textContent = "linting…";
    fetch(area.getAttribute("data-lint-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ text: area.value })
    })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        if (mine !== seq) { return; } // a newer request is on its way
        list.replaceChildren();
        data.findings.forEach(function (f) {
          var li = document.createElement("li");
          li.className = f.severity;
          li.textContent = "line " + f.line + ": " + f.severity + " [" + f.code + "] " + f.message;
          list.appendChild(li);
        });
        count.textContent = "(" + data.findings.length + ")";
        status.textContent = data.errors ? data.errors + " error(s)" : "no lint errors";
        status.setAttribute("data-linted", String(mine));
      })
      .catch(function (err) { status.textContent = "lint failed: " + err.message; });
  }
  if (area && list) {
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lint, 400);
    });
    // Typed before this (deferred) script ran: no input event reached the listener.
    if (area.value !== area.defaultValue) { lint(); }
  }
})();
