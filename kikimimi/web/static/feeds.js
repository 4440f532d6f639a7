// The live feeds page: every POLL_MS, ask /feeds/updates for the newest posts and spike
// alerts (HTML the server rendered and escaped from the page's own partials) and add those
// the page does not show yet, in their place; new ones are marked "fresh" for a while.
(function () {
  "use strict";

  const POLL_MS = 5000;
  const FRESH_MS = 10000;
  const items = document.getElementById("feed-items");
  const spikes = document.getElementById("spikes");
  const status = document.getElementById("live-status");
  if (!items || !spikes || !window.kikimimi) {
    return;
  }

  function shown(list, id) {
    return Array.from(list.children).some((child) => child.dataset.id === id);
  }

  function element(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  // Add the entries (newest first, as the server orders them) that the list lacks: each
  // goes just before the next entry of the answer that the list shows, else on top.
  function merge(list, entries, emptyId) {
    let added = 0;
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const entry = entries[i];
      if (shown(list, entry.id)) {
        continue;
      }
      const node = element(entry.html);
      if (!node) {
        continue;
      }
      const later = entries.slice(0, i).reverse().find((e) => shown(list, e.id));
      const anchor = later
        ? Array.from(list.children).find((child) => child.dataset.id === later.id)
        : null;
      if (anchor) {
        anchor.after(node);
      } else {
        list.prepend(node);
      }
      node.classList.add("fresh");
      window.setTimeout(() => node.classList.remove("fresh"), FRESH_MS);
      added += 1;
    }
    if (added) {
      const empty = document.getElementById(emptyId);
      if (empty) {
        empty.remove();
      }
    }
    return added;
  }

  async function poll() {
    try {
      const answer = await window.kikimimi.api(items.dataset.updates);
      const added = merge(items, answer.items, "no-items") + merge(spikes, answer.spikes, "no-spikes");
      status.textContent = added ? `${added} new` : "";
    } catch (error) {
      status.textContent = `Not updating: ${error.message}`;
    }
    window.setTimeout(poll, POLL_MS);
  }

  window.setTimeout(poll, POLL_MS);
})();
