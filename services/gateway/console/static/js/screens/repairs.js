// Repairs: report, dispatch, start, complete, verify; the board with its SLA clocks.
import {post} from "../api.js";
import {h, panel, table, widePanel} from "../dom.js";
import {commandForm} from "../forms.js";
import {dateTime} from "../format.js";
import {t, valueLabel} from "../i18n.js";
import {follow} from "../live.js";
import {slaClock} from "./boards.js";

const CATEGORIES = ["electrical", "plumbing", "hvac", "civil", "elevator", "fire_safety", "cleaning", "other"];
const URGENCIES = ["emergency", "high", "normal", "low"];
// What can be done to a work order in each state, and the form it takes.
const STEPS = [
  {op: "dispatch", when: ["reported"], title: "Dispatch", fields: [{name: "team"}, {name: "technician", optional: true},
    {name: "urgency", type: "select", options: URGENCIES, value: "normal"}, {name: "paid", type: "bool"},
    {name: "work_content", optional: true}]},
  {op: "start", when: ["dispatched", "reopened"], title: "Start", fields: [{name: "technician"}]},
  {op: "complete", when: ["dispatched", "in_progress", "reopened"], title: "Complete",
    fields: [{name: "result"}, {name: "labour_hours", type: "money"}, {name: "fee", type: "money", optional: true}]},
  {op: "verify", when: ["completed"], title: "Verify", fields: [{name: "passed", type: "bool", value: true},
    {name: "method", type: "select", options: ["on_site", "phone"]}, {name: "notes", optional: true}]},
];

export default function render({site, can, root}) {
  const base = `/sites/${site.id}`;
  const zone = site.timezone;
  const board = h("div", {id: "repair-board"});
  const steps = h("div", {id: "repair-steps"}, h("p", {class: "muted"}, t("Choose a work order on the board")));

  function choose(row) {
    const allowed = STEPS.filter((step) => step.when.includes(row.status) && can(`POST /repairs/{work_order_id}/${step.op}`));
    steps.replaceChildren(h("p", {}, `${row.number || t("Not dispatched")} · ${row.location} · ${row.content}`),
      allowed.length ? allowed.map((step) => commandForm({title: step.title, submit: step.title, zone, fields: step.fields,
        send: (body) => post(`${base}/repairs/${row.work_order_id}/${step.op}`, body),
        done: () => steps.replaceChildren()})) : h("p", {class: "muted"}, t("Nothing for your role to do here")));
  }

  const panels = [widePanel("Repair board", board), panel("Work order", steps)];
  if (can("POST /repairs")) {
    panels.push(panel("Report a repair", commandForm({submit: "Report", zone,
      fields: [{name: "source", type: "select", options: ["tenant_phone", "tenant_app", "patrol"]},
        {name: "category", type: "select", options: CATEGORIES}, {name: "location"}, {name: "unit", optional: true},
        {name: "tenant", optional: true}, {name: "content"}, {name: "reporter"}],
      send: (body) => post(`${base}/repairs`, body)})));
  }
  root.append(h("div", {class: "grid"}, ...panels));
  return follow(site.id, {repairs: (rows) => {
    const view = table(rows, [["number"], ["status", valueLabel], ["category", valueLabel], ["location"],
      ["urgency", (v) => (v ? valueLabel(v) : "")], ["reported_at", (v) => dateTime(v, zone)],
      ["deadline", (v) => dateTime(v, zone)], ["sla", (_, row) => slaClock(row.deadline, row)]], "No repairs");
    for (const tr of view.querySelectorAll("tbody tr")) {
      tr.classList.add("pick");
      tr.addEventListener("click", () => choose(rows.find((r) => r.work_order_id === tr.dataset.id)));
    }
    board.replaceChildren(view);
  }});
}
