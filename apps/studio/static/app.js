/* storyreel studio: the page. Plain JavaScript, no framework, no build step.
   It reads the story from GET /api/state, listens to /api/events (server-sent events)
   so every browser on the story sees the same thing live, and sends what the room
   decides with small JSON POSTs. */
(function () {
  "use strict";

  var params = new URLSearchParams(window.location.search);
  var token = params.get("token");

  var FONT_KEY = "storyreel-studio-text-size";
  var FONT_DEFAULT = 22;
  var FONT_MIN = 14;
  var FONT_MAX = 44;
  var FONT_STEP = 3;

  var SIZE_WORDS = {
    ECU: "very close (a detail)", CU: "close-up (the face)", MCU: "head and shoulders",
    MS: "waist up", MLS: "knees up", LS: "wide (whole body)", ELS: "very wide (the whole place)"
  };
  var MOVE_WORDS = {
    static: "camera still", pan_left: "camera turns left", pan_right: "camera turns right",
    tilt_up: "camera tilts up", tilt_down: "camera tilts down", dolly_in: "camera moves in",
    dolly_out: "camera moves back", truck_left: "camera slides left", truck_right: "camera slides right",
    pedestal_up: "camera rises", pedestal_down: "camera lowers", crane_up: "camera lifts up high",
    crane_down: "camera comes down", tracking: "camera follows", orbit_left: "camera circles left",
    orbit_right: "camera circles right", zoom_in: "zooms in", zoom_out: "zooms out",
    handheld: "handheld camera", roll: "camera rolls"
  };
  var VERDICT = {
    ok: { label: "Looks good", mark: "\u2713", cls: "verdict-ok" },
    warning: { label: "Have a look", mark: "!", cls: "verdict-warning" },
    error: { label: "Problem", mark: "\u2715", cls: "verdict-error" }
  };
  var PLAY_ICON = '<svg viewBox="0 0 10 10" aria-hidden="true"><path d="M2 1 L9 5 L2 9 Z"/></svg>';

  var snap = null;             // the latest snapshot
  var progress = {};           // shot id -> {step, total}
  var liveLines = [];          // notices and problems heard since the last snapshot: {after, who, text}
  var cardSigs = {};           // shot id -> signature of what the card shows
  var playerShot = null;       // id of the shot in the player, or null
  var playerTake = null;       // take number in the player
  var compareShot = null;      // id of the shot being compared, or null
  var comparePick = [null, null];
  var lastQuestionKey = null;
  var questionCount = 0;       // how many different questions this page has shown
  var lastCutUrl = null;
  var cutRendered = false;     // the film section has been drawn once (a later cut is new)
  var toastTimer = null;
  var locked = false;          // the server refused the page's access token

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "className") node.className = value;
        else if (key === "text") node.textContent = value;
        else if (key === "html") node.innerHTML = value;
        else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? "" : value);
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function headers(json) {
    var h = {};
    if (json) h["Content-Type"] = "application/json";
    if (token) h.Authorization = "Bearer " + token;
    return h;
  }

  /* ---------------- talking to the server ---------------- */

  function post(path, body) {
    return fetch(path, {
      method: "POST", headers: headers(true), credentials: "same-origin",
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          showToast((data && data.error) || "That did not work this time: please try again.");
          return null;
        }
        if (data && data.error) { showToast(data.error); return null; }
        return data;
      });
    }).catch(function () {
      showToast("The page could not reach storyreel. Is the studio still running on the computer?");
      return null;
    });
  }

  function fetchState(fresh) {
    return fetch("/api/state", { headers: headers(false), credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) return response.json();
        if (response.status === 401 || response.status === 403) {
          // No (or the wrong) access token: say so where everyone sees it, and stop here.
          return response.json().catch(function () { return {}; }).then(function (data) {
            locked = true;
            $("offline").textContent = (data && data.error) ||
              "This studio needs its access token: open the address storyreel studio printed.";
            $("offline").hidden = false;
            return null;
          });
        }
        return null;
      })
      .then(function (data) { if (data) applySnapshot(data, fresh === true); })
      .catch(function () { /* the event stream will catch up */ });
  }

  function connect() {
    var url = "/api/events" + (token ? "?token=" + encodeURIComponent(token) : "");
    var source = new EventSource(url, { withCredentials: true });
    source.addEventListener("open", function () {
      $("offline").hidden = true;
      fetchState(false);
    });
    source.addEventListener("error", function () {
      $("offline").hidden = false;
      if (locked) source.close();
      else fetchState(false);
    });
    source.addEventListener("state", function (event) {
      var data = parse(event.data);
      if (data) applySnapshot(data, true);
    });
    source.addEventListener("busy", function (event) {
      var data = parse(event.data);
      if (!data) return;
      if (snap) { snap.busy = !!data.busy; snap.busy_text = data.text || ""; }
      renderBusy(!!data.busy, data.text || "");
      // "Not busy" reaches the page before the state that ends the turn (its new question,
      // its film): the page says it is idle only once that state is shown (applySnapshot).
      if (data.busy) document.body.setAttribute("data-busy", "true");
    });
    source.addEventListener("agent", function (event) {
      var data = parse(event.data);
      if (data) onAgentEvent(data);
    });
  }

  function parse(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  /* ---------------- live agent events ---------------- */

  function onAgentEvent(event) {
    var type = event.type;
    var data = event.data || {};
    if (event.text && type !== "question") $("activity").textContent = event.text;
    if (type === "progress" && data.shot_id !== undefined && data.shot_id !== null) {
      progress[String(data.shot_id)] = { step: data.step, total: data.total };
      updateProgressBar(String(data.shot_id));
    }
    if (type === "notice" || type === "problem" || type === "reply" || type === "question") {
      if (!event.text) return;
      var after = snap && snap.transcript ? snap.transcript.length : 0;
      liveLines.push({ after: after, who: type, text: event.text });
      if (liveLines.length > 40) liveLines.shift();
      renderTranscript();
    }
  }

  /* ---------------- rendering the snapshot ---------------- */

  function applySnapshot(s, fresh) {
    // A snapshot fetched before a newer one arrived by the event stream is stale: skip it.
    // After a reconnect (fresh) any version is taken: the server may have restarted.
    if (!fresh && snap && typeof s.version === "number" && typeof snap.version === "number" &&
        s.version < snap.version) return;
    var oldLen = snap && snap.transcript ? snap.transcript.length : 0;
    snap = s;
    progress = {};
    Object.keys(s.progress || {}).forEach(function (id) { progress[id] = s.progress[id]; });
    // Lines heard live are dropped once the transcript has moved on past them.
    var len = (s.transcript || []).length;
    if (len !== oldLen) {
      liveLines = liveLines.filter(function (line) {
        return line.who === "notice" || line.who === "problem" ? line.after >= len - 6 : false;
      });
    }
    // For the browser tests and for styling: what the page is showing, as data attributes.
    document.body.setAttribute("data-version", String(s.version === undefined ? "" : s.version));
    document.body.setAttribute("data-busy", s.busy ? "true" : "false");
    var title = s.title || "Your film";
    $("title").textContent = title;
    document.title = title + " \u2014 storyreel studio";
    renderBusy(!!s.busy, s.busy_text || "");
    $("welcome").hidden = !!((s.shots || []).length || s.guide || s.question);
    renderQuestion();
    renderShots();
    renderCut();
    renderTranscript();
    refreshPlayer();
    refreshCompare();
  }

  function renderBusy(busy, text) {
    $("busy").hidden = !busy;
    $("busy-text").textContent = text || "storyreel is working\u2026";
    if (!busy) $("activity").textContent = "";
    document.body.classList.toggle("is-busy", busy);
  }

  function renderQuestion() {
    var panel = $("question");
    var guide = snap.guide;
    var question = snap.question;
    var useQuestion = question && (question.kind !== "guide" || !guide);
    panel.setAttribute("data-step", guide ? guide.step || "" : "");
    panel.setAttribute("data-kind", question ? question.kind || "" : guide ? "guide" : "");
    if (!guide && !question) {
      panel.hidden = true;
      lastQuestionKey = null;
      return;
    }
    var text = useQuestion ? question.text : guide.question;
    var hint = useQuestion ? question.hint : guide.hint;
    if (!hint && guide && !useQuestion && question) hint = question.hint;
    var choices = useQuestion ? question.choices || [] : [];
    var key = JSON.stringify([text, hint, choices, guide && guide.step, guide && guide.number]);
    panel.hidden = false;
    panel.classList.toggle("is-guide", !!guide);
    if (key === lastQuestionKey) return;
    var firstShow = lastQuestionKey === null;
    lastQuestionKey = key;
    questionCount += 1;
    panel.setAttribute("data-shown", String(questionCount));

    var where = [];
    if (guide) {
      if (guide.number && guide.total) where.push("Question " + guide.number + " of " + guide.total);
      if (guide.part) where.push(guide.part);
    } else if (question.kind === "approval") {
      where.push("storyreel asks");
    } else {
      where.push("A question for you");
    }
    $("question-progress").textContent = where.join(" \u00b7 ");
    $("question-text").textContent = text || "";
    var hintNode = $("question-hint");
    if (hint) {
      hintNode.hidden = false;
      hintNode.textContent = /^(for example|e\.g\.|like)/i.test(hint) ? hint : "For example: " + hint;
    } else {
      hintNode.hidden = true;
      hintNode.textContent = "";
    }
    var box = $("question-choices");
    box.textContent = "";
    choices.forEach(function (choice, index) {
      box.appendChild(el("button", {
        type: "button",
        className: "btn " + (index === 0 ? "btn-primary" : ""),
        text: choice,
        onclick: function () { answerChoice(choice); }
      }));
    });
    $("answer-btn").classList.toggle("btn-primary", !choices.length);
    $("skip-btn").hidden = !guide;
    $("pause-btn").hidden = !guide;
    $("question-input").placeholder = choices.length
      ? "Or type what you would like instead"
      : "Type your answer here";
    if (!firstShow) $("question-input").value = "";
  }

  function plainSize(size) {
    if (!size) return "";
    return SIZE_WORDS[size] || String(size).replace(/_/g, " ");
  }

  function plainMove(move) {
    if (!move) return "";
    return MOVE_WORDS[move] || String(move).replace(/_/g, " ");
  }

  function nameOf(list, handle) {
    if (!handle) return "";
    var key = String(handle).replace(/^@/, "").toLowerCase();
    var found = (list || []).filter(function (item) {
      return String(item.handle || "").replace(/^@/, "").toLowerCase() === key;
    })[0];
    return found ? found.name || found.handle : String(handle).replace(/^@/, "");
  }

  function verdictNode(take) {
    var status = take && take.status;
    var kind = VERDICT[status];
    var words = take && take.verdict ? take.verdict : "";
    if (!take) {
      return el("div", { className: "verdict verdict-none" }, [
        el("span", { className: "verdict-label", text: "Not filmed yet" })
      ]);
    }
    if (!kind) {
      return el("div", { className: "verdict verdict-none" }, [
        el("span", { className: "verdict-label", text: "Not checked yet" }),
        words ? el("span", { className: "verdict-words", text: words }) : null
      ]);
    }
    return el("div", { className: "verdict " + kind.cls, "data-status": status }, [
      el("span", { className: "verdict-label", text: kind.mark + " " + kind.label }),
      words ? el("span", { className: "verdict-words", text: words }) : null
    ]);
  }

  function progressNode(id) {
    var p = progress[id];
    var wrap = el("div", { className: "progress", hidden: !p });
    var step = p ? Number(p.step) || 0 : 0;
    var total = p ? Math.max(Number(p.total) || 1, 1) : 1;
    var pct = Math.max(0, Math.min(100, Math.round((100 * step) / total)));
    wrap.appendChild(el("span", { className: "progress-label", text: "Filming\u2026 " + pct + "%" }));
    var bar = el("div", {
      className: "progress-track", role: "progressbar", "aria-label": "Filming progress",
      "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(pct)
    }, [el("div", { className: "progress-fill", style: "width:" + pct + "%" })]);
    wrap.appendChild(bar);
    return wrap;
  }

  function updateProgressBar(id) {
    var card = document.querySelector('.card[data-shot-id="' + cssEscape(id) + '"]');
    if (!card) return;
    var old = card.querySelector(".progress");
    var fresh = progressNode(id);
    if (old) old.replaceWith(fresh);
    else card.querySelector(".card-body").appendChild(fresh);
  }

  function cssEscape(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/"/g, '\\"');
  }

  function shotPicture(shot) {
    var take = shot.take;
    return (take && take.poster_url) || shot.still_url || null;
  }

  function buildCard(shot) {
    var id = String(shot.id);
    var number = shot.number !== undefined && shot.number !== null ? shot.number : "";
    var take = shot.take;
    var picture = shotPicture(shot);
    var media = el("button", {
      type: "button",
      className: "card-media",
      "aria-label": take ? "Play shot " + number + ": " + (shot.action || "") : "Shot " + number + " has not been filmed yet",
      onclick: function () {
        if (take) openPlayer(id, take.number);
        else showToast("Shot " + number + " has not been filmed yet. It will play here once it is ready.");
      }
    }, [
      picture ? el("img", { src: picture, alt: "Picture of shot " + number, loading: "lazy" })
              : el("span", { className: "no-picture", text: "No picture yet" }),
      el("span", { className: "shot-number", text: "Shot " + number }),
      shot.locked ? el("span", { className: "lock-flag", text: "Locked" }) : null,
      take ? el("span", { className: "play-badge", html: PLAY_ICON + " Play" }) : null
    ]);

    var meta = [plainSize(shot.size), plainMove(shot.movement)];
    if (shot.duration_s) meta.push(Number(shot.duration_s) + " seconds");
    var who = (shot.characters || []).map(function (h) { return nameOf(snap.characters, h); });
    if (who.length) meta.push(who.join(", "));
    if (shot.location) meta.push(nameOf(snap.locations, shot.location));

    var body = el("div", { className: "card-body" }, [
      el("p", { className: "card-action", text: shot.action || "" }),
      el("p", { className: "card-meta", text: meta.filter(Boolean).join(" \u00b7 ") }),
      shot.dialogue ? el("p", { className: "card-dialogue", text: "\u201c" + shot.dialogue + "\u201d" }) : null,
      verdictNode(take),
      shot.needs_render && take ? el("p", { className: "needs-render", text: "Changed \u2014 needs a new render" }) : null,
      progressNode(id)
    ]);

    var takes = shot.takes || [];
    var buttons = el("div", { className: "card-buttons" }, [
      el("button", {
        type: "button",
        className: "btn " + (shot.locked ? "btn-on" : ""),
        "aria-pressed": shot.locked ? "true" : "false",
        "aria-label": (shot.locked ? "Unlock shot " : "Lock shot ") + number,
        "data-action": "lock",
        text: shot.locked ? "Unlock" : "Lock",
        onclick: function () { post("/api/shots/" + encodeURIComponent(id) + "/lock", { locked: !shot.locked }).then(afterPost); }
      }),
      el("button", {
        type: "button", className: "btn", "aria-label": "Retake shot " + number + " (film it again)",
        "data-action": "retake", text: "Retake",
        disabled: shot.locked ? true : null,
        title: shot.locked ? "Unlock the shot to film it again" : null,
        onclick: function () { post("/api/shots/" + encodeURIComponent(id) + "/retake", {}).then(afterPost); }
      }),
      el("button", {
        type: "button", className: "btn", "aria-label": "Takes of shot " + number + ": compare them",
        "data-action": "takes", text: "Takes" + (takes.length ? " (" + takes.length + ")" : ""),
        disabled: takes.length ? null : true,
        onclick: function () { openCompare(id); }
      })
    ]);

    var classes = "card" + (shot.locked ? " is-locked" : "") + (shot.needs_render ? " is-stale" : "");
    var card = el("li", { className: classes, "data-shot-id": id, "aria-label": "Shot " + number }, [media, body, buttons]);
    return card;
  }

  function renderShots() {
    var list = $("shots");
    var shots = snap.shots || [];
    $("board-empty").hidden = shots.length > 0;
    var existing = {};
    Array.prototype.forEach.call(list.children, function (child) {
      existing[child.getAttribute("data-shot-id")] = child;
    });
    var keep = {};
    var context = JSON.stringify([snap.characters, snap.locations]);
    shots.forEach(function (shot, index) {
      var id = String(shot.id);
      keep[id] = true;
      var sig = JSON.stringify([shot, progress[id] || null, context]);
      var card = existing[id];
      if (!card || cardSigs[id] !== sig) {
        var fresh = buildCard(shot);
        if (card) list.replaceChild(fresh, card);
        card = fresh;
        cardSigs[id] = sig;
      }
      if (list.children[index] !== card) list.insertBefore(card, list.children[index] || null);
    });
    Object.keys(existing).forEach(function (id) {
      if (!keep[id]) { existing[id].remove(); delete cardSigs[id]; }
    });
  }

  function renderCut() {
    var cut = snap.cut;
    var pageWasShowing = cutRendered;
    cutRendered = true;
    $("film-empty").hidden = !!cut;
    $("cut").hidden = !cut;
    if (!cut) { lastCutUrl = null; return; }
    if (cut.url !== lastCutUrl) {
      lastCutUrl = cut.url;
      $("cut-video").src = cut.url;
      $("cut-download").href = cut.url;
      $("cut-download").setAttribute("download", cut.name || "film.mp4");
      // A film made while the page is open: bring it into view for the room.
      if (pageWasShowing && $("player").hidden && $("compare").hidden) {
        setTimeout(function () { $("cut").scrollIntoView({ behavior: "smooth", block: "center" }); }, 50);
      }
    }
    $("cut-download").textContent = "Download the film" + (cut.name ? " (" + cut.name + ")" : "");
    // The film's first picture, so the player is not a black box before it plays.
    var first = (snap.shots || []).filter(function (shot) { return shotPicture(shot); })[0];
    var poster = first ? shotPicture(first) : "";
    if ($("cut-video").getAttribute("poster") !== poster) $("cut-video").setAttribute("poster", poster);
  }

  // The film was exported again while the player was still reading the one before: the
  // file changed under it and the player gave up. Ask for the newest state (it names the
  // new film) and load the film again, once per film, so the room never sees a dead player.
  var cutReloaded = null;
  function reloadCut() {
    var failed = lastCutUrl;
    if (!failed || cutReloaded === failed) return;
    cutReloaded = failed;
    setTimeout(function () {
      fetchState(false).then(function () {
        if (lastCutUrl === failed) $("cut-video").src = failed;
      });
    }, 300);
  }

  function renderTranscript() {
    if (!snap) return;
    var box = $("transcript");
    var nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    var items = [];
    var lines = snap.transcript || [];
    var seen = {};
    lines.forEach(function (line, index) {
      items.push({ who: line.who === "person" ? "person" : "agent", text: line.text, at: index + 1 });
      if (line.who !== "person") seen[line.text] = true;
    });
    liveLines.forEach(function (line) {
      if (seen[line.text]) return;
      var who = line.who === "reply" || line.who === "question" ? "agent" : line.who;
      items.push({ who: who, text: line.text, at: line.after + 0.5 });
    });
    items.sort(function (a, b) { return a.at - b.at; });
    // Append what is new, so screen readers announce only the new lines; rebuild when the
    // conversation changed otherwise (an undo, a notice that the transcript now holds).
    var keys = items.map(function (item) { return item.who + "\u0000" + item.text; });
    var shown = Array.prototype.map.call(box.children, function (child) {
      return child.getAttribute("data-key");
    });
    // The transcript is a window of the last lines: drop the lines that left it at the top.
    var drop = -1;
    for (var k = 0; k <= shown.length && drop < 0; k += 1) {
      var rest = shown.length - k;
      if (rest > keys.length) continue;
      var same = true;
      for (var i = 0; i < rest && same; i += 1) same = shown[k + i] === keys[i];
      if (same) drop = k;
    }
    if (drop < 0 || (drop > 0 && drop === shown.length)) {
      box.textContent = "";
      drop = 0;
      shown = [];
    }
    for (var d = 0; d < drop; d += 1) box.removeChild(box.firstChild);
    var kept = shown.length - drop;
    var added = false;
    items.forEach(function (item, index) {
      if (index < kept) return;
      var label = { person: "You", agent: "storyreel", notice: "Note", problem: "Problem" }[item.who];
      var line = el("li", { className: "line line-" + item.who }, [
        el("span", { className: "line-who", text: label }), item.text
      ]);
      line.setAttribute("data-key", keys[index]);
      box.appendChild(line);
      added = true;
    });
    if (nearBottom || added) box.scrollTop = box.scrollHeight;
  }

  /* ---------------- the player ---------------- */

  function findShot(id) {
    if (!snap) return null;
    return (snap.shots || []).filter(function (s) { return String(s.id) === String(id); })[0] || null;
  }

  function findTake(shot, number) {
    return (shot.takes || []).filter(function (t) { return t.number === number; })[0] ||
      (shot.take && shot.take.number === number ? shot.take : null);
  }

  function openPlayer(id, takeNumber) {
    playerShot = id;
    playerTake = takeNumber;
    var shot = findShot(id);
    var take = shot && findTake(shot, takeNumber);
    if (!take) return;
    var video = $("player-video");
    video.poster = take.poster_url || "";
    video.src = take.url;
    $("player").hidden = false;
    refreshPlayer();
    $("player-close").focus();
    var played = video.play();
    if (played && played.catch) played.catch(function () { /* the room can press play */ });
  }

  function closePlayer() {
    var video = $("player-video");
    video.pause();
    video.removeAttribute("src");
    video.load();
    $("player").hidden = true;
    playerShot = null;
  }

  function refreshPlayer() {
    if (playerShot === null) return;
    var shot = findShot(playerShot);
    if (!shot) { closePlayer(); return; }
    var take = findTake(shot, playerTake) || shot.take;
    $("player-title").textContent = "Shot " + shot.number + (take ? " \u00b7 take " + take.number : "");
    var caption = $("player-caption");
    caption.textContent = "";
    caption.appendChild(document.createTextNode(shot.action || ""));
    if (take) caption.appendChild(verdictNode(take));
  }

  /* ---------------- comparing takes ---------------- */

  function openCompare(id) {
    var shot = findShot(id);
    if (!shot || !(shot.takes || []).length) return;
    compareShot = id;
    var numbers = shot.takes.map(function (t) { return t.number; });
    var current = shot.take ? shot.take.number : numbers[numbers.length - 1];
    var other = numbers.filter(function (n) { return n !== current; });
    comparePick = [current, other.length ? other[other.length - 1] : current];
    $("compare").hidden = false;
    buildCompare();
    $("compare-close").focus();
  }

  function closeCompare() {
    Array.prototype.forEach.call($("compare-sides").querySelectorAll("video"), function (v) { v.pause(); });
    $("compare-sides").textContent = "";
    $("compare").hidden = true;
    compareShot = null;
  }

  function refreshCompare() {
    if (compareShot === null) return;
    var shot = findShot(compareShot);
    if (!shot || !(shot.takes || []).length) { closeCompare(); return; }
    var numbers = shot.takes.map(function (t) { return t.number; });
    comparePick = comparePick.map(function (n) { return numbers.indexOf(n) >= 0 ? n : numbers[numbers.length - 1]; });
    // Keep the videos that are playing; only the labels and the "in the film" marks change.
    var sides = $("compare-sides").querySelectorAll(".compare-side");
    var same = sides.length === 2 && comparePick.every(function (n, i) {
      return sides[i].getAttribute("data-take") === String(n) &&
        sides[i].getAttribute("data-count") === String(numbers.length);
    });
    if (!same) { buildCompare(); return; }
    comparePick.forEach(function (n, i) { fillCompareSide(sides[i], shot, n, i, false); });
  }

  function buildCompare() {
    var shot = findShot(compareShot);
    if (!shot) return;
    $("compare-title").textContent = "Shot " + shot.number + ": compare takes";
    var box = $("compare-sides");
    Array.prototype.forEach.call(box.querySelectorAll("video"), function (v) { v.pause(); });
    box.textContent = "";
    comparePick.forEach(function (n, i) {
      var side = el("div", { className: "compare-side" });
      fillCompareSide(side, shot, n, i, true);
      box.appendChild(side);
    });
  }

  function fillCompareSide(side, shot, number, index, build) {
    var take = findTake(shot, number);
    if (!take) return;
    var current = shot.take && shot.take.number === take.number;
    side.setAttribute("data-take", String(take.number));
    side.setAttribute("data-count", String((shot.takes || []).length));
    side.classList.toggle("is-current", !!current);
    if (build) {
      side.textContent = "";
      side.appendChild(el("p", { className: "take-title", text: "Take " + take.number }));
      if ((shot.takes || []).length > 2) {
        side.appendChild(el("div", { className: "take-pick", role: "group", "aria-label": "Show another take here" },
          shot.takes.map(function (t) {
            return el("button", {
              type: "button",
              className: "btn btn-small" + (t.number === take.number ? " btn-on" : ""),
              "aria-pressed": t.number === take.number ? "true" : "false",
              text: "Take " + t.number,
              onclick: function () { comparePick[index] = t.number; buildCompare(); }
            });
          })));
      }
      side.appendChild(el("video", {
        controls: true, playsinline: true, preload: "metadata",
        src: take.url, poster: take.poster_url || null,
        "aria-label": "Take " + take.number + " of shot " + shot.number
      }));
      side.appendChild(el("div", { className: "side-verdict" }));
      side.appendChild(el("div", { className: "side-action" }));
    }
    // Only the verdict and the button change on a refresh: the videos keep playing.
    var verdictBox = side.querySelector(".side-verdict");
    verdictBox.textContent = "";
    verdictBox.appendChild(verdictNode(take));
    var actionBox = side.querySelector(".side-action");
    actionBox.textContent = "";
    actionBox.appendChild(current
      ? el("p", { className: "in-film", text: "\u2713 This take is in the film" })
      : el("button", {
          type: "button", className: "btn btn-primary",
          "aria-label": "Use take " + take.number + " of shot " + shot.number,
          text: "Use this take",
          onclick: function () {
            post("/api/shots/" + encodeURIComponent(String(shot.id)) + "/select", { take: take.number }).then(afterPost);
          }
        }));
  }

  /* ---------------- what the room does ---------------- */

  function afterPost(result) {
    if (result) fetchState(false);
    return result;
  }

  function say(text) {
    return post("/api/say", { text: text }).then(afterPost);
  }

  function answerChoice(value) {
    post("/api/answer", { value: value }).then(afterPost);
  }

  function submitFrom(input) {
    var text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    say(text).then(function (result) {
      if (result) input.value = "";
    });
  }

  function enterSends(input, form) {
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
      }
    });
  }

  function showToast(text) {
    $("toast-text").textContent = text;
    $("toast").hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { $("toast").hidden = true; }, 9000);
  }

  /* ---------------- text size ---------------- */

  function readFontSize() {
    var stored = null;
    try { stored = parseInt(window.localStorage.getItem(FONT_KEY), 10); } catch (e) { stored = null; }
    if (!stored || isNaN(stored)) {
      // Large by default; a bit smaller on a phone so the words still fit.
      return window.innerWidth < 600 ? 18 : FONT_DEFAULT;
    }
    return Math.max(FONT_MIN, Math.min(FONT_MAX, stored));
  }

  function setFontSize(px, remember) {
    px = Math.max(FONT_MIN, Math.min(FONT_MAX, px));
    document.documentElement.style.setProperty("--text-size", px + "px");
    $("font-down").disabled = px <= FONT_MIN;
    $("font-up").disabled = px >= FONT_MAX;
    if (remember) {
      try { window.localStorage.setItem(FONT_KEY, String(px)); } catch (e) { /* private mode */ }
    }
    return px;
  }

  /* ---------------- wiring ---------------- */

  function init() {
    var fontSize = setFontSize(readFontSize(), false);
    $("font-up").addEventListener("click", function () { fontSize = setFontSize(fontSize + FONT_STEP, true); });
    $("font-down").addEventListener("click", function () { fontSize = setFontSize(fontSize - FONT_STEP, true); });

    ["guide-btn", "welcome-guide-btn"].forEach(function (id) {
      $(id).addEventListener("click", function () { post("/api/guide", {}).then(afterPost); });
    });
    $("stop-btn").addEventListener("click", function () { post("/api/cancel", {}).then(afterPost); });
    $("undo-btn").addEventListener("click", function () { post("/api/undo", {}).then(afterPost); });
    $("export-btn").addEventListener("click", function () { post("/api/export", {}).then(afterPost); });
    $("skip-btn").addEventListener("click", function () { say("skip"); });
    $("pause-btn").addEventListener("click", function () { say("pause"); });
    $("toast-close").addEventListener("click", function () { $("toast").hidden = true; });

    $("question-form").addEventListener("submit", function (event) {
      event.preventDefault();
      submitFrom($("question-input"));
    });
    $("chat-form").addEventListener("submit", function (event) {
      event.preventDefault();
      submitFrom($("chat-input"));
    });
    enterSends($("question-input"), $("question-form"));
    enterSends($("chat-input"), $("chat-form"));

    $("cut-video").addEventListener("error", reloadCut);
    $("player-close").addEventListener("click", closePlayer);
    $("compare-close").addEventListener("click", closeCompare);
    [["player", closePlayer], ["compare", closeCompare]].forEach(function (pair) {
      $(pair[0]).addEventListener("click", function (event) {
        if (event.target === $(pair[0])) pair[1]();
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      if (!$("player").hidden) closePlayer();
      if (!$("compare").hidden) closeCompare();
    });

    fetchState(false);
    connect();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
