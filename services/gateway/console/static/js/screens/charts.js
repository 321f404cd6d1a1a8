// Charts (Apache ECharts, served by the gateway, its zh-CN locale built in): check-ins per
// hour, repairs by status and SLA, the month's collection-rate curve, arrears ageing,
// complaints by category and cause, satisfaction per quarter against the 90% target.
import {get} from "../api.js";
import {h, panel} from "../dom.js";
import {thisMonth, today} from "../format.js";
import {fieldLabel, locale, t, valueLabel} from "../i18n.js";

const AGES = ["current", "0-30", "31-60", "61-90", "90+"];

export function chart(title, option, id) {
  const box = h("div", {class: "chart", id});
  const section = panel(title, box);
  requestAnimationFrame(() => {
    const instance = window.echarts.init(box, null, {locale: locale === "zh-CN" ? "ZH" : "EN"});
    instance.setOption({tooltip: {trigger: "axis"}, grid: {left: 56, right: 24, top: 40, bottom: 32, containLabel: true},
      ...option, legend: option.legend ? {top: 0, ...option.legend} : undefined});
    new ResizeObserver(() => instance.resize()).observe(box);  // the grid settles after the first chart
  });
  return section;
}

const count = (rows, key) => rows.reduce((acc, row) => ({...acc, [row[key]]: (acc[row[key]] || 0) + 1}), {});
const bars = (labels, series) => ({xAxis: {type: "category", data: labels}, yAxis: {type: "value"},
  legend: series.length > 1 ? {} : undefined, series: series.map((s) => ({type: "bar", ...s}))});

const CHARTS = [
  ["GET /visits-per-host", "Check-ins per hour", async (base, zone) => {
    const rows = await get(`${base}/visits-per-host?date=${today(zone)}`);
    const hours = Array.from({length: 24}, (_, hour) => rows.filter((r) => r.hour === hour).reduce((s, r) => s + r.check_ins, 0));
    return bars(hours.map((_, hour) => `${hour}:00`), [{name: t("Check-ins"), data: hours}]);
  }],
  ["GET /work-orders", "Repairs by status and SLA", async (base) => {
    const rows = await get(`${base}/work-orders`);
    const statuses = Object.keys(count(rows, "status"));
    const late = (row) => row.completed_late === true || (row.deadline && !row.completed_at && new Date(row.deadline) < Date.now());
    return {...bars(statuses.map(valueLabel), [
      {name: t("Within SLA"), stack: "sla", data: statuses.map((s) => rows.filter((r) => r.status === s && !late(r)).length)},
      {name: t("Past SLA"), stack: "sla", data: statuses.map((s) => rows.filter((r) => r.status === s && late(r)).length)}]), legend: {}};
  }],
  ["GET /billing/collection-rate", "Collection rate this month", async (base, zone) => {
    const rate = await get(`${base}/billing/collection-rate?period=${thisMonth(zone)}`);
    return {xAxis: {type: "category", data: rate.days.map((d) => d.date.slice(5))},
      yAxis: {type: "value", max: 1, axisLabel: {formatter: (v) => `${Math.round(v * 100)}%`}},
      series: [{type: "line", name: fieldLabel("rate"), data: rate.days.map((d) => d.rate), areaStyle: {}}]};
  }],
  ["GET /billing/arrears", "Arrears ageing", async (base) => {
    const table = await get(`${base}/billing/arrears`);
    return bars(AGES.map((age) => t(`age:${age}`)), [{name: t("Outstanding"), data: AGES.map((age) => Number(table.totals[age]))}]);
  }],
  ["GET /complaint-statistics", "Complaints by category and cause", async (base) => {
    const rows = await get(`${base}/complaint-statistics`);
    const categories = [...new Set(rows.map((r) => r.category))];
    const causes = [...new Set(rows.map((r) => r.cause))];
    return {...bars(categories.map(valueLabel), causes.map((cause) => ({name: valueLabel(cause), stack: "cause",
      data: categories.map((c) => rows.filter((r) => r.category === c && r.cause === cause).reduce((s, r) => s + r.complaints, 0))}))), legend: {}};
  }],
  ["GET /satisfaction", "Satisfaction per quarter", async (base) => {
    const rows = await get(`${base}/satisfaction`);
    return {xAxis: {type: "category", data: rows.map((r) => r.quarter)},
      yAxis: {type: "value", max: 1, axisLabel: {formatter: (v) => `${Math.round(v * 100)}%`}},
      series: [{type: "bar", name: t("Satisfied"), data: rows.map((r) => r.satisfied_share),
        markLine: {symbol: "none", data: [{yAxis: 0.9, name: t("Target 90%")}],
          label: {position: "insideEndTop", formatter: t("Target 90%")}}}]};
  }],
];

export default async function render({site, can, root}) {
  const base = `/sites/${site.id}`;
  const grid = h("div", {class: "grid charts"});
  root.append(grid);
  for (const [operation, title, build] of CHARTS) {
    if (can(operation)) grid.append(chart(title, await build(base, site.timezone), `chart-${operation.split("/").at(-1)}`));
  }
}
