// Front desk: pre-register, a walk-in asking the host, check in and out, deny; a watchlist
// hit is the API's refusal shown on the form; the day's log as a download.
import {download, post, Problem} from "../api.js";
import {h, panel, table, widePanel} from "../dom.js";
import {commandForm} from "../forms.js";
import {time, today} from "../format.js";
import {locale, t, valueLabel} from "../i18n.js";
import {follow} from "../live.js";
import {inBuildingTable} from "./boards.js";

const VISITOR = [{name: "visitor_name"}, {name: "visitor_company", optional: true}, {name: "host_unit"},
  {name: "host_name"}, {name: "purpose"}, {name: "party_size", type: "number", value: 1}];
const ID_CHECK = [{name: "id_checked", type: "bool"},
  {name: "id_type", type: "select", optional: true, options: ["id_card", "passport", "driving_licence", "other"]},
  {name: "id_number", optional: true}];

function action(label, run, message) {
  return h("button", {type: "button", class: "small", onclick: async () => {
    try { await run(); } catch (error) {
      if (!(error instanceof Problem)) throw error;
      message.textContent = `${t("Refused")}: ${t(error.message)}`;
    }
  }}, t(label));
}

export default function render({site, can, root}) {
  const base = `/sites/${site.id}`;
  const zone = site.timezone;
  const message = h("p", {class: "form-error", role: "alert"});
  const expected = h("div", {id: "expected"});
  const inside = h("div", {id: "in-building"});

  function showExpected(log) {
    const rows = log.filter((row) => row.status === "expected" || row.status === "awaiting_host");
    const deny = (row) => {
      const reason = h("input", {"aria-label": t("field:reason"), placeholder: t("field:reason"), class: "reason"});
      return h("span", {}, reason, action("Deny", async () => {
        await post(`${base}/visits/${row.visit_id}/deny`, {reason: reason.value});
      }, message));
    };
    expected.replaceChildren(table(rows, [["visitor_name"], ["visitor_company"], ["host_unit"], ["status", valueLabel],
      ["expected_from", (v) => time(v, zone)],
      ["actions", (_, row) => h("span", {},
        can("POST /visits/{visit_id}/check-in") ? action("Check in", async () => {
          await post(`${base}/visits/${row.visit_id}/check-in`, {});
        }, message) : null,
        can("POST /visits/{visit_id}/deny") ? deny(row) : null)]], "No visitors expected"));
  }

  const forms = h("div", {class: "forms"});
  if (can("POST /visits/pre-registrations")) {
    forms.append(commandForm({title: "Pre-register a visitor", zone, submit: "Pre-register",
      fields: [...VISITOR, {name: "expected_from", type: "datetime"}, {name: "expected_until", type: "datetime"}],
      send: (body) => post(`${base}/visits/pre-registrations`, body)}));
  }
  if (can("POST /visits")) {
    forms.append(commandForm({title: "Visitor without appointment", zone, submit: "Ask the host",
      fields: [...VISITOR, ...ID_CHECK], send: (body) => post(`${base}/visits`, body)}));
  }
  const exportButton = h("button", {type: "button", id: "export-visit-log", onclick: () => download(
    `/console/exports/${site.id}/visit-log?date=${today(zone)}&format=csv&locale=${locale}`,
    `visit-log-${today(zone)}.csv`)}, t("Download the day's visitor log (CSV)"));
  root.append(h("div", {class: "grid"},
    widePanel("Expected today", message, expected),
    panel("In the building now", inside, exportButton),
    panel("Register", forms)));
  const checkOut = can("POST /visits/{visit_id}/check-out")
    ? [["actions", (_, row) => action("Check out", () => post(`${base}/visits/${row.visit_id}/check-out`), message)]] : [];
  return follow(site.id, {  // both lists live: a change at another desk shows here too
    visit_log: showExpected,
    in_building: (rows) => inside.replaceChildren(inBuildingTable(rows, zone, ...checkOut)),
  });
}
