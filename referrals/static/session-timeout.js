// The idle-timeout warning: shows before the server ends an idle session and extends it
// with one click. Pages work without it; the server enforces the timeout either way.
(function () {
  "use strict";
  var body = document.body;
  var box = document.getElementById("session-warning");
  var left = parseInt(body.getAttribute("data-session-seconds-left"), 10);
  var warnAt = parseInt(body.getAttribute("data-session-warning-seconds"), 10);
  var statusUrl = body.getAttribute("data-session-status-url");
  if (!box || !statusUrl || isNaN(left) || isNaN(warnAt)) {
    return;
  }
  var form = box.querySelector("form");
  var countdown = box.querySelector("[data-session-countdown]");
  var deadline = Date.now() + left * 1000;
  var checking = false;
  var checkedWarning = false;

  function describe(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function signIn() {
    window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
  }

  // Ask the server how long is left (activity in another tab counts). The check itself is
  // not activity: it never extends the session, so an open tab cannot keep itself alive.
  function check() {
    if (checking) {
      return;
    }
    checking = true;
    fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) {
          signIn();
          throw new Error("signed out");
        }
        return response.json();
      })
      .then(function (data) {
        deadline = Date.now() + Math.max(data.seconds_left, 1) * 1000;
        checking = false;
        tick();
      })
      .catch(function () {
        checking = false;
      });
  }

  function tick() {
    var remaining = Math.round((deadline - Date.now()) / 1000);
    if (remaining <= 0) {
      check();
      return;
    }
    if (remaining <= warnAt && !checkedWarning) {
      checkedWarning = true;
      check();
    }
    box.hidden = remaining > warnAt;
    countdown.textContent = describe(remaining);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("extend failed");
        }
        return response.json();
      })
      .then(function (data) {
        deadline = Date.now() + data.seconds_left * 1000;
        checkedWarning = false;
        tick();
      })
      .catch(function () {
        form.submit();
      });
  });

  tick();
  window.setInterval(tick, 1000);
})();
