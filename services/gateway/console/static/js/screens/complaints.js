// Complaints: register, investigate, resolve, reply; open complaints with their deadlines.
import {post} from "../api.js";
import {h, panel, table, widePanel} from "../dom.js";
import {commandForm} from "../forms.js";
import {dateTime, until} from "../format.js";
import {t, valueLabel} from "../i18n.js";
import {follow} from "../live.js";

const CHANNELS = ["phone", "letter", "in_person", "app"];
const CATEGORIES = ["repair", "cleaning", "security", "noise", "parking", "billing", "service", "other"];
const STEPS = [
  {op: "investigation", title: "Investigate", fields: [{name: "cause", type: "select", options: ["tenant", "property", "third_party"]}, {name: "notes"}]},
  {op: "resolution", title: "Resolve", fields: [{name: "resolution"}]},
  {op: "reply", title: "Reply", fields: [{name: "channel", type: "select", options: CHANNELS}, {name: "message"}]},
];

export default function render({site, can, root}) {
  const base = `/sites/${site.id}`;
  const zone = site.timezone;
  const open = h("div", {id: "open-complaints"});
  const steps = h("div", {id: "complaint-steps"}, h("p", {class: "muted"}, t("Choose a complaint on the list")));

  function choose(row) {
    const allowed = STEPS.filter((step) => can(`POST /complaints/{complaint_id}/${step.op}`));
    steps.replaceChildren(h("p", {}, `${row.complainant} · ${valueLabel(row.category)} · ${row.content}`),
      allowed.map((step) => commandForm({title: step.title, submit: step.title, zone, fields: step.fields,
        send: (body) => post(`${base}/complaints/${row.complaint_id}/${step.op}`, body)})));
  }

  const panels = [widePanel("Open complaints", open), panel("Complaint", steps)];
  if (can("POST /complaints")) {
    panels.push(panel("Register a complaint", commandForm({submit: "Register", zone,
      fields: [{name: "channel", type: "select", options: CHANNELS}, {name: "complainant"},
        {name: "unit", optional: true}, {name: "company", optional: true}, {name: "contact_phone", optional: true},
        {name: "category", type: "select", options: CATEGORIES}, {name: "content"}],
      send: (body) => post(`${base}/complaints`, body)})));
  }
  root.append(h("div", {class: "grid"}, ...panels));
  return follow(site.id, {complaints: (rows) => {
    const view = table(rows, [["complainant"], ["unit"], ["category", valueLabel], ["status", (v) => valueLabel(v, "complaint")],
      ["registered_at", (v) => dateTime(v, zone)], ["deadline", (v) => dateTime(v, zone)],
      ["time_left", (_, row) => h("span", {class: row.overdue ? "late" : "ok"}, row.overdue ? t("Overdue") : until(row.deadline))]],
    "No open complaints");
    for (const tr of view.querySelectorAll("tbody tr")) {
      tr.classList.add("pick");
      tr.addEventListener("click", () => choose(rows.find((r) => r.complaint_id === tr.dataset.id)));
    }
    open.replaceChildren(view);
  }});
}
