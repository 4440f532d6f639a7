// The case page: keeps "X is viewing" and the holder current (POST …/presence every 10 s,
// which also tells the server this page is still open) and puts a chosen canned response
// into the response box.
(function () {
  "use strict";

  const page = document.getElementById("case");
  if (!page) {
    return;
  }
  const id = page.dataset.caseId;
  const banner = document.getElementById("viewing");

  async function beat() {
    try {
      const answer = await window.kikimimi.api("/api/v1/cases/" + encodeURIComponent(id) + "/presence", { method: "POST" });
      const viewers = answer.viewers;
      banner.textContent = viewers.length ? viewers.join(", ") + (viewers.length === 1 ? " is" : " are") + " viewing this case." : "";
      banner.hidden = viewers.length === 0;
      for (const holder of page.querySelectorAll(".holder")) {
        holder.textContent = answer.holder || "nobody";
      }
    } catch (error) {
      // a network hiccup: the next beat tries again
    }
  }

  const canned = document.getElementById("canned");
  const response = document.getElementById("response");
  if (canned && response) {
    canned.addEventListener("change", () => {
      if (canned.value) {
        response.value = canned.value;
        response.focus();
      }
    });
  }

  window.setInterval(beat, 10000);
})();
