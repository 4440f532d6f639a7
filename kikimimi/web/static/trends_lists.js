// The trends page's lists (static/trends.js calls them as window.kikimimiTrendsLists): the
// panel of the posts behind a figure, rising themes, emerging themes (which may still be
// being computed: they retry, and never hold up the rest of the page), spike alerts with
// their why and top sources, and the most-reached authors. Every value is shown as text.
(function () {
  "use strict";

  const kit = window.kikimimiTrends;
  const { el, part, setState, count } = kit;
  const POSTS = 50;
  const SPIKES = 10;
  const EMERGING_TRIES = 6;
  const EMERGING_RETRY_MS = 10000;
  const BARS = "▁▂▃▄▅▆▇█";

  // The posts panel: show(what, params, near) lists the newest posts matching params (the
  // /api/v1/trends/posts filters) right below the section `near`, and moves the focus there.
  function postsPanel(ctx) {
    const panel = document.getElementById("trend-posts");
    const heading = panel.querySelector("h2");
    const list = part(panel, "list");
    let asked = 0;
    document.getElementById("trend-posts-close").addEventListener("click", () => {
      asked += 1;
      panel.hidden = true;
    });

    return async function show(what, params, near) {
      const ticket = (asked += 1);
      if (near && near !== panel) {
        near.after(panel);
      }
      panel.hidden = false;
      heading.textContent = `Posts: ${what}`;
      part(panel, "what").textContent = `${kit.when(params.start || ctx.view.start)} – ${kit.when(params.end || ctx.view.end)}`;
      list.replaceChildren();
      setState(panel, "Loading…");
      heading.focus({ preventScroll: true });
      panel.scrollIntoView({ block: "nearest" });
      try {
        const answer = await ctx.api("trends/posts", { ...params, size: POSTS });
        if (ticket !== asked) {
          return;
        }
        list.replaceChildren(...answer.posts.map(kit.feedItem));
        const shown = answer.posts.length;
        setState(
          panel,
          answer.total === 0
            ? "No posts."
            : shown < answer.total
              ? `The ${count(shown)} newest of ${count(answer.total)} posts.`
              : `${count(answer.total)} post${answer.total === 1 ? "" : "s"}.`,
        );
      } catch (error) {
        if (ticket === asked) {
          setState(panel, kit.problemText(error), true);
        }
      }
    };
  }

  function themes(section, answer, ctx) {
    if (!answer.themes.length) {
      setState(
        section,
        answer.previous_total
          ? "No theme rises in this period."
          : "No posts in the previous period to compare with: nothing can rise.",
      );
      return;
    }
    setState(section, "");
    part(section, "list").replaceChildren(
      ...answer.themes.map((theme) =>
        el(
          "li",
          { className: "theme" },
          el(
            "div",
            { className: "theme-top" },
            el("strong", { className: "theme-term", text: theme.term }),
            el("span", {
              className: "muted",
              text: `${count(theme.posts)} posts, ${count(theme.previous_posts)} before · score ${theme.score.toFixed(1)}`,
            }),
            el("button", {
              type: "button",
              className: "link-button",
              text: "Posts",
              "aria-label": `Posts of the rising theme ${theme.term}`,
              onClick: () => ctx.showPosts(`rising theme “${theme.term}”`, { theme: theme.key }, section),
            }),
          ),
          examples(theme.examples),
        ),
      ),
    );
  }

  function examples(items) {
    if (!items || !items.length) {
      return null;
    }
    return el(
      "ul",
      { className: "theme-examples" },
      items.slice(0, 2).map((item) =>
        el(
          "li",
          { title: item.excerpt },
          el("span", { className: "feed-text", lang: item.lang || null, text: item.excerpt || "(no text)" }),
          el("span", { className: "muted", text: ` — ${item.author}, ${item.source}` }),
        ),
      ),
    );
  }

  // A series as a line of block characters (its numbers in the label).
  function sparkline(buckets, label) {
    const counts = buckets.map((bucket) => bucket.count);
    const top = Math.max(1, ...counts);
    const bars = counts.map((n) => BARS[Math.min(BARS.length - 1, Math.round((n / top) * (BARS.length - 1)))]);
    return el("span", {
      className: "sparkline",
      role: "img",
      "aria-label": `posts per bucket: ${buckets.map((b) => `${label(b.at)} ${b.count}`).join(", ")}`,
      text: bars.join(""),
    });
  }

  async function emerging(section, ctx, attempt = 1) {
    setState(section, attempt === 1 ? "Being computed…" : `Still being computed (try ${attempt} of ${EMERGING_TRIES})…`);
    part(section, "list").replaceChildren();
    let answer;
    try {
      answer = await ctx.api("trends/emerging", {});
    } catch (error) {
      if (error.status === 503 && attempt < EMERGING_TRIES) {
        setState(section, `Still being computed, or unavailable for now (${error.message}): trying again shortly…`);
        window.setTimeout(() => emerging(section, ctx, attempt + 1), EMERGING_RETRY_MS);
        return;
      }
      const text = error.status === 404
        ? "Emerging themes are not available on this server."
        : `Emerging themes are unavailable now: ${error.message}`;
      setState(section, text, true);
      part(section, "list").replaceChildren(
        el("li", {}, el("button", { type: "button", text: "Try again", onClick: () => emerging(section, ctx) })),
      );
      return;
    }
    const pending = answer.pending
      ? ` ${count(answer.pending)} newer posts are not analysed yet: ask again in a while.`
      : "";
    if (!answer.themes.length) {
      setState(
        section,
        (answer.total
          ? `No group of similar posts stands out among ${count(answer.total)} negative posts without a topic.`
          : "No negative post without a topic in this period.") + pending,
      );
      return;
    }
    setState(
      section,
      (answer.sampled < answer.total
        ? `The newest ${count(answer.sampled)} of ${count(answer.total)} negative posts without a topic, grouped.`
        : `${count(answer.total)} negative posts without a topic, grouped.`) + pending,
    );
    part(section, "list").replaceChildren(
      ...answer.themes.map((theme) =>
        el(
          "li",
          { className: "theme" },
          el(
            "div",
            { className: "theme-top" },
            el("strong", { className: "theme-term", text: theme.terms.join(" · ") }),
            el("span", { className: "muted", text: `${count(theme.size)} posts, ${count(theme.previous_size)} before` }),
            sparkline(theme.buckets, ctx.label),
          ),
          examples(theme.examples),
        ),
      ),
    );
  }

  function fold(text) {
    return String(text).normalize("NFKC").toLowerCase();
  }

  async function spikes(section, ctx) {
    const brands = new Set(ctx.view.brands.map(fold));
    const start = new Date(ctx.view.start).getTime();
    const end = new Date(ctx.view.end).getTime();
    const all = await ctx.get("/api/v1/spikes?limit=100");
    const shown = all
      .filter((spike) => spike.brand === null || brands.has(fold(spike.brand)))
      .filter((spike) => {
        const from = new Date(spike.window_start || spike.raised_at).getTime();
        const to = new Date(spike.window_end || spike.raised_at).getTime();
        return from < end && to >= start;
      })
      .slice(0, SPIKES);
    if (!shown.length) {
      setState(section, "No spike alert for these brands in this period.");
      return;
    }
    setState(section, "");
    part(section, "list").replaceChildren(...shown.map((spike) => spikeItem(spike, section, ctx)));
  }

  function spikeItem(spike, section, ctx) {
    const sources = el("p", { className: "spike-sources muted" });
    const window_ = spike.window_start && spike.window_end ? { start: spike.window_start, end: spike.window_end } : null;
    const brand = spike.brand ? { brand: spike.brand } : {};
    const item = el(
      "li",
      { className: "spike" },
      el(
        "div",
        { className: "feed-top" },
        el("span", { className: "priority priority-urgent", text: "spike" }),
        el("strong", { className: "spike-subject", text: spike.subject }),
        el("time", { className: "muted", datetime: spike.raised_at, text: kit.when(spike.raised_at) }),
      ),
      el("p", { className: "spike-why", text: spike.why }),
      spike.examples.length
        ? el("ul", { className: "spike-examples muted" }, spike.examples.map((text) => el("li", { text })))
        : null,
      sources,
      window_
        ? el("button", {
          type: "button",
          className: "link-button",
          text: "Posts of the spike",
          onClick: () => ctx.showPosts(`spike “${spike.subject}”`, { ...brand, ...window_ }, section),
        })
        : null,
    );
    if (window_) {
      ctx.api("trends/sources", { ...brand, ...window_, size: 3 }).then(
        (answer) => {
          const top = answer.sources.map((s) => `${s.source} ${count(s.change.current)}`);
          sources.textContent = top.length ? `Top sources: ${top.join(" · ")}` : "";
        },
        (error) => {
          sources.textContent = `Top sources: ${kit.problemText(error)}`;
        },
      );
    }
    return item;
  }

  function authors(section, answer, ctx) {
    if (!answer.authors.length) {
      setState(section, "No author posted about these brands in this period.");
      return;
    }
    setState(section, "");
    const rows = answer.authors.map((author) => [
      el(
        "span",
        {},
        el("span", { className: "author", text: author.handle }),
        author.verified ? el("span", { className: "verified", title: "verified", text: " ✓" }) : null,
        author.name ? el("span", { className: "muted", text: ` ${author.name}` }) : null,
        el("span", { className: "muted", text: ` · ${author.source}` }),
      ),
      count(author.followers),
      { text: count(author.posts), pick: { author: author.handle, source: author.source } },
      count(author.reach),
    ]);
    const pick = (params) => ctx.showPosts(`posts by ${params.author}`, params, section);
    part(section, "table").replaceChildren(
      kit.table(["Author", "Followers", "Posts", "Reach"], rows, pick, "Most-reached authors"),
    );
  }

  window.kikimimiTrendsLists = Object.freeze({ authors, emerging, postsPanel, spikes, themes });
})();
