// Live boards: in the building now, mail awaiting pickup, the repair board with its SLA
// clocks, open complaints with their deadlines, today's collection rate.
import {h, panel, table, widePanel} from "../dom.js";
import {dateTime, percent, time, until} from "../format.js";
import {t, valueLabel} from "../i18n.js";
import {follow} from "../live.js";

const OPEN_REPAIRS = new Set(["reported", "dispatched", "in_progress", "reopened"]);

export function slaClock(deadline, row) {
  if (!deadline || !OPEN_REPAIRS.has(row.status)) return "";
  const left = until(deadline);
  return h("span", {class: left.startsWith("-") ? "late" : "ok"}, left.startsWith("-") ? `${t("Overdue")} ${left.slice(1)}` : left);
}

export function inBuildingTable(rows, zone, ...more) {
  return table(rows, [["visitor_name"], ["visitor_company"], ["host_unit"], ["host_name"],
    ["checked_in_at", (v) => time(v, zone)], ...more], "Nobody is in the building");
}

const BOARDS = {
  in_building: ["GET /in-building", "In the building now", (rows, zone) => inBuildingTable(rows, zone)],
  awaiting_pickup: ["GET /mail/awaiting-pickup", "Mail awaiting pickup", (units) => table(units, [["unit"],
    ["items", (items) => items.length, true],
    ["urgent", (_, unit) => unit.items.filter((item) => item.urgent).length || "", true]], "No mail is waiting")],
  repairs: ["GET /work-orders", "Repair board", (rows, zone) => table(rows.filter((r) => OPEN_REPAIRS.has(r.status)),
    [["number"], ["status", valueLabel], ["category", valueLabel], ["location"], ["urgency", (v) => (v ? valueLabel(v) : "")],
      ["deadline", (v) => dateTime(v, zone)], ["sla", (_, row) => slaClock(row.deadline, row)]], "No open repairs")],
  complaints: ["GET /complaints", "Open complaints", (rows, zone) => table(rows, [["complainant"], ["category", valueLabel],
    ["status", (v) => valueLabel(v, "complaint")], ["deadline", (v) => dateTime(v, zone)], ["time_left", (_, row) =>
      h("span", {class: row.overdue ? "late" : "ok"}, until(row.deadline))]], "No open complaints")],
  collection: ["GET /billing/collection-rate", "Collection rate this month", (rate) => {
    const last = rate.days?.at(-1);
    return last ? h("p", {class: "figure"}, percent(last.rate), h("span", {class: "muted"}, ` ${last.date}`))
      : h("p", {class: "muted"}, t("No notices issued this month"));
  }],
};

export default function render({site, can, root}) {
  const grid = h("div", {class: "grid"});
  root.append(grid);
  const handlers = {};
  for (const [name, [operation, title, draw]] of Object.entries(BOARDS)) {
    if (!can(operation)) continue;
    const body = h("div", {class: "board", id: `board-${name}`}, h("p", {class: "muted"}, t("Loading…")));
    grid.append((name === "repairs" ? widePanel : panel)(title, body));
    handlers[name] = (data) => body.replaceChildren(data.unavailable
      ? h("p", {class: "late"}, t("The service does not answer")) : draw(data, site.timezone));
  }
  return follow(site.id, handlers);
}
