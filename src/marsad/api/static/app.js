// marsad dashboard: map, timeline, filters, event list, event page with evidence, review.
// Article text and every value from the database are set with textContent, never as HTML.
/* global L */
"use strict";
(function () {
  const I18N = window.MARSAD_I18N;
  const COLORS = {
    "Battles": "#c0392b",
    "Explosions/Remote violence": "#e67e22",
    "Violence against civilians": "#8e44ad",
    "Protests": "#2980b9",
    "Riots": "#16a085",
    "Strategic developments": "#7f8c8d",
  };
  const state = {
    lang: localStorage.getItem("marsad.lang") || "ar",
    token: localStorage.getItem("marsad.token") || "",
    user: null,
    config: null,
    countryNames: {},
    brush: null, // [from, to] chosen on the timeline
    offset: 0,
    series: [],
    current: null, // the event shown on the event page
  };
  const $ = (id) => document.getElementById(id);
  const t = (key) => {
    const v = I18N[state.lang][key];
    return v === undefined ? I18N.en[key] : v;
  };
  const typeName = (name) => (name && I18N[state.lang].types[name]) || name || "—";
  const el = (tag, text, cls) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  };
  const safeUrl = (url) => (typeof url === "string" && /^https?:\/\//i.test(url) ? url : null);

  // ---- API ------------------------------------------------------------------------------------
  async function api(path, params, options) {
    const url = new URL(path, location.origin);
    if (params) for (const [k, v] of params) url.searchParams.append(k, v);
    const headers = Object.assign({}, (options && options.headers) || {});
    if (state.token) headers["Authorization"] = "Bearer " + state.token;
    const res = await fetch(url, Object.assign({}, options || {}, { headers }));
    if (!res.ok) {
      let detail = res.statusText;
      try {
        const body = await res.json();
        detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
      } catch (_) { /* not JSON */ }
      const error = new Error(detail);
      error.status = res.status;
      throw error;
    }
    return res.json();
  }

  function filterParams(withBrush) {
    const p = new URLSearchParams();
    const add = (k, v) => { if (v !== "" && v !== null && v !== undefined) p.append(k, v); };
    add("event_type", $("f-type").value);
    add("sub_event_type", $("f-sub").value);
    add("country", $("f-country").value);
    add("actor", $("f-actor").value.trim());
    add("q", $("f-q").value.trim());
    add("min_fatalities", $("f-fat").value);
    let from = $("f-from").value, to = $("f-to").value;
    if (withBrush && state.brush) {
      from = from && from > state.brush[0] ? from : state.brush[0];
      to = to && to < state.brush[1] ? to : state.brush[1];
    }
    add("date_from", from);
    add("date_to", to);
    return p;
  }

  // ---- language -------------------------------------------------------------------------------
  function applyLang() {
    document.documentElement.lang = state.lang;
    document.documentElement.dir = I18N[state.lang].dir;
    for (const node of document.querySelectorAll("[data-i18n]")) {
      const v = t(node.dataset.i18n);
      if (typeof v === "string") node.textContent = v;
    }
    $("signin").textContent = state.user ? t("sign_out") : t("sign_in");
    if (state.config) fillTypeSelects();
    renderLegend();
  }

  // ---- filters --------------------------------------------------------------------------------
  function option(value, label, selected) {
    const o = el("option", label);
    o.value = value;
    if (selected) o.selected = true;
    return o;
  }

  function fillTypeSelects() {
    const types = state.config.event_types;
    const typeSel = $("f-type"), subSel = $("f-sub");
    const tv = typeSel.value, sv = subSel.value;
    typeSel.replaceChildren(option("", t("all")));
    for (const ty of Object.keys(types)) typeSel.append(option(ty, typeName(ty), ty === tv));
    subSel.replaceChildren(option("", t("all")));
    const subs = tv ? types[tv] : Object.values(types).flat();
    for (const s of subs) subSel.append(option(s, typeName(s), s === sv));
    const cSel = $("f-country"), cv = cSel.value;
    cSel.replaceChildren(option("", t("all")));
    for (const code of Object.keys(state.countryNames).sort()) {
      const names = state.countryNames[code];
      cSel.append(option(code, (state.lang === "ar" ? names.ar : names.en) || code, code === cv));
    }
    const rvSub = document.querySelector("#rv-form [name=sub_event_type]");
    const rv = rvSub.value;
    rvSub.replaceChildren(option("", "—"));
    for (const [ty, list] of Object.entries(types)) {
      const group = document.createElement("optgroup");
      group.label = typeName(ty);
      for (const s of list) group.append(option(s, typeName(s), s === rv));
      rvSub.append(group);
    }
  }

  function renderLegend() {
    const ul = $("legend");
    ul.replaceChildren();
    for (const [ty, color] of Object.entries(COLORS)) {
      const li = el("li", typeName(ty));
      const dot = el("span", "", "dot");
      dot.style.background = color;
      li.prepend(dot);
      ul.append(li);
    }
  }

  let refreshTimer = null;
  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => refreshAll(), 250);
  }

  function updateExportLinks() {
    const p = filterParams(true).toString();
    for (const fmt of ["csv", "geojson", "jsonl"]) $("x-" + fmt).href = `/api/export.${fmt}${p ? "?" + p : ""}`;
  }

  // ---- map ------------------------------------------------------------------------------------
  let map = null, eventsLayer = null, mapSeq = 0;
  function markerFor(e) {
    const m = L.circleMarker([e.lat, e.lon], {
      radius: 5 + Math.min(14, Math.sqrt(e.fatalities || 0) * 2),
      color: "#222",
      weight: 1,
      fillColor: COLORS[e.event_type] || "#555",
      fillOpacity: 0.8,
    });
    m.options.eventType = e.event_type;
    const box = el("div", null, "popup");
    const a = el("a", `${typeName(e.sub_event_type)} — ${e.date || ""}`);
    a.href = "#/event/" + e.id;
    box.append(a, el("div", `${e.location || ""} · ${t("fatalities")}: ${e.fatalities ?? "—"}`));
    m.bindPopup(box);
    return m;
  }

  function clusterIcon(cluster) {
    const counts = {};
    for (const m of cluster.getAllChildMarkers()) counts[m.options.eventType] = (counts[m.options.eventType] || 0) + 1;
    const top = Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
    const n = cluster.getChildCount();
    const node = el("div", n, "cluster");
    node.style.background = COLORS[top && top[0]] || "#555";
    const size = 26 + Math.min(24, Math.log2(n) * 3);
    return L.divIcon({ html: node, className: "cluster-icon", iconSize: [size, size] });
  }

  function initMap() {
    map = L.map("map", { worldCopyJump: true, minZoom: 2, maxZoom: 18 }).setView([25, 25], 4);
    if (state.config.tile_url) {
      L.tileLayer(state.config.tile_url, { maxZoom: 18, attribution: "© OpenStreetMap contributors" }).addTo(map);
    }
    fetch("/static/basemap/countries.geojson").then((r) => r.json()).then((fc) => {
      for (const f of fc.features) state.countryNames[f.properties.iso_a2] = { ar: f.properties.name_ar, en: f.properties.name_en };
      const base = L.geoJSON(fc, {
        style: { color: "#6b7b8c", weight: 1, fillColor: "#eef1f4", fillOpacity: state.config.tile_url ? 0 : 1 },
        interactive: false,
      }).addTo(map);
      base.bringToBack();
      fillTypeSelects();
    });
    map.on("moveend", () => loadMap());
  }

  async function loadMap() {
    const seq = ++mapSeq;
    const p = filterParams(true);
    const b = map.getBounds().pad(0.2);
    p.set("bbox", [b.getWest(), Math.max(-90, b.getSouth()), b.getEast(), Math.min(90, b.getNorth())].map((x) => x.toFixed(3)).join(","));
    p.set("zoom", map.getZoom());
    const data = await api("/api/map", p);
    if (seq !== mapSeq) return; // a newer request is on its way
    if (eventsLayer) map.removeLayer(eventsLayer);
    if (data.kind === "points") {
      eventsLayer = L.markerClusterGroup({ iconCreateFunction: clusterIcon, maxClusterRadius: 40, chunkedLoading: true });
      eventsLayer.addLayers(data.points.map(markerFor));
    } else {
      eventsLayer = L.layerGroup();
      for (const c of data.cells) {
        const node = el("div", c.n >= 1000 ? Math.round(c.n / 1000) + "k" : c.n, "cluster");
        node.style.background = COLORS[c.event_type] || "#555";
        const size = 24 + Math.min(30, Math.log2(c.n) * 3);
        const m = L.marker([c.lat, c.lon], { icon: L.divIcon({ html: node, className: "cluster-icon", iconSize: [size, size] }) });
        m.on("click", () => map.setView([c.lat, c.lon], Math.min(18, map.getZoom() + 2)));
        eventsLayer.addLayer(m);
      }
    }
    eventsLayer.addTo(map);
    document.body.dataset.mapReady = "1";
  }

  // ---- timeline -------------------------------------------------------------------------------
  const SVGNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    const node = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }

  function drawTimeline() {
    const box = $("timeline");
    const width = box.clientWidth || 600, height = 110, pad = 18;
    box.setAttribute("viewBox", `0 0 ${width} ${height}`);
    box.replaceChildren();
    const s = state.series;
    if (!s.length) return;
    const maxN = Math.max(...s.map((d) => d.events)), maxF = Math.max(1, ...s.map((d) => d.fatalities));
    const bw = (width - 2 * pad) / s.length;
    const x = (i) => pad + i * bw; // left to right is time, in both languages (as on a chart)
    const g = svg("g");
    s.forEach((d, i) => {
      const h = ((height - 2 * pad) * d.events) / maxN;
      const r = svg("rect", { x: x(i), y: height - pad - h, width: Math.max(1, bw - 1), height: h, class: "bar" });
      const tip = svg("title");
      tip.textContent = `${d.period}: ${d.events} / ${d.fatalities}`;
      r.append(tip);
      g.append(r);
    });
    const line = s.map((d, i) => `${x(i) + bw / 2},${height - pad - ((height - 2 * pad) * d.fatalities) / maxF}`).join(" ");
    g.append(svg("polyline", { points: line, class: "fatal-line" }));
    const first = svg("text", { x: pad, y: height - 4, class: "axis" });
    first.textContent = s[0].period;
    const last = svg("text", { x: width - pad, y: height - 4, class: "axis", "text-anchor": "end" });
    last.textContent = s[s.length - 1].period;
    g.append(first, last);
    box.append(g);
    if (state.brush) {
      const i0 = s.findIndex((d) => d.period >= state.brush[0]);
      let i1 = s.findIndex((d) => d.period > state.brush[1]);
      if (i1 < 0) i1 = s.length;
      if (i0 >= 0) box.append(svg("rect", { x: x(i0), y: 0, width: Math.max(2, (i1 - i0) * bw), height, class: "brush" }));
    }
    box._geom = { pad, bw, n: s.length };
  }

  function initBrush() {
    const box = $("timeline");
    let start = null, rect = null;
    const index = (ev) => {
      const r = box.getBoundingClientRect(), gm = box._geom;
      if (!gm) return 0;
      const xpx = ((ev.clientX - r.left) / r.width) * (box.viewBox.baseVal.width || r.width);
      return Math.max(0, Math.min(gm.n - 1, Math.floor((xpx - gm.pad) / gm.bw)));
    };
    box.addEventListener("pointerdown", (ev) => {
      if (!state.series.length) return;
      start = index(ev);
      box.setPointerCapture(ev.pointerId);
      rect = svg("rect", { class: "brush", y: 0, height: 110 });
      box.append(rect);
    });
    box.addEventListener("pointermove", (ev) => {
      if (start === null) return;
      const gm = box._geom, i = index(ev), a = Math.min(start, i), b = Math.max(start, i);
      rect.setAttribute("x", gm.pad + a * gm.bw);
      rect.setAttribute("width", Math.max(2, (b - a + 1) * gm.bw));
    });
    box.addEventListener("pointerup", (ev) => {
      if (start === null) return;
      const i = index(ev), a = Math.min(start, i), b = Math.max(start, i);
      start = null;
      const from = state.series[a].period;
      const endPeriod = state.series[b].period; // a week's Monday: the range runs to its Sunday
      const end = new Date(endPeriod + "T00:00:00Z");
      end.setUTCDate(end.getUTCDate() + 6);
      setBrush([from, end.toISOString().slice(0, 10)]);
    });
    $("brush-clear").addEventListener("click", () => setBrush(null));
  }

  function setBrush(range) {
    state.brush = range;
    $("brush-label").textContent = range ? `${range[0]} — ${range[1]}` : "";
    $("brush-clear").hidden = !range;
    drawTimeline();
    loadMap();
    loadList(true);
    updateExportLinks();
  }

  // ---- list -----------------------------------------------------------------------------------
  async function loadList(reset) {
    if (reset) state.offset = 0;
    const p = filterParams(true);
    p.set("limit", "50");
    p.set("offset", String(state.offset));
    const data = await api("/api/events", p);
    const tbody = document.querySelector("#events tbody");
    if (reset) tbody.replaceChildren();
    for (const e of data.events) {
      const tr = el("tr");
      tr.dataset.id = e.id;
      const parties = [e.actor1, e.actor2].filter(Boolean).join(" × ");
      const typeCell = el("td", typeName(e.sub_event_type), "type");
      typeCell.style.borderInlineStartColor = COLORS[e.event_type] || "#555";
      tr.append(
        el("td", e.date || "—", "date"),
        typeCell,
        el("td", parties || "—"),
        el("td", [e.location, e.country].filter(Boolean).join(", ") || "—"),
        el("td", e.fatalities ?? "—", "num"),
        el("td", e.evidence, "evidence")
      );
      tr.addEventListener("click", () => { location.hash = "#/event/" + e.id; });
      tbody.append(tr);
    }
    if (reset && !data.events.length) {
      const tr = el("tr");
      const td = el("td", t("no_events"), "empty");
      td.colSpan = 6;
      tr.append(td);
      tbody.append(tr);
    }
    state.offset += data.events.length;
    $("more").hidden = state.offset >= data.total;
    $("summary").textContent = t("events_n")(data.total, data.total_exact);
    document.body.dataset.listReady = "1";
  }

  async function loadStats() {
    const data = await api("/api/stats", filterParams(false));
    state.series = data.series;
    drawTimeline();
  }

  async function refreshAll() {
    updateExportLinks();
    await Promise.all([loadStats(), loadMap(), loadList(true)]);
  }

  // ---- event page -----------------------------------------------------------------------------
  let smallMap = null, smallMarker = null;
  async function showEvent(id) {
    $("home").hidden = true;
    $("event-page").hidden = false;
    $("rv-msg").textContent = "";
    let ev;
    try {
      ev = await api("/api/events/" + encodeURIComponent(id));
    } catch (err) {
      $("ev-title").textContent = err.message;
      return;
    }
    state.current = ev;
    $("ev-title").textContent = `${typeName(ev.event_type)} — ${typeName(ev.sub_event_type)}`;
    const facts = $("ev-facts");
    facts.replaceChildren();
    const fact = (label, value) => { if (value !== null && value !== undefined && value !== "") facts.append(el("dt", label), el("dd", value)); };
    // an actor's name opens its profile page; the words the article used follow as text
    const actorFact = (label, name, mention) => {
      if (!name) return;
      const a = el("a", name, "actor-link");
      a.href = "/actor?id=" + encodeURIComponent(name);
      a.title = t("actor_profile");
      const dd = el("dd");
      dd.append(a);
      if (mention) dd.append(" ", el("span", `(${mention})`));
      facts.append(el("dt", label), dd);
    };
    fact("#", ev.id);
    fact(t("date"), ev.date);
    actorFact(t("actor1"), ev.actor1, ev.actor1_mention);
    actorFact(t("actor2"), ev.actor2, ev.actor2_mention);
    fact(t("place"), [ev.location, ev.admin1, ev.country].filter(Boolean).join(", "));
    fact(t("fatalities"), ev.fatalities);
    fact(t("injuries"), ev.injuries);
    fact(t("status"), I18N[state.lang].statuses[ev.status] || ev.status);
    if (ev.merged_into) fact("→", "#" + ev.merged_into);

    if (!smallMap) {
      smallMap = L.map("ev-map", { zoomControl: false, attributionControl: false, maxZoom: 18 });
      fetch("/static/basemap/countries.geojson").then((r) => r.json()).then((fc) =>
        L.geoJSON(fc, { style: { color: "#6b7b8c", weight: 1, fillColor: "#eef1f4", fillOpacity: 1 }, interactive: false }).addTo(smallMap).bringToBack());
    }
    if (smallMarker) smallMap.removeLayer(smallMarker);
    if (ev.lat !== null && ev.lon !== null) {
      $("ev-map").hidden = false;
      smallMap.invalidateSize();
      smallMap.setView([ev.lat, ev.lon], 6);
      smallMarker = markerFor(ev).addTo(smallMap);
    } else {
      $("ev-map").hidden = true;
    }

    $("review").hidden = !state.user;
    const form = $("rv-form");
    for (const name of ["fatalities", "injuries", "date", "actor1", "actor2", "location"]) form.elements[name].value = ev[name] ?? "";
    form.elements.sub_event_type.value = ev.sub_event_type;

    const box = $("ev-articles");
    box.replaceChildren();
    for (const link of ev.articles) {
      const card = el("section", null, "article");
      box.append(card);
      const art = await api("/api/articles/" + encodeURIComponent(link.article_id));
      const head = el("h4", art.title || art.id);
      const meta = el("p", [art.source, art.published].filter(Boolean).join(" · "), "meta");
      const url = safeUrl(art.url);
      if (url) {
        const a = el("a", url);
        a.href = url;
        a.rel = "noopener noreferrer";
        a.target = "_blank";
        meta.append(" · ", a);
      }
      const body = el("div", null, "article-text");
      body.dir = "rtl";
      body.lang = "ar";
      const text = art.text || "";
      const s = link.evidence_start, e = link.evidence_end;
      if (Number.isInteger(s) && Number.isInteger(e) && s >= 0 && e <= text.length && s < e) {
        body.append(document.createTextNode(text.slice(0, s)), el("mark", text.slice(s, e)), document.createTextNode(text.slice(e)));
      } else {
        body.textContent = text;
      }
      card.append(head, meta, body);
    }
    const mark = box.querySelector("mark");
    if (mark) mark.scrollIntoView({ block: "center" });
    document.body.dataset.eventReady = String(ev.id);
  }

  async function review(body, method, path) {
    const id = state.current.id;
    try {
      await api(path || `/api/events/${id}/review`, null, {
        method: method || "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      await showEvent(id);
      $("rv-msg").textContent = t("saved");
    } catch (err) {
      $("rv-msg").textContent = err.message;
    }
  }

  function initReview() {
    $("rv-confirm").addEventListener("click", () => review({ action: "confirm" }));
    $("rv-reject").addEventListener("click", () => review({ action: "reject" }));
    $("rv-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const f = ev.target.elements, cur = state.current, changes = {};
      for (const name of ["fatalities", "injuries"]) {
        const v = f[name].value === "" ? null : Number(f[name].value);
        if (v !== cur[name] && v !== null) changes[name] = v;
      }
      for (const name of ["date", "actor1", "actor2", "location", "sub_event_type"]) {
        const v = f[name].value.trim();
        if (v && v !== (cur[name] || "")) changes[name] = v;
      }
      if (!Object.keys(changes).length) return;
      review(changes, "PATCH", `/api/events/${cur.id}`);
    });
    $("rv-merge").addEventListener("submit", (ev) => {
      ev.preventDefault();
      review({ action: "merge", into: Number(ev.target.elements.into.value) });
    });
  }

  // ---- sign-in --------------------------------------------------------------------------------
  async function checkToken() {
    if (!state.token) { state.user = null; return; }
    try {
      state.user = (await api("/api/me")).name;
    } catch (_) {
      state.user = null;
      state.token = "";
      localStorage.removeItem("marsad.token");
    }
  }

  function renderWho() {
    $("who").textContent = state.user || "";
    $("signin").textContent = state.user ? t("sign_out") : t("sign_in");
    if (state.current) $("review").hidden = !state.user;
  }

  function initSignin() {
    const dialog = $("signin-dialog");
    $("signin").addEventListener("click", () => {
      if (state.user) {
        state.user = null;
        state.token = "";
        localStorage.removeItem("marsad.token");
        renderWho();
        return;
      }
      $("signin-error").textContent = "";
      $("token-input").value = "";
      dialog.showModal();
    });
    $("signin-cancel").addEventListener("click", () => dialog.close());
    $("signin-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      state.token = $("token-input").value.trim();
      await checkToken();
      if (!state.user) {
        $("signin-error").textContent = t("bad_token");
        return;
      }
      localStorage.setItem("marsad.token", state.token);
      dialog.close();
      renderWho();
      if (state.onSignin) { state.onSignin(); state.onSignin = null; }
    });
  }

  // ---- routing and start ----------------------------------------------------------------------
  function route() {
    const m = location.hash.match(/^#\/event\/(\d+)/);
    if (m) {
      showEvent(m[1]);
    } else {
      state.current = null;
      $("event-page").hidden = true;
      $("home").hidden = false;
      if (map) map.invalidateSize();
    }
  }

  async function start() {
    state.config = await api("/api/config");
    applyLang();
    await checkToken();
    renderWho();
    initSignin();
    if (state.config.read_token && !state.user) {
      // this server keeps even reads for signed-in users: ask for the token first
      await new Promise((resolve) => { state.onSignin = resolve; $("signin").click(); });
    }
    initMap();
    initBrush();
    initReview();
    $("lang").addEventListener("click", () => {
      state.lang = state.lang === "ar" ? "en" : "ar";
      localStorage.setItem("marsad.lang", state.lang);
      applyLang();
      renderWho();
      if (state.current) showEvent(state.current.id); else loadList(true);
    });
    $("f-type").addEventListener("change", () => { $("f-sub").value = ""; fillTypeSelects(); scheduleRefresh(); });
    for (const id of ["f-sub", "f-country", "f-from", "f-to"]) $(id).addEventListener("change", scheduleRefresh);
    for (const id of ["f-actor", "f-q", "f-fat"]) $(id).addEventListener("input", scheduleRefresh);
    $("f-actor").addEventListener("input", async () => {
      const q = $("f-actor").value.trim();
      if (q.length < 2) return;
      const found = await api("/api/actors", new URLSearchParams({ q, limit: "20" }));
      $("actor-list").replaceChildren(...found.map((a) => option(a.name, a.aliases.slice(0, 3).join("، "))));
    });
    $("f-reset").addEventListener("click", () => {
      for (const id of ["f-type", "f-sub", "f-country", "f-actor", "f-from", "f-to", "f-q", "f-fat"]) $(id).value = "";
      state.brush = null;
      setBrush(null);
      refreshAll();
    });
    $("more").addEventListener("click", () => loadList(false));
    window.addEventListener("hashchange", route);
    window.addEventListener("resize", () => drawTimeline());
    await refreshAll();
    route();
    // other panels (alerts, ...) may start reading the API now: signed in if reads are closed
    document.dispatchEvent(new CustomEvent("marsad:ready", { detail: { user: state.user } }));
  }

  start();
})();
