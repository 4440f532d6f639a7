// SLA countdowns: every element with data-due (and data-amber) shows "due in …" or
// "overdue …" and the class ok / amber / red, recomputed every 30 s. The server renders
// the same text first (kikimimi/web/casework/views.py); answered and closed ones stay.
(function () {
  "use strict";

  const STATES = ["ok", "amber", "red"];

  function duration(ms) {
    let minutes = Math.max(Math.floor(ms / 60000), 0);
    if (minutes < 60) {
      return minutes + " min";
    }
    let hours = Math.floor(minutes / 60);
    minutes %= 60;
    if (hours < 48) {
      return hours + " h " + String(minutes).padStart(2, "0") + " min";
    }
    const days = Math.floor(hours / 24);
    hours %= 24;
    return days + " d " + hours + " h";
  }

  function refresh(root) {
    const now = Date.now();
    const selector = "[data-due][data-sla]";
    const holders = Array.from(root.querySelectorAll(selector));
    if (root instanceof Element && root.matches(selector)) {
      holders.push(root);
    }
    for (const holder of holders) {
      const shown = holder.classList.contains("sla") ? holder : holder.querySelector(".sla");
      if (!shown || !STATES.includes(holder.dataset.sla)) {
        continue; // answered or closed: no countdown
      }
      const due = Date.parse(holder.dataset.due);
      const amber = Date.parse(holder.dataset.amber);
      let state = "ok";
      if (holder.dataset.sla === "red" || now >= due) {
        state = "red";
      } else if (now >= amber) {
        state = "amber";
      }
      shown.textContent = state === "red" ? "overdue " + duration(now - due) : "due in " + duration(due - now);
      shown.classList.remove(...STATES);
      shown.classList.add(state);
      holder.dataset.sla = state;
    }
  }

  window.kikimimiSla = Object.freeze({ refresh, duration });
  document.addEventListener("DOMContentLoaded", () => {
    refresh(document);
    window.setInterval(() => refresh(document), 30000);
  });
})();
