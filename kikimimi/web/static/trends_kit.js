// The trends page's toolkit (static/trends.js and trends_lists.js use it as
// window.kikimimiTrends): elements built with text only (post text and author names are
// hostile: never HTML), links only to http(s) or this site, number and time formats, posts
// as feed items, tables whose numbers list their posts, and charts on the vendored Chart.js
// with the page's interactions: values on hover, legend entries that hide and show their
// series, and a click on a bar or point that asks for the posts behind it.
(function () {
  "use strict";

  const ATTRIBUTES = new Set([
    "id", "lang", "datetime", "title", "type", "scope", "rel", "target", "role",
    "aria-label", "aria-live", "tabindex", "value",
  ]);
  const SENTIMENTS = ["positive", "neutral", "negative"];
  const BUCKET_MS = { hour: 3600e3, day: 86400e3, week: 7 * 86400e3 };
  const PALETTE = [
    "#2f6f8f", "#d9822b", "#7a5cb8", "#3f9f6a", "#c2477a",
    "#8c7a2a", "#4a90c8", "#a6553a", "#5f8f8a", "#7a7f87",
  ];
  const SENTIMENT_COLORS = {
    positive: "#3b8c6e",
    neutral: "#98a4a2",
    negative: "#c0452f",
    unlabelled: "#d3dad8",
  };
  const numbers = new Intl.NumberFormat("en-GB");
  const moments = new Intl.DateTimeFormat("en-GB", {
    dateStyle: "medium", timeStyle: "short", timeZone: "UTC",
  });

  // An href that is safe to follow: http(s), or a path of this site.
  function safeHref(url) {
    if (typeof url !== "string") {
      return null;
    }
    return /^https?:\/\//i.test(url) || /^\/(?![/\\])/.test(url) ? url : null;
  }

  // An element: props are text, className, dataset, onClick, href (checked) or harmless
  // attributes; children are nodes or strings (added as text).
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) {
        continue;
      }
      if (key === "text") {
        node.textContent = String(value);
      } else if (key === "className") {
        node.className = value;
      } else if (key === "dataset") {
        Object.assign(node.dataset, value);
      } else if (key === "onClick") {
        node.addEventListener("click", value);
      } else if (key === "href") {
        const href = safeHref(value);
        if (href) {
          node.setAttribute("href", href);
        }
      } else if (ATTRIBUTES.has(key)) {
        node.setAttribute(key, value === true ? "" : String(value));
      } else {
        throw new Error(`el: ${key} is not an allowed property`);
      }
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  function part(section, name) {
    return section.querySelector(`[data-part="${name}"]`);
  }

  // The line under a figure: "Loading…", a problem (marked as such), or nothing.
  function setState(section, text, problem = false) {
    const node = part(section, "state");
    node.textContent = text || "";
    node.hidden = !text;
    node.classList.toggle("alert", problem);
  }

  function problemText(error) {
    if (error && error.status === 503) {
      return `Cannot be computed now (is Elasticsearch running?): ${error.message}`;
    }
    return `Cannot be shown: ${error && error.message ? error.message : error}`;
  }

  const count = (n) => (n === null || n === undefined ? "–" : numbers.format(n));
  const sign = (x) => (x > 0 ? "+" : x < 0 ? "−" : "±");
  const signed = (x, digits) => (x === null || x === undefined ? "–" : `${sign(x)}${Math.abs(x).toFixed(digits)}`);
  const percent = (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)}%`);
  const points = (x) => (x === null || x === undefined ? "–" : `${signed(x * 100, 1)} pts`);

  // A Change ({current, previous, difference, ratio}): "+20 (+50%)".
  function change(c) {
    const difference = `${sign(c.difference)}${numbers.format(Math.abs(c.difference))}`;
    return c.ratio === null ? difference : `${difference} (${signed(c.ratio * 100, 0)}%)`;
  }

  function when(iso) {
    return `${moments.format(new Date(iso))} UTC`;
  }

  // Labels for the buckets of a period starting at startIso: days by date when they start
  // at midnight (UTC), else with their time.
  function bucketLabeller(bucket, startIso) {
    const start = new Date(startIso);
    const midnight = start.getUTCHours() === 0 && start.getUTCMinutes() === 0;
    const options = bucket === "hour" || !midnight
      ? { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }
      : { weekday: "short", day: "numeric", month: "short" };
    const format = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" });
    return (iso) => format.format(new Date(iso));
  }

  // The bucket starting at iso, cut at limitIso (a period's last bucket may be shorter).
  function bucketSpan(iso, bucket, limitIso) {
    const start = new Date(iso);
    const end = new Date(Math.min(start.getTime() + BUCKET_MS[bucket], new Date(limitIso).getTime()));
    return { start: start.toISOString(), end: end.toISOString() };
  }

  function brandColor(index) {
    return PALETTE[index % PALETTE.length];
  }

  function sentimentClass(label) {
    return SENTIMENTS.includes(label) ? label : "other";
  }

  // A post (the API's feed item) as the feeds page shows it, every value as text.
  function feedItem(item) {
    const score = typeof item.sentiment_score === "number" ? ` ${item.sentiment_score.toFixed(2)}` : "";
    const url = safeHref(item.url) && /^https?:/i.test(item.url) ? item.url : null;
    return el(
      "li",
      { className: "feed-item", dataset: { id: item.id } },
      el(
        "div",
        { className: "feed-top" },
        item.sentiment
          ? el("span", { className: `sentiment sentiment-${sentimentClass(item.sentiment)}`, text: item.sentiment + score })
          : null,
        (item.brands || []).map((brand) => el("span", { className: "brand-name", text: brand })),
      ),
      el("p", { className: "feed-text", lang: item.lang || null, text: item.excerpt || "(no text)" }),
      el(
        "div",
        { className: "feed-meta muted" },
        el("span", { className: "source", text: item.source }),
        " · ",
        el("span", { className: "author", text: item.author }),
        " · ",
        el("time", { datetime: item.published_at, text: when(item.published_at) }),
        url ? [" · ", el("a", { href: url, rel: "noopener noreferrer nofollow", target: "_blank", text: "original" })] : null,
      ),
      item.topics && item.topics.length
        ? el("div", { className: "feed-why muted", text: `topics ${item.topics.join(", ")}` })
        : null,
    );
  }

  // A table: the first cell of a row is its header; a cell is text, a node, or
  // {text, pick} — a button listing the posts behind that number (onPick(pick)).
  function table(headers, rows, onPick, caption) {
    const cell = (value, index) => {
      const tag = index === 0 ? "th" : "td";
      const props = index === 0 ? { scope: "row" } : { className: "number" };
      if (value && typeof value === "object" && "pick" in value && !(value instanceof Node)) {
        const button = value.pick
          ? el("button", { type: "button", className: "link-button", text: value.text, onClick: () => onPick(value.pick) })
          : value.text;
        return el(tag, props, button);
      }
      return el(tag, props, value);
    };
    return el(
      "table",
      { className: "list trend-data" },
      caption ? el("caption", { className: "visually-hidden", text: caption }) : null,
      el("thead", {}, el("tr", {}, headers.map((header) => el("th", { scope: "col", text: header })))),
      el("tbody", {}, rows.map((row) => el("tr", {}, row.map(cell)))),
    );
  }

  function themeColors() {
    const style = getComputedStyle(document.body);
    return {
      text: style.color,
      line: style.getPropertyValue("--line").trim() || "#dde3e0",
      font: style.fontFamily,
    };
  }

  // A chart on canvas (the previous one there, if any, replaced). pick(datasetIndex, index)
  // answers the posts behind a bar or point ({what, params}) or null; a click on one calls
  // onPick with it.
  function chart(canvas, config, pick, onPick) {
    const Chart = window.Chart;
    const previous = Chart.getChart(canvas);
    if (previous) {
      previous.destroy();
    }
    const colors = themeColors();
    Chart.defaults.color = colors.text;
    Chart.defaults.borderColor = colors.line;
    Chart.defaults.font.family = colors.font;
    const options = config.options || {};
    const plugins = options.plugins || {};
    return new Chart(canvas, {
      ...config,
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "nearest", intersect: true },
        ...options,
        plugins: { legend: { position: "bottom" }, ...plugins },
        onHover: (event, elements) => {
          canvas.style.cursor = elements.length ? "pointer" : "default"; // CSSOM: allowed by the CSP
        },
        onClick: (event, _elements, instance) => {
          const hits = instance.getElementsAtEventForMode(event, "nearest", { intersect: true }, true);
          const found = hits.length ? pick(hits[0].datasetIndex, hits[0].index) : null;
          if (found) {
            onPick(found);
          }
        },
      },
    });
  }

  window.kikimimiTrends = Object.freeze({
    BUCKET_MS,
    SENTIMENT_COLORS,
    brandColor,
    bucketLabeller,
    bucketSpan,
    change,
    chart,
    count,
    el,
    feedItem,
    part,
    percent,
    points,
    problemText,
    safeHref,
    setState,
    signed,
    table,
    when,
  });
})();
