// The actor page: GET /api/actors/{id} drawn as a map with a month slider, a monthly chart,
// strength estimates, a relations graph and tables. Article text is only ever set through
// textContent (never innerHTML): evidence comes from the news and may contain markup.
"use strict";
(() => {
  const STR = {
    ar: {
      dir: "rtl", switch_lang: "English", find_actor: "داعش، بوكو حرام، ISIS…", show: "عرض",
      map_title: "أحداثه على الخريطة", month: "الشهر", cumulative: "تراكمي حتى هذا الشهر",
      chart_title: "الأحداث والقتلى شهريا", events: "الأحداث", fatalities: "القتلى",
      estimates_title: "تقديرات القوة (عدد المقاتلين)", date: "التاريخ", fighters: "المقاتلون",
      said_by: "القائل", source: "الوسيلة", evidence: "الدليل", relations_title: "العلاقات",
      areas_title: "المناطق (المستوى الإداري الأول)", country: "البلد", admin1: "المنطقة",
      first: "أول ظهور", last: "آخر ظهور", movement_title: "التحرك حسب الربع", quarter: "الربع",
      new_areas: "مناطق جديدة", quiet_areas: "مناطق هدأت", back_areas: "عاد إليها",
      voices_title: "المتحدثون باسمه", claims_title: "التبني", latest_title: "آخر الأحداث",
      type: "النوع", place: "المكان", loading: "جارٍ التحميل…", not_found: "لا يوجد فاعل بهذا الاسم",
      no_id: "اكتب اسم فاعل (مثل داعش أو بوكو حرام)", branch_of: "فرع من", branches: "فروعه",
      span: "الفترة", areas_n: "مناطق", countries: "البلدان", on_map: (n) => `${n} على الخريطة`,
      article: "المقال", event: "الحدث", registry: "سجل الفاعلين", reports: (n) => `${n} تقرير`,
      kinds: { pledge: "بايع", split: "انشق عن", alliance: "تحالف مع", joint_operations: "غرفة عمليات مشتركة مع",
        merger: "اندمج مع", renamed: "صار يُعرف بـ", agreement: "اتفاق مع", branch_of: "فرع من",
        joined_as: "انضم فصار" },
      qual: { exact: "", below: "أقل من", above: "أكثر من", about: "نحو", range: "بين" },
    },
    en: {
      dir: "ltr", switch_lang: "العربية", find_actor: "ISIS, Boko Haram, داعش…", show: "Show",
      map_title: "Its events on the map", month: "Month", cumulative: "everything up to this month",
      chart_title: "Events and fatalities per month", events: "Events", fatalities: "Fatalities",
      estimates_title: "Strength estimates (fighters)", date: "Date", fighters: "Fighters",
      said_by: "Said by", source: "Outlet", evidence: "Evidence", relations_title: "Relations",
      areas_title: "Admin-1 areas", country: "Country", admin1: "Area", first: "First seen", last: "Last seen",
      movement_title: "Movement per quarter", quarter: "Quarter", new_areas: "New areas",
      quiet_areas: "Gone quiet", back_areas: "Back in", voices_title: "Spokespeople",
      claims_title: "Claims", latest_title: "Latest events", type: "Type", place: "Place",
      loading: "Loading…", not_found: "No actor by that name", no_id: "Type an actor's name (e.g. ISIS, Boko Haram)",
      branch_of: "Branch of", branches: "Branches", span: "Period", areas_n: "Areas", countries: "Countries",
      on_map: (n) => `${n} on the map`, article: "article", event: "event", registry: "actor registry",
      reports: (n) => `${n} report${n === 1 ? "" : "s"}`,
      kinds: { pledge: "pledged to", split: "split from", alliance: "allied with", joint_operations: "joint operations with",
        merger: "merged with", renamed: "renamed", agreement: "agreement with", branch_of: "branch of",
        joined_as: "joined as" },
      qual: { exact: "", below: "under", above: "over", about: "about", range: "between" },
    },
  };
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const state = { lang: localStorage.getItem("marsad.lang") || "ar", profile: null, months: [], layer: null, map: null };
  const t = (k) => STR[state.lang][k] ?? k;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function link(href, text) {
    const a = el("a", text);
    a.href = href;
    return a;
  }
  const num = (n) => Number(n || 0).toLocaleString(state.lang === "ar" ? "ar" : "en");

  function applyLang() {
    const s = STR[state.lang];
    document.documentElement.lang = state.lang;
    document.documentElement.dir = s.dir;
    for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
    for (const e of document.querySelectorAll("[data-i18n-placeholder]")) e.placeholder = t(e.dataset.i18nPlaceholder);
  }

  function actorId() {
    return new URLSearchParams(location.search).get("id") || "";
  }

  async function load() {
    const id = actorId();
    $("find-input").value = id;
    if (!id) { $("status").textContent = t("no_id"); return; }
    $("status").textContent = t("loading");
    const res = await fetch(`/api/actors/${encodeURIComponent(id)}`, { headers: authHeaders() });
    if (res.status === 404) { $("status").textContent = t("not_found"); return; }
    if (!res.ok) { $("status").textContent = `${res.status}`; return; }
    state.profile = await res.json();
    $("status").textContent = "";
    render();
    document.body.dataset.ready = "1";
  }

  function authHeaders() {
    const token = localStorage.getItem("marsad.token");
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  function render() {
    const p = state.profile;
    if (!p) return;
    renderHead(p);
    renderMap(p);
    renderChart(p);
    renderEstimates(p);
    renderRelations(p);
    renderAreas(p);
    renderVoices(p);
    renderLatest(p);
  }

  function show(id, yes) { $(id).hidden = !yes; }

  function renderHead(p) {
    show("head", true);
    const a = p.actor;
    $("actor-name").textContent = a.name;
    $("actor-ar").textContent = (a.aliases_ar || []).slice(0, 6).join("، ");
    const fam = $("actor-family");
    fam.replaceChildren();
    if (a.parent) {
      fam.append(el("span", `${t("branch_of")}: `), link(`/actor?id=${encodeURIComponent(a.parent.id)}`, a.parent.name));
    }
    if (a.branches && a.branches.length) {
      if (a.parent) fam.append(el("span", " · "));
      fam.append(el("span", `${t("branches")}: `));
      a.branches.forEach((b, i) => {
        if (i) fam.append(el("span", "، "));
        fam.append(link(`/actor?id=${encodeURIComponent(b.id)}`, b.name));
      });
    }
    const s = p.summary;
    const facts = $("facts");
    facts.replaceChildren();
    const fact = (k, v) => facts.append(el("dt", k), el("dd", v));
    fact(t("events"), num(s.events));
    fact(t("fatalities"), num(s.fatalities));
    fact(t("span"), s.first_month ? `${s.first_month} — ${s.last_month}` : "—");
    fact(t("areas_n"), num(s.admin1_areas));
    fact(t("countries"), (s.countries || []).join(" "));
  }

  // ---- map with a month slider ------------------------------------------------------------
  function mapItems(p) {
    const m = p.map;
    return m.kind === "points"
      ? m.points.filter((x) => x.lat !== null && x.lon !== null).map((x) => ({ ...x, n: 1 }))
      : m.cells;
  }

  function renderMap(p) {
    const items = mapItems(p);
    show("map-box", items.length > 0);
    if (!items.length) return;
    const months = [...new Set(p.by_month.map((r) => r.month))];
    state.months = months.length ? months : [null];
    const slider = $("slider");
    slider.max = String(Math.max(0, state.months.length - 1));
    slider.value = slider.max;
    if (!state.map) {
      state.map = L.map("actor-map", { worldCopyJump: true, minZoom: 2, maxZoom: 14 });
      fetch("/static/basemap/countries.geojson").then((r) => r.json()).then((fc) => {
        L.geoJSON(fc, { interactive: false, style: { color: "#6b7b8c", weight: 1, fillColor: "#eef1f4", fillOpacity: 1 } })
          .addTo(state.map).bringToBack();
      });
      state.layer = L.layerGroup().addTo(state.map);
      slider.addEventListener("input", drawMonth);
      $("cumulative").addEventListener("change", drawMonth);
    }
    const bounds = L.latLngBounds(items.map((x) => [x.lat, x.lon]));
    state.map.fitBounds(bounds.pad(0.3), { maxZoom: 7 });
    drawMonth();
    document.body.dataset.mapReady = "1";
  }

  function drawMonth() {
    const p = state.profile;
    const items = mapItems(p);
    const i = Number($("slider").value);
    const month = state.months[i];
    const cumulative = $("cumulative").checked;
    $("slider-label").textContent = month || "—";
    state.layer.clearLayers();
    let shown = 0;
    for (const x of items) {
      const m = x.month;
      const current = month === null || m === month;
      // undated events (habitual activity, "since 2014") stay on the map, faded
      if (!current && !(cumulative && (!m || (month && m < month)))) continue;
      shown += 1;
      const r = Math.min(18, 4 + Math.sqrt(x.n) * 2 + Math.sqrt(Math.max(0, x.fatalities || 0)));
      const marker = L.circleMarker([x.lat, x.lon], {
        radius: r, weight: 1, color: current ? "#8b1e1e" : "#7d8a96",
        fillColor: current ? "#d9534f" : "#b8c2cc", fillOpacity: current ? 0.75 : 0.35,
      });
      marker.bindPopup(() => popup(x));
      marker.addTo(state.layer);
    }
    $("map-count").textContent = t("on_map")(shown);
    document.body.dataset.mapMonth = month || "";
    document.body.dataset.markers = String(shown);
  }

  function popup(x) {
    const box = el("div", null, "popup");
    box.append(el("strong", [x.month, x.event_type].filter(Boolean).join(" · ")));
    if (x.admin1) box.append(el("div", x.admin1));
    box.append(el("div", `${t("events")}: ${x.n} · ${t("fatalities")}: ${x.fatalities ?? "—"}`));
    if (x.id) box.append(link(`/#/event/${x.id}`, `${t("event")} #${x.id}`));
    return box;
  }

  // ---- monthly chart ------------------------------------------------------------------------
  function renderChart(p) {
    const rows = p.by_month;
    show("chart-box", rows.length > 0);
    const g = $("chart");
    g.replaceChildren();
    if (!rows.length) return;
    const W = 900, H = 180, pad = 28;
    g.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const maxE = Math.max(1, ...rows.map((r) => r.events));
    const maxF = Math.max(1, ...rows.map((r) => r.fatalities));
    const bw = (W - 2 * pad) / rows.length;
    rows.forEach((r, i) => {
      const h = ((H - 2 * pad) * r.events) / maxE;
      const bar = svg("rect", { x: pad + i * bw + 1, y: H - pad - h, width: Math.max(1, bw - 2), height: h, class: "bar" });
      bar.append(svg("title", {}, `${r.month}: ${r.events} / ${r.fatalities}`));
      g.append(bar);
    });
    const pts = rows.map((r, i) => `${pad + i * bw + bw / 2},${H - pad - ((H - 2 * pad) * r.fatalities) / maxF}`);
    g.append(svg("polyline", { points: pts.join(" "), class: "fat-line" }));
    g.append(svg("text", { x: pad, y: H - 8, class: "axis" }, rows[0].month));
    g.append(svg("text", { x: W - pad, y: H - 8, class: "axis", "text-anchor": "end" }, rows[rows.length - 1].month));
    g.append(svg("text", { x: pad, y: 14, class: "axis" }, `${t("events")} ≤ ${maxE} · ${t("fatalities")} ≤ ${maxF}`));
  }

  // ---- strength estimates -------------------------------------------------------------------
  function figure(e) {
    const q = STR[state.lang].qual[e.qualifier] || "";
    const v = e.low !== e.high ? `${num(e.low)}–${num(e.high)}` : num(e.value);
    return q ? `${q} ${v}` : v;
  }

  function renderEstimates(p) {
    const est = p.estimates;
    show("estimates-box", est.length > 0);
    const body = $("estimates").tBodies[0];
    body.replaceChildren();
    const g = $("estimates-chart");
    g.replaceChildren();
    if (!est.length) return;
    for (const e of est) {
      const tr = document.createElement("tr");
      const ev = el("td", null, "evidence");
      ev.append(el("span", e.evidence), el("span", " "), link(e.links.article, t("article")));
      tr.append(el("td", e.date || "—"), el("td", figure(e)), el("td", e.speaker_mention || e.speaker || "—"),
        el("td", e.source || "—"), ev);
      body.append(tr);
    }
    const W = 420, H = 160, pad = 30;
    g.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const dates = est.map((e) => Date.parse(e.date || "1970-01-01"));
    const lo = Math.min(...dates), hi = Math.max(...dates);
    const maxV = Math.max(...est.map((e) => e.high));
    const x = (d) => (hi === lo ? W / 2 : pad + ((W - 2 * pad) * (d - lo)) / (hi - lo));
    const y = (v) => H - pad - ((H - 2 * pad) * v) / maxV;
    g.append(svg("line", { x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, class: "axis-line" }));
    est.forEach((e, i) => {
      const cx = x(dates[i]);
      if (e.low !== e.high) g.append(svg("line", { x1: cx, x2: cx, y1: y(e.low), y2: y(e.high), class: "range" }));
      const dot = svg("circle", { cx, cy: y(e.value), r: 5, class: `est est-${e.qualifier}` });
      dot.append(svg("title", {}, `${e.date || ""} ${figure(e)} — ${e.speaker_mention || e.source || ""}`));
      g.append(dot);
    });
    g.append(svg("text", { x: pad, y: 14, class: "axis" }, `≤ ${num(maxV)}`));
  }

  // ---- relations ----------------------------------------------------------------------------
  function renderRelations(p) {
    // the actor's own branches are listed in the header already
    const rels = p.relations.filter((r) => !(r.source === "registry" && r.object === p.actor.name));
    show("relations-box", rels.length > 0);
    const list = $("relations");
    list.replaceChildren();
    const g = $("relations-graph");
    g.replaceChildren();
    if (!rels.length) return;
    const kinds = STR[state.lang].kinds;
    for (const r of rels) {
      const li = el("li");
      li.append(el("strong", r.subject), el("span", ` ${kinds[r.kind] || r.kind} `), el("strong", r.object));
      li.append(el("span", r.source === "registry" ? ` (${t("registry")})` : ` — ${t("reports")(r.reports)}`, "muted"));
      for (const e of r.evidence.slice(0, 2)) {
        const q = el("blockquote", e.evidence);
        q.append(el("span", " "), link(e.links.article, [t("article"), e.date].filter(Boolean).join(" ")));
        li.append(q);
      }
      list.append(li);
    }
    // a small star: the actor in the middle, every related actor around it
    const self = new Set(p.names);
    const others = [...new Set(rels.flatMap((r) => [r.subject, r.object]).filter((n) => !self.has(n)))];
    const W = 420, H = 220, cx = W / 2, cy = H / 2, R = 80;
    g.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const defs = svg("defs");
    const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto" });
    marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }));
    defs.append(marker);
    g.append(defs);
    const pos = new Map();
    for (const n of p.names) pos.set(n, [cx, cy]);
    others.forEach((n, i) => {
      const a = (2 * Math.PI * i) / Math.max(1, others.length) - Math.PI / 2;
      pos.set(n, [cx + R * 1.9 * Math.cos(a), cy + R * Math.sin(a)]);
    });
    const pairs = new Map(); // several relations between the same two nodes: labels one under the other
    for (const r of rels) {
      const [x1, y1] = pos.get(r.subject) || [cx, cy];
      const [x2, y2] = pos.get(r.object) || [cx, cy];
      if (x1 === x2 && y1 === y2) continue;
      const key = [x1, y1, x2, y2].join(",");
      const nth = pairs.get(key) || 0;
      pairs.set(key, nth + 1);
      const line = svg("line", { x1, y1, x2, y2, class: `edge edge-${r.kind}` });
      if (r.directed) line.setAttribute("marker-end", "url(#arrow)");
      line.append(svg("title", {}, `${r.subject} ${kinds[r.kind] || r.kind} ${r.object}`));
      g.append(line);
      const label = svg("text", { x: (x1 + x2) / 2 + 4, y: (y1 + y2) / 2 - 3 + nth * 11, class: "edge-label", "text-anchor": "start" },
        kinds[r.kind] || r.kind);
      g.append(label);
    }
    const nodes = [[p.actor.name, cx, cy, true], ...others.map((n) => [n, ...pos.get(n), false])];
    for (const [name, x, y, main] of nodes) {
      g.append(svg("circle", { cx: x, cy: y, r: main ? 9 : 6, class: main ? "node main" : "node" }));
      g.append(svg("text", { x, y: y + (main ? 22 : 18), class: "node-label", "text-anchor": "middle" }, name.length > 34 ? `${name.slice(0, 33)}…` : name));
    }
  }

  // ---- tables ---------------------------------------------------------------------------------
  function renderAreas(p) {
    show("areas-box", p.by_admin1.length > 0);
    const body = $("areas").tBodies[0];
    body.replaceChildren();
    for (const r of p.by_admin1.slice(0, 30)) {
      const tr = document.createElement("tr");
      tr.append(el("td", r.country || ""), el("td", r.admin1 || ""), el("td", num(r.events)), el("td", num(r.fatalities)),
        el("td", r.first_month || ""), el("td", r.last_month || ""));
      body.append(tr);
    }
    const q = p.movement.quarters;
    show("movement-box", q.length > 0);
    const mb = $("movement").tBodies[0];
    mb.replaceChildren();
    const names = (xs) => xs.map((x) => x.admin1).join("، ");
    for (const r of q.slice(-16).reverse()) {
      const tr = document.createElement("tr");
      tr.append(el("td", r.quarter), el("td", names(r.new)), el("td", names(r.quiet)), el("td", names(r.back)));
      mb.append(tr);
    }
  }

  function renderVoices(p) {
    show("voices-box", p.spokespeople.length > 0);
    const ul = $("voices");
    ul.replaceChildren();
    for (const v of p.spokespeople.slice(0, 12)) {
      const li = el("li");
      li.append(el("strong", v.name), el("span", ` — ${t("reports")(v.statements)}`, "muted"));
      const e = v.evidence[0];
      if (e) {
        const q = el("blockquote", e.evidence);
        q.append(el("span", " "), link(e.links.article, t("article")));
        li.append(q);
      }
      ul.append(li);
    }
    show("claims-box", p.claims.length > 0);
    const cl = $("claims");
    cl.replaceChildren();
    for (const c of p.claims.slice(0, 12)) {
      const li = el("li");
      li.append(el("span", [c.date, c.source].filter(Boolean).join(" · "), "muted"));
      const q = el("blockquote", c.evidence);
      q.append(el("span", " "), link(c.links.article, t("article")));
      li.append(q);
      cl.append(li);
    }
  }

  function renderLatest(p) {
    show("events-box", p.events.length > 0);
    const body = $("latest").tBodies[0];
    body.replaceChildren();
    for (const e of p.events) {
      const tr = document.createElement("tr");
      const ev = el("td", null, "evidence");
      ev.append(el("span", e.evidence), el("span", " "), link(`/#/event/${e.id}`, `#${e.id}`));
      tr.append(el("td", e.date || "—"), el("td", e.sub_event_type), el("td", [e.location, e.admin1].filter(Boolean).join("، ")),
        el("td", e.fatalities ?? "—"), ev);
      body.append(tr);
    }
  }

  // ---- wiring ---------------------------------------------------------------------------------
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "ar" ? "en" : "ar";
    localStorage.setItem("marsad.lang", state.lang);
    applyLang();
    render();
  });
  $("find").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = $("find-input").value.trim();
    if (v) location.search = `?id=${encodeURIComponent(v)}`;
  });
  $("find-input").addEventListener("input", async () => {
    const q = $("find-input").value.trim();
    if (q.length < 2) return;
    const res = await fetch(`/api/actors?${new URLSearchParams({ q, limit: "15" })}`, { headers: authHeaders() });
    if (!res.ok) return;
    const found = await res.json();
    $("find-list").replaceChildren(...found.map((a) => { const o = document.createElement("option"); o.value = a.name; return o; }));
  });
  applyLang();
  load().catch((err) => { $("status").textContent = String(err); });
})();
