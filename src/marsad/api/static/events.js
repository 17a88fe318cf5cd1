// Renders the event list. Article text is always set with textContent, never as HTML.
"use strict";
(async function () {
  const tbody = document.querySelector("#events tbody");
  const summary = document.getElementById("summary");
  const res = await fetch("/api/events?limit=1000");
  const data = await res.json();
  const cell = (text, cls) => {
    const td = document.createElement("td");
    td.textContent = text == null ? "—" : String(text);
    if (cls) td.className = cls;
    return td;
  };
  for (const e of data.events) {
    const tr = document.createElement("tr");
    tr.append(
      cell(e.date),
      cell(e.event_type + " / " + e.sub_event_type, "type"),
      cell(e.actor1_mention || e.actor1),
      cell(e.actor2_mention || e.actor2),
      cell(e.location_mention || e.location),
      cell(e.fatalities),
      cell(e.evidence, "evidence"),
      cell(e.source || e.article_id)
    );
    tbody.append(tr);
  }
  summary.textContent = data.events.length + " حدثا";
})();
