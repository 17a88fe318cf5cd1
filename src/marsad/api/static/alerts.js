// The alerts panel of the dashboard: the newest stored alerts from GET /api/alerts.
// Kept apart from app.js (its own file, loaded after it); text goes in with textContent only.
(function () {
  "use strict";
  const list = document.getElementById("alerts-list");
  const title = document.getElementById("alerts-title");
  if (!list) return;
  const words = {
    ar: { title: "تنبيهات", none: "لا تنبيهات", failed: "تعذر تحميل التنبيهات" },
    en: { title: "Alerts", none: "No alerts", failed: "Alerts could not be loaded" },
  };
  const lang = () => (document.documentElement.lang === "en" ? "en" : "ar");

  function headers() {
    const token = localStorage.getItem("marsad.token");
    return token ? { Authorization: "Bearer " + token } : {};
  }

  function render(alerts) {
    title.textContent = words[lang()].title;
    list.replaceChildren();
    if (!alerts.length) {
      const li = document.createElement("li");
      li.textContent = words[lang()].none;
      list.append(li);
      return;
    }
    for (const a of alerts) {
      const li = document.createElement("li");
      li.className = "alert alert-" + a.rule;
      const when = document.createElement("span");
      when.className = "alert-date";
      when.textContent = (a.date || "") + " ";
      const body = a.event_id ? document.createElement("a") : document.createElement("span");
      if (a.event_id) body.href = "#/event/" + a.event_id;
      body.textContent = a.title;
      li.append(when, body);
      list.append(li);
    }
  }

  async function load() {
    try {
      const resp = await fetch("/api/alerts?limit=20", { headers: headers() });
      if (!resp.ok) throw new Error(String(resp.status));
      render((await resp.json()).alerts);
    } catch (_) {
      list.replaceChildren();
      const li = document.createElement("li");
      li.textContent = words[lang()].failed;
      list.append(li);
    }
  }

  // app.js says when the API may be read (after sign-in when reads are closed).
  document.addEventListener("marsad:ready", () => {
    load();
    setInterval(load, 60000);
    document.getElementById("lang")?.addEventListener("click", () => setTimeout(load, 0));
  }, { once: true });
})();
