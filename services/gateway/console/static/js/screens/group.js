// The group roll-up: every site side by side, by name (arrears by age, complaints).
import {get} from "../api.js";
import {h} from "../dom.js";
import {t, valueLabel} from "../i18n.js";
import {chart} from "./charts.js";

const AGES = ["current", "0-30", "31-60", "61-90", "90+"];

export default async function render({me, can, root}) {
  const name = (id) => me.sites.find((s) => s.id === id)?.name || id.slice(0, 8);
  const grid = h("div", {class: "grid charts"});
  root.append(grid);
  if (can("GET /group/billing/arrears")) {
    const arrears = await get("/group/billing/arrears");
    grid.append(chart("Arrears by site", {legend: {}, xAxis: {type: "category", data: arrears.sites.map((s) => name(s.site_id))},
      yAxis: {type: "value"}, series: AGES.map((age) => ({type: "bar", stack: "age", name: t(`age:${age}`),
        data: arrears.sites.map((s) => Number(s[age]))}))}, "chart-group-arrears"));
  }
  if (can("GET /group/complaint-statistics")) {
    const rows = await get("/group/complaint-statistics");
    const sites = [...new Set(rows.map((r) => r.site_id))];
    const statuses = [...new Set(rows.map((r) => r.status))];
    grid.append(chart("Complaints by site", {legend: {}, xAxis: {type: "category", data: sites.map(name)}, yAxis: {type: "value"},
      series: statuses.map((status) => ({type: "bar", stack: "status", name: valueLabel(status, "complaint"),
        data: sites.map((site) => rows.filter((r) => r.site_id === site && r.status === status).reduce((s, r) => s + r.complaints, 0))}))},
    "chart-group-complaints"));
  }
}
