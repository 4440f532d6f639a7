// The trends page's charts (static/trends.js draws them with window.kikimimiTrendsCharts):
// volume and sentiment over time, net sentiment, share of voice, top sources and topics per
// brand, each with a table of its numbers. Every bar or point, and every number of a table
// that counts posts, lists the posts behind it (ctx.showPosts, the filters of
// /api/v1/trends/posts); the previous period's figures are there to compare.
(function () {
  "use strict";

  const kit = window.kikimimiTrends;
  const { el, part, setState, count, percent, points, signed, change } = kit;

  // The figures of a page: ctx holds its view (period, bucket, brands), its bucket labels
  // and showPosts(what, params, section).
  function charts(ctx) {
    const { view, label, previousLabel, showPosts } = ctx;
    const whole = { start: view.start, end: view.end };
    const before = { start: view.previousStart, end: view.start };
    const brandName = (b) => (b.role === "own" ? `${b.brand} (ours)` : b.brand);
    const tooltipLabel = (format) => ({ callbacks: { label: (item) => format(item) } });

    function chip(color, ...text) {
      const swatch = color ? el("span", { className: "swatch" }) : null;
      if (swatch) {
        swatch.style.backgroundColor = color; // CSSOM: allowed by the CSP
      }
      return el("li", { className: "trend-chip" }, swatch, ...text);
    }

    function volume(box, answer) {
      const brands = answer.brands;
      const labels = brands[0].series.map((p) => label(p.at));
      part(box, "summary").replaceChildren(
        ...brands.map((b, i) =>
          chip(kit.brandColor(i), el("strong", { text: brandName(b) }), ` ${count(b.change.current)} posts, ${change(b.change)} vs ${count(b.change.previous)} before`),
        ),
      );
      const picks = [];
      const series = (b, i, previous) => {
        const buckets = previous ? b.previous_series : b.series;
        const limit = previous ? view.start : view.end;
        const named = previous ? previousLabel : label;
        picks.push((index) => ({
          what: `${b.brand}${previous ? " (previous period)" : ""} · ${named(buckets[index].at)}`,
          params: { brand: b.brand, ...kit.bucketSpan(buckets[index].at, view.bucket, limit) },
        }));
        return {
          label: previous ? `${b.brand} (previous period)` : b.brand,
          data: buckets.map((p) => p.counts.total),
          at: buckets.map((p) => named(p.at)),
          borderColor: kit.brandColor(i),
          backgroundColor: kit.brandColor(i),
          borderDash: previous ? [6, 4] : [],
          hidden: previous,
          cubicInterpolationMode: "monotone",
          pointRadius: 3,
          pointHitRadius: 8,
        };
      };
      const datasets = [...brands.map((b, i) => series(b, i, false)), ...brands.map((b, i) => series(b, i, true))];
      kit.chart(
        box.querySelector("canvas"),
        {
          type: "line",
          data: { labels, datasets },
          options: {
            interaction: { mode: "index", intersect: false },
            scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
            plugins: tooltipLabel((item) => `${item.dataset.label} (${item.dataset.at[item.dataIndex]}): ${count(item.raw)}`),
          },
        },
        (d, i) => picks[d](i),
        (found) => showPosts(found.what, found.params, box),
      );
      const rows = labels.map((at, index) => [
        at,
        ...brands.map((b, d) => ({ text: count(b.series[index].counts.total), pick: picks[d](index) })),
      ]);
      const pick = (found) => showPosts(found.what, found.params, box);
      part(box, "table").replaceChildren(kit.table(["Bucket", ...brands.map(brandName)], rows, pick, "Posts per bucket"));
      setState(box, "");
    }

    const SENTIMENTS = [
      ["positive", "Positive"],
      ["neutral", "Neutral"],
      ["negative", "Negative"],
      ["unlabelled", "Not scored"],
    ];

    function sentimentOverTime(box, answer) {
      const brands = answer.brands;
      const select = part(box, "brand-select");
      const draw = () => {
        const chosen = brands.filter((b) => !select.value || b.brand === select.value);
        const who = select.value || "all chosen brands";
        const brand = select.value || brands.map((b) => b.brand);
        const buckets = brands[0].series.map((p, index) => {
          const sums = Object.fromEntries(SENTIMENTS.map(([key]) => [key, 0]));
          for (const b of chosen) {
            for (const [key] of SENTIMENTS) {
              sums[key] += b.series[index].counts[key];
            }
          }
          return { at: p.at, sums };
        });
        const pick = (d, index) => {
          const [key, name] = SENTIMENTS[d];
          if (key === "unlabelled") {
            return null; // not a sentiment the posts can be filtered by
          }
          const at = buckets[index].at;
          return {
            what: `${who} · ${name.toLowerCase()} · ${label(at)}`,
            params: { brand, sentiment: key, ...kit.bucketSpan(at, view.bucket, view.end) },
          };
        };
        kit.chart(
          box.querySelector("canvas"),
          {
            type: "bar",
            data: {
              labels: buckets.map((b) => label(b.at)),
              datasets: SENTIMENTS.map(([key, name]) => ({
                label: name,
                data: buckets.map((b) => b.sums[key]),
                backgroundColor: kit.SENTIMENT_COLORS[key],
              })),
            },
            options: {
              scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
            },
          },
          pick,
          (found) => showPosts(found.what, found.params, box),
        );
        const rows = buckets.map((b, index) => [
          label(b.at),
          ...SENTIMENTS.map(([key], d) => ({ text: count(b.sums[key]), pick: pick(d, index) })),
        ]);
        const onPick = (found) => showPosts(found.what, found.params, box);
        part(box, "table").replaceChildren(
          kit.table(["Bucket", ...SENTIMENTS.map(([, name]) => name)], rows, onPick, `Posts by sentiment, ${who}`),
        );
      };
      select.addEventListener("change", draw);
      draw();
      setState(box, "");
    }

    function netSentiment(box, answer) {
      const brands = answer.brands;
      const picks = [
        (i) => ({ what: `${brands[i].brand} · this period`, params: { brand: brands[i].brand, ...whole } }),
        (i) => ({ what: `${brands[i].brand} · previous period`, params: { brand: brands[i].brand, ...before } }),
      ];
      const totals = [brands.map((b) => b.current.total), brands.map((b) => b.previous.total)];
      kit.chart(
        box.querySelector("canvas"),
        {
          type: "bar",
          data: {
            labels: brands.map(brandName),
            datasets: [
              { label: "This period", data: brands.map((b) => b.net), backgroundColor: "#2f6f8f" },
              { label: "Previous period", data: brands.map((b) => b.previous_net), backgroundColor: "#a9b7b5" },
            ],
          },
          options: {
            scales: { y: { min: -1, max: 1 } },
            plugins: tooltipLabel((item) => `${item.dataset.label}: ${signed(item.raw, 2)} (${count(totals[item.datasetIndex][item.dataIndex])} posts)`),
          },
        },
        (d, i) => picks[d](i),
        (found) => showPosts(found.what, found.params, box),
      );
      const rows = brands.map((b, i) => [
        brandName(b),
        count(b.current.positive),
        count(b.current.neutral),
        { text: count(b.current.negative), pick: { what: `${b.brand} · negative`, params: { brand: b.brand, sentiment: "negative", ...whole } } },
        { text: signed(b.net, 2), pick: picks[0](i) },
        { text: signed(b.previous_net, 2), pick: picks[1](i) },
        signed(b.change, 2),
      ]);
      const onPick = (found) => showPosts(found.what, found.params, box);
      part(box, "table").replaceChildren(
        kit.table(["Brand", "Positive", "Neutral", "Negative", "Net", "Before", "Change"], rows, onPick, "Net sentiment per brand"),
      );
      setState(box, "");
    }

    function shareOfVoice(box, answer) {
      const brands = answer.brands;
      const kinds = [["all_posts", "All posts"], ["negative_posts", "Negative posts"]];
      const pick = (d, index) => ({
        what: `${brands[d].brand} · ${kinds[index][1].toLowerCase()}`,
        params: { brand: brands[d].brand, sentiment: index === 1 ? "negative" : null, ...whole },
      });
      const side = (name, shares) =>
        chip(null, el("strong", { text: name }), ` ${percent(shares.all_posts.share)} of posts (${points(shares.all_posts.change)}), ${percent(shares.negative_posts.share)} of negative posts (${points(shares.negative_posts.change)})`);
      part(box, "summary").replaceChildren(side("Ours", answer.own), side("Competitors", answer.competitors));
      kit.chart(
        box.querySelector("canvas"),
        {
          type: "bar",
          data: {
            labels: kinds.map(([, name]) => name),
            datasets: brands.map((b, i) => ({
              label: brandName(b),
              data: kinds.map(([key]) => (b[key].share === null ? 0 : b[key].share * 100)),
              backgroundColor: kit.brandColor(i),
            })),
          },
          options: {
            indexAxis: "y",
            scales: { x: { stacked: true, min: 0, max: 100, ticks: { callback: (v) => `${v}%` } }, y: { stacked: true } },
            plugins: tooltipLabel((item) => {
              const share = brands[item.datasetIndex][kinds[item.dataIndex][0]];
              return `${item.dataset.label}: ${percent(share.share)} (${count(share.posts)} posts; ${points(share.change)} vs before)`;
            }),
          },
        },
        pick,
        (found) => showPosts(found.what, found.params, box),
      );
      const rows = brands.map((b, d) => [
        brandName(b),
        ...kinds.flatMap(([key], index) => [
          { text: percent(b[key].share), pick: pick(d, index) },
          percent(b[key].previous_share),
          points(b[key].change),
        ]),
      ]);
      const onPick = (found) => showPosts(found.what, found.params, box);
      part(box, "table").replaceChildren(
        kit.table(["Brand", "Share", "Before", "Change", "Negative share", "Before", "Change"], rows, onPick, "Share of voice"),
      );
      setState(box, "");
    }

    function sources(box, answer) {
      const list = answer.sources;
      if (!list.length) {
        setState(box, "No posts about these brands in this period.");
        return;
      }
      const sets = [
        ["This period", (s) => s.change.current, whole, null, "#2f6f8f"],
        ["Previous period", (s) => s.change.previous, before, null, "#a9b7b5"],
        ["Negative, this period", (s) => s.negative, whole, "negative", kit.SENTIMENT_COLORS.negative],
      ];
      const pick = (d, index) => ({
        what: `${list[index].source} · ${sets[d][0].toLowerCase()}`,
        params: { source: list[index].source, sentiment: sets[d][3], ...sets[d][2] },
      });
      kit.chart(
        box.querySelector("canvas"),
        {
          type: "bar",
          data: {
            labels: list.map((s) => s.source),
            datasets: sets.map(([name, value, , , color]) => ({ label: name, data: list.map(value), backgroundColor: color })),
          },
          options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
        },
        pick,
        (found) => showPosts(found.what, found.params, box),
      );
      const rows = list.map((s, index) => [
        s.source,
        { text: count(s.change.current), pick: pick(0, index) },
        { text: count(s.change.previous), pick: pick(1, index) },
        change(s.change),
        { text: count(s.negative), pick: pick(2, index) },
      ]);
      const onPick = (found) => showPosts(found.what, found.params, box);
      part(box, "table").replaceChildren(kit.table(["Source", "Posts", "Before", "Change", "Negative"], rows, onPick, "Top sources"));
      setState(box, "");
    }

    function topics(box, answer) {
      const select = part(box, "brand-select");
      const onPick = (found) => showPosts(found.what, found.params, box);
      const draw = () => {
        const brand = answer.brands.find((b) => b.brand === select.value) || answer.brands[0];
        const canvas = box.querySelector("canvas");
        if (!brand.topics.length) {
          const previous = window.Chart.getChart(canvas);
          if (previous) {
            previous.destroy();
          }
          part(box, "table").replaceChildren();
          setState(box, `No topics for ${brand.brand} in this period.`);
          return;
        }
        setState(box, "");
        const ats = brand.topics[0].series.map((p) => p.at);
        const pick = (d, index) => ({
          what: `${brand.brand} · ${brand.topics[d].topic} · ${label(ats[index])}`,
          params: { brand: brand.brand, topic: brand.topics[d].topic, ...kit.bucketSpan(ats[index], view.bucket, view.end) },
        });
        kit.chart(
          canvas,
          {
            type: "line",
            data: {
              labels: ats.map(label),
              datasets: brand.topics.map((t, i) => ({
                label: t.topic,
                data: t.series.map((p) => p.count),
                borderColor: kit.brandColor(i),
                backgroundColor: kit.brandColor(i),
                cubicInterpolationMode: "monotone",
                pointRadius: 3,
                pointHitRadius: 8,
              })),
            },
            options: {
              interaction: { mode: "index", intersect: false },
              scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
            },
          },
          pick,
          onPick,
        );
        const topic = (t, extra, when) => ({ what: `${brand.brand} · ${t.topic}${when}`, params: { brand: brand.brand, topic: t.topic, ...extra } });
        const rows = brand.topics.map((t) => [
          t.topic,
          { text: count(t.change.current), pick: topic(t, whole, "") },
          { text: count(t.change.previous), pick: topic(t, before, " · previous period") },
          change(t.change),
          { text: count(t.negative), pick: topic(t, { ...whole, sentiment: "negative" }, " · negative") },
        ]);
        part(box, "table").replaceChildren(
          kit.table(["Topic", "Posts", "Before", "Change", "Negative"], rows, onPick, `Topics of ${brand.brand}`),
        );
      };
      select.addEventListener("change", draw);
      draw();
    }

    return { volume, sentimentOverTime, netSentiment, shareOfVoice, sources, topics };
  }

  window.kikimimiTrendsCharts = Object.freeze({ charts });
})();
