// Dates and times in the site's zone, money with its currency, in the chosen language.
import {locale, t} from "./i18n.js";

export function dateTime(iso, zone) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale, {timeZone: zone, dateStyle: "short", timeStyle: "short"})
    .format(new Date(iso));
}

export function time(iso, zone) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale, {timeZone: zone, hour: "2-digit", minute: "2-digit"})
    .format(new Date(iso));
}

export function money(amount, currency = "CNY") {
  if (amount === null || amount === undefined || amount === "") return "";
  return new Intl.NumberFormat(locale, {style: "currency", currency}).format(Number(amount));
}

export function percent(ratio) {
  if (ratio === null || ratio === undefined) return "";
  return new Intl.NumberFormat(locale, {style: "percent", maximumFractionDigits: 1}).format(Number(ratio));
}

// The site's today (YYYY-MM-DD) and this month (YYYY-MM).
export const today = (zone) => new Date().toLocaleDateString("sv-SE", {timeZone: zone});
export const thisMonth = (zone) => today(zone).slice(0, 7);

// A wall time typed at the site ("2026-12-01T10:30") as ISO 8601 with the site's offset.
export function siteDateTime(local, zone) {
  if (!local) return null;
  const probe = new Date(`${local}:00Z`);
  const name = new Intl.DateTimeFormat("en-US", {timeZone: zone, timeZoneName: "longOffset"})
    .formatToParts(probe).find((part) => part.type === "timeZoneName").value;
  const offset = name === "GMT" ? "+00:00" : name.slice(3);
  return `${local}:00${offset}`;
}

// Time left until a deadline, as "2 h 05 min" ("2 小时 05 分"; negative: overdue).
export function until(iso) {
  const minutes = Math.round((new Date(iso) - Date.now()) / 60000);
  const sign = minutes < 0 ? "-" : "";
  const m = Math.abs(minutes);
  return t("%h h %m min").replace("%h", `${sign}${Math.floor(m / 60)}`).replace("%m", String(m % 60).padStart(2, "0"));
}
