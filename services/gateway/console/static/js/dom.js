// Building the page from elements (never from HTML strings: nothing typed is ever markup).
import {fieldLabel, t} from "./i18n.js";

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child instanceof Node ? child : String(child));
    }
  }
  return element;
}

export const panel = (title, ...children) => h("section", {class: "panel"}, h("h2", {}, t(title)), ...children);
// A panel two grid columns wide, for the long lists.
export const widePanel = (title, ...children) => {
  const section = panel(title, ...children);
  section.classList.add("wide");
  return section;
};

// A table of rows; each column is [field, render?, numeric?]; headers are field labels.
export function table(rows, columns, empty = "Nothing here") {
  if (!rows.length) return h("p", {class: "muted"}, t(empty));
  const head = h("tr", {}, columns.map(([field, , numeric]) => h("th", {class: numeric ? "n" : ""}, fieldLabel(field))));
  const body = rows.map((row) => h("tr", {"data-id": row.visit_id || row.work_order_id || row.complaint_id || row.item_id || ""},
    columns.map(([field, render, numeric]) => h("td", {class: numeric ? "n" : ""}, render ? render(row[field], row) : (row[field] ?? "")))));
  return h("table", {}, h("thead", {}, head), h("tbody", {}, body));
}
