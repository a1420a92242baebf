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
  const part = (title, lines, none, fromPlan) => {
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
      if (fromPlan.includes(line)) {
        const why = document.createElement("span");
        why.className = "from-plan";
        why.textContent = "(for a medicine the plan names)";
        li.append(" ", why);
      }
      ul.append(li);
    }
    body.append(h, ul);
  };
  part("How the conditions are linked", data.links, "No link between these conditions is in the library.", []);
  part("Combination cautions that print", data.combos, "No combination caution applies.", data.from_plan);
  if (data.plan_medicines.length) {
    const p = document.createElement("p");
    p.className = "plan-adds";
    p.textContent = "The plan names " + data.plan_medicines.join(", ") + ": their cautions print too.";
    body.append(p);
  }
}

// The plan's fields that can bring a medicine's cautions: its template, and the slots
// that say which medicine (typed words go to this server only, as a preview's do); the
// language too: the slots are read in its medicine names as well as in English.
const ASKED = ["plan_template", "attack_medicine", "daily_medicine", "language"];
let pending = null;
function askApplies(form) {
  clearTimeout(pending);
  pending = setTimeout(async () => {
    const sent = new FormData();
    for (const name of ["csrf", "conditions", "medicines", ...ASKED]) {
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

// A date the browser cannot read (half typed, or 31 February) would be posted as no date
// at all, and print none: it is posted as what it is, so the server says where it is wrong.
function unreadableDates(event) {
  for (const input of event.target.querySelectorAll("input[type=date]")) {
    if (input.validity.badInput) event.formData.set(input.name, "unreadable");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form")) form.addEventListener("formdata", unreadableDates);
  const form = document.getElementById("handout");
  for (const finder of document.querySelectorAll("[data-filters]")) {
    finder.closest(".find").hidden = false;
    finder.addEventListener("input", () => filterList(finder));
  }
  form.addEventListener("change", (event) => {
    if (["conditions", "medicines", ...ASKED].includes(event.target.name)) askApplies(form);
  });
  const problems = document.getElementById("problems");
  if (problems) problems.focus();
  else {
    const preview = document.getElementById("preview-title");
    if (preview) preview.focus();
  }
});

// A clinic list: the handouts are made a row at a time, with a bar that fills as they
// are; then the zip is saved. Without the script, the form posts and the zip comes back.
function uploadProblems(form, problems, field = "list") {
  for (const old of form.querySelectorAll(".error")) {
    const input = old.parentElement.querySelector("input");
    input.removeAttribute("aria-describedby");
    input.removeAttribute("aria-invalid");
    old.parentElement.classList.remove("has-error");
    old.remove();
  }
  let box = document.getElementById(field + "-error");
  if (!box) {
    box = document.createElement("div");
    box.className = "error";
    box.id = field + "-error";
    const input = document.getElementById("f-" + field);
    input.before(box);
    input.setAttribute("aria-describedby", field + "-error");
    input.setAttribute("aria-invalid", "true");
    input.parentElement.classList.add("has-error");
  }
  box.replaceChildren();
  for (const line of problems) {
    const p = document.createElement("p");
    p.textContent = line;
    box.append(p);
  }
  box.setAttribute("tabindex", "-1");
  box.focus();
}

async function sendList(form) {
  const bar = document.getElementById("upload-bar");
  const status = document.getElementById("upload-status");
  const button = form.querySelector("button[type=submit]");
  document.getElementById("upload-progress").hidden = false;
  bar.value = 0;
  status.textContent = "Sending the list…";
  button.disabled = true;
  try {
    const answer = await fetch("/batch?stream=1", { method: "POST", body: new FormData(form), credentials: "same-origin" });
    const kind = answer.headers.get("content-type") || "";
    if (kind.startsWith("application/json")) {
      const said = await answer.json();
      status.textContent = said.field ? "Nothing was made." : "Nothing was made: the list has problems.";
      uploadProblems(form, said.problems, said.field);
      return;
    }
    if (!answer.ok) {
      status.textContent = await answer.text();
      return;
    }
    // lines of JSON (progress), then "ZIP" on a line of its own and the zip's bytes
    const reader = answer.body.getReader();
    const decoder = new TextDecoder();
    let held = new Uint8Array(0);
    let zip = null;
    let name = "handouts.zip";
    let note = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (zip) {
        zip.push(value);
        continue;
      }
      const joined = new Uint8Array(held.length + value.length);
      joined.set(held);
      joined.set(value, held.length);
      held = joined;
      let end;
      while (!zip && (end = held.indexOf(10)) >= 0) {
        const line = decoder.decode(held.subarray(0, end));
        held = held.subarray(end + 1);
        if (line === "ZIP") {
          zip = [held];
          break;
        }
        const said = JSON.parse(line);
        if (said.problems) {
          status.textContent = "Nothing was saved.";
          uploadProblems(form, said.problems);
          return;
        }
        if (said.name) {
          name = said.name;
          note = said.note || "";
        } else {
          bar.max = said.total;
          bar.value = said.done;
          status.textContent = said.done + " of " + said.total + " rows made";
        }
      }
    }
    if (zip) {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob(zip, { type: "application/zip" }));
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60000);
      const rows = bar.max === 1 ? " row" : " rows";
      status.textContent = "Done: " + bar.max + rows + ". The zip is saved (" + name + ")." + (note ? " " + note : "");
    } else {
      status.textContent = "The connection was lost before the zip was made. Try again.";
    }
  } catch (e) {
    status.textContent = "The connection was lost before the zip was made. Try again.";
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const upload = document.getElementById("upload");
  if (upload) {
    upload.addEventListener("submit", (event) => {
      event.preventDefault();
      sendList(upload);
    });
  }
});
