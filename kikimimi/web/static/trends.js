// The trends page (/trends): the controls, then each figure fetched on its own from the
// /api/v1/trends routes with the page's query (the exact period, bucket and brands the server
// worked out) and drawn with Chart.js — a figure that fails (Elasticsearch down) says so
// and the others still show. The charts are trends_charts.js's, the lists and the panel of
// the posts behind a figure trends_lists.js's, both on the toolkit of trends_kit.js.
(function () {
  "use strict";

  const kit = window.kikimimiTrends;
  const lists = window.kikimimiTrendsLists;
  const drawing = window.kikimimiTrendsCharts;
  const { setState } = kit;

  // Presets pick their own bucket and hide the custom days (not sent with the form).
  function controls() {
    const period = document.getElementById("trend-period");
    if (!period) {
      return;
    }
    const days = [document.getElementById("trend-start"), document.getElementById("trend-end")];
    const bucket = document.getElementById("trend-bucket");
    const sync = () => {
      for (const day of days) {
        day.disabled = period.value !== "custom";
      }
    };
    period.addEventListener("change", () => {
      const preset = period.selectedOptions[0].dataset.bucket;
      if (preset) {
        bucket.value = preset;
      }
      sync();
    });
    sync();
  }

  controls();
  const root = document.getElementById("trends");
  if (!root || !root.dataset.query || !window.kikimimi || !kit || !lists || !drawing) {
    return;
  }

  const base = new URLSearchParams(root.dataset.query);
  const view = {
    start: root.dataset.start,
    end: root.dataset.end,
    previousStart: root.dataset.previousStart,
    bucket: root.dataset.bucket,
    brands: base.getAll("brand"),
  };
  const label = kit.bucketLabeller(view.bucket, view.start);
  const previousLabel = kit.bucketLabeller(view.bucket, view.previousStart);
  const section = (id) => document.getElementById(id);

  function get(path) {
    return window.kikimimi.api(path);
  }

  // A trends route with the page's query, params replacing its values (a list: repeated).
  function api(route, params) {
    const query = new URLSearchParams(base);
    for (const [key, value] of Object.entries(params)) {
      if (value === null || value === undefined) {
        continue;
      }
      query.delete(key);
      for (const one of [].concat(value)) {
        query.append(key, one);
      }
    }
    return get(`/api/v1/${route}?${query}`);
  }

  const ctx = { view, api, get, label, previousLabel };
  const showPosts = lists.postsPanel(ctx);
  ctx.showPosts = showPosts;

  // Run draw(answer) on the figure's answer; a failure is the figure's message.
  function figure(id, answer, draw) {
    answer.then(
      (found) => {
        try {
          draw(section(id), found);
        } catch (error) {
          setState(section(id), `Cannot be drawn: ${error.message}`, true);
        }
      },
      (error) => setState(section(id), kit.problemText(error), true),
    );
  }

  const { volume, sentimentOverTime, netSentiment, shareOfVoice, sources, topics } = drawing.charts(ctx);
  const volumeAnswer = api("trends/volume", {});
  figure("volume", volumeAnswer, volume);
  figure("sentiment-time", volumeAnswer, sentimentOverTime);
  figure("net-sentiment", api("trends/sentiment", {}), netSentiment);
  figure("share-of-voice", api("trends/share-of-voice", {}), shareOfVoice);
  figure("sources", api("trends/sources", {}), sources);
  figure("topics", api("trends/topics", {}), topics);
  figure("themes", api("trends/themes", {}), (box, found) => lists.themes(box, found, ctx));
  figure("authors", api("trends/authors", {}), (box, found) => lists.authors(box, found, ctx));
  lists.spikes(section("spikes"), ctx).catch((error) => setState(section("spikes"), kit.problemText(error), true));
  lists.emerging(section("emerging"), ctx); // last: it may take a while
})();
