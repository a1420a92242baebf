// The page works without this script. With it: the condition and medicine lists are
// filtered as a clinician types, and "What applies" follows what is picked.
"use strict";

function filterList(input) {
  const list = document.getElementById(input.dataset.filters);
  const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const item of list.children) {
    const hit = words.every((w) => item.dataset.search.includes(w));
    const checked = item.querySelector("input").checked;
    item.hidden = !(hit || checked);
    if (!item.hidden) shown += 1;
  }
  const count = document.getElementById(input.id + "-count");
  count.textContent = words.length ? shown + " shown (ticked ones stay shown)" : "";
}

function showApplies(data) {
  const body = document.getElementById("applies-body");
  body.replaceChildren();
  const part = (title, lines, none) => {
    if (!lines.length) {
      const p = document.createElement("p");
      p.textContent = none;
      body.append(p);
      return;
    }
    const h = document.createElement("h3");
    h.textContent = title;
    const ul = document.createElement("ul");
    for (const line of lines) {
      const li = document.createElement("li");
      li.textContent = line;
      ul.append(li);
    }
    body.append(h, ul);
  };
  part("How the conditions are linked", data.links, "No link between these conditions is in the library.");
  part("Combination cautions that print", data.combos, "No combination caution applies.");
}

let pending = null;
function askApplies(form) {
  clearTimeout(pending);
  pending = setTimeout(async () => {
    const sent = new FormData();
    for (const name of ["csrf", "conditions", "medicines"]) {
      for (const value of new FormData(form).getAll(name)) sent.append(name, value);
    }
    try {
      const answer = await fetch("/applies", { method: "POST", body: sent, credentials: "same-origin" });
      if (answer.ok) showApplies(await answer.json());
    } catch (e) {
      // the panel keeps what it said; the preview says it too
    }
  }, 150);
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("handout");
  for (const finder of document.querySelectorAll("[data-filters]")) {
    finder.closest(".find").hidden = false;
    finder.addEventListener("input", () => filterList(finder));
  }
  form.addEventListener("change", (event) => {
    if (["conditions", "medicines"].includes(event.target.name)) askApplies(form);
  });
  const problems = document.getElementById("problems");
  if (problems) problems.focus();
  else {
    const preview = document.getElementById("preview-title");
    if (preview) preview.focus();
  }
});
