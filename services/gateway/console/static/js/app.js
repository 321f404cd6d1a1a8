// The console: who is signed in, the site picker, the menu their role allows, the language.
import {get, post, useCsrfToken} from "./api.js";
import {h} from "./dom.js";
import {LOCALES, loadCatalog, locale, t} from "./i18n.js";
import boards from "./screens/boards.js";
import cashier from "./screens/cashier.js";
import charts from "./screens/charts.js";
import complaints from "./screens/complaints.js";
import frontdesk from "./screens/frontdesk.js";
import group from "./screens/group.js";
import mail from "./screens/mail.js";
import repairs from "./screens/repairs.js";

const SCREENS = {boards, frontdesk, mail, repairs, cashier, complaints, charts, group};
const TITLES = {boards: "Live boards", frontdesk: "Front desk", mail: "Mail room", repairs: "Repairs",
  cashier: "Cashier", complaints: "Complaints", charts: "Charts", group: "Group roll-up"};
const $ = (id) => document.getElementById(id);
let me;
let leave = null;  // closes the current screen's live boards

function site() {
  const id = localStorage.getItem("concierge.site");
  return me.sites.find((s) => s.id === id) || me.sites[0];
}

function current() {
  const wanted = window.location.hash.slice(1);
  return me.screens.includes(wanted) ? wanted : me.screens[0];
}

async function show() {
  if (leave) leave();
  leave = null;
  const key = current();
  for (const link of document.querySelectorAll("#menu a")) link.classList.toggle("on", link.dataset.screen === key);
  const main = $("screen");
  main.replaceChildren();
  if (!key || !site()) {
    main.append(h("p", {class: "muted"}, t("Your role has no screen here.")));
    return;
  }
  const operations = new Set(me.operations);
  const context = {me, site: site(), can: (op) => operations.has(op), root: main};
  document.title = `${t(TITLES[key])} · ${site().name} · ${t("Concierge")}`;
  leave = (await SCREENS[key](context)) || null;
}

function header() {
  const picker = h("select", {id: "site-picker", "aria-label": t("Site"),
    onchange: (e) => { localStorage.setItem("concierge.site", e.target.value); show(); }},
  me.sites.map((s) => h("option", {value: s.id, selected: s.id === site()?.id}, s.name)));
  const language = h("select", {id: "language", "aria-label": t("Language"),
    onchange: async (e) => { await loadCatalog(e.target.value); header(); show(); }},
  LOCALES.map((code) => h("option", {value: code, selected: code === locale}, {"zh-CN": "中文", en: "English"}[code])));
  const signOut = h("button", {id: "sign-out", type: "button", onclick: async () => {
    await post("/console/sign-out");
    window.location.assign("/console/sign-in");
  }}, t("Sign out"));
  $("top").replaceChildren(
    h("h1", {}, t("Concierge")),
    picker,
    h("nav", {id: "menu"}, me.screens.map((key) => h("a", {href: `#${key}`, "data-screen": key}, t(TITLES[key])))),
    h("span", {class: "who"}, `${me.name} · ${t(`role:${me.role}`)}`),
    language, signOut);
}

async function start() {
  await loadCatalog(locale);
  me = await get("/console/me");
  useCsrfToken(me.csrf_token);
  header();
  window.addEventListener("hashchange", show);
  await show();
}

start();
