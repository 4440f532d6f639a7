// The inbox: live cards from the /api/v1/cases/events stream (EventSource, which
// reconnects by itself and sends Last-Event-ID), keyboard shortcuts (J/K move, Enter
// opens, A assigns to me, E closes as not actionable) and bulk selection.
(function () {
  "use strict";

  const list = document.getElementById("cases");
  if (!list) {
    return;
  }
  const status = document.getElementById("live-status");
  let current = null;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function cards() {
    return Array.from(list.querySelectorAll(".case-card"));
  }

  // the order of the page: most urgent priority first, then the earliest SLA due time
  function before(a, b) {
    const rankA = Number(a.dataset.rank);
    const rankB = Number(b.dataset.rank);
    if (rankA !== rankB) {
      return rankA < rankB;
    }
    return Date.parse(a.dataset.due) < Date.parse(b.dataset.due);
  }

  function place(data) {
    const holder = document.createElement("template");
    holder.innerHTML = data.html.trim(); // server-rendered and escaped by the template
    const card = holder.content.firstElementChild;
    if (!card || !card.classList.contains("case-card")) {
      return;
    }
    const old = document.getElementById(card.id);
    if (old) {
      const picked = old.querySelector(".pick");
      card.querySelector(".pick").checked = Boolean(picked && picked.checked);
      old.remove();
    }
    const next = cards().find((other) => before(card, other));
    list.insertBefore(card, next || null);
    if (old && old === current) {
      select(card);
    }
    card.classList.add("fresh");
    window.setTimeout(() => card.classList.remove("fresh"), 2000);
    const empty = document.getElementById("no-cases");
    if (empty) {
      empty.remove();
    }
    if (window.kikimimiSla) {
      window.kikimimiSla.refresh(card);
    }
  }

  function remove(id) {
    const card = document.getElementById("case-" + id);
    if (card) {
      if (card === current) {
        current = null;
      }
      card.remove();
    }
  }

  function listen() {
    const query = list.dataset.query;
    const since = encodeURIComponent(list.dataset.since);
    const source = new EventSource("/api/v1/cases/events?" + (query ? query + "&" : "") + "since=" + since);
    source.addEventListener("card", (event) => place(JSON.parse(event.data)));
    source.addEventListener("gone", (event) => remove(JSON.parse(event.data).id));
    source.addEventListener("problem", (event) => say("Live updates paused: " + JSON.parse(event.data).error));
    source.addEventListener("open", () => say(""));
    source.addEventListener("error", () => say("Live updates reconnecting…"));
  }

  function select(card) {
    if (current) {
      current.classList.remove("current");
    }
    current = card;
    if (card) {
      card.classList.add("current");
      card.scrollIntoView({ block: "nearest" });
      card.querySelector(".case-link").focus({ preventScroll: true });
    }
  }

  function move(step) {
    const all = cards();
    if (!all.length) {
      return;
    }
    const at = all.indexOf(current);
    const to = at < 0 ? 0 : Math.min(Math.max(at + step, 0), all.length - 1);
    select(all[to]);
  }

  async function act(card, path, body, done) {
    const id = card.dataset.caseId;
    try {
      await window.kikimimi.api("/api/v1/cases/" + encodeURIComponent(id) + path, { method: "POST", body });
      say(done);
    } catch (error) {
      say(error.message);
    }
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]")) {
      return;
    }
    const key = event.key.toLowerCase();
    if (key === "j") {
      move(1);
    } else if (key === "k") {
      move(-1);
    } else if (key === "enter" && current) {
      window.location.assign(current.querySelector(".case-link").href);
    } else if (key === "a" && current) {
      act(current, "/claim", {}, "Assigned to you.");
    } else if (key === "e" && current) {
      const card = current;
      act(card, "/close", { resolution: "not actionable" }, "Closed as not actionable.");
    } else {
      return;
    }
    event.preventDefault();
  });

  list.addEventListener("click", (event) => {
    const card = event.target instanceof Element ? event.target.closest(".case-card") : null;
    if (card && !(event.target instanceof HTMLInputElement)) {
      select(card);
    }
  });

  listen();
})();
