// The hall display: polls its tiny JSON about once a second and redraws (no library, no CDN).
(function () {
  "use strict";
  var root = document.getElementById("queue-display");
  if (!root) { return; }
  var url = root.getAttribute("data-state");
  var say = root.getAttribute("data-say");
  var lastKey = null;

  function rows(id, pairs) {
    var table = document.getElementById(id);
    while (table.firstChild) { table.removeChild(table.firstChild); }
    pairs.forEach(function (pair) {
      var tr = document.createElement("tr");
      pair.forEach(function (text) {
        var td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
  }

  function announce(call) {
    if (!window.speechSynthesis || !say) { return; }
    var text = say.replace("{number}", call.number.split("").join(" ")).replace("{window}", call.window);
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    window.speechSynthesis.speak(utterance);
  }

  function draw(state) {
    var first = state.calls[0];
    document.getElementById("latest-number").textContent = first ? first.number : "—";
    document.getElementById("latest-window").textContent = first ? first.window : "";
    rows("recent-calls", state.calls.map(function (c) { return [c.number, c.window]; }));
    rows("window-numbers", state.windows.map(function (w) { return [w.window, w.number]; }));
    rows("waiting", state.waiting.map(function (g) { return [g.prefix + " " + g.name, String(g.waiting)]; }));
    if (first && lastKey !== null && first.key !== lastKey) { announce(first); }
    lastKey = first ? first.key : "";
  }

  function poll() {
    fetch(url, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (state) { document.getElementById("queue-offline").hidden = true; draw(state); })
      .catch(function () { document.getElementById("queue-offline").hidden = false; })
      .then(function () { window.setTimeout(poll, 1000); });
  }
  poll();
}());
