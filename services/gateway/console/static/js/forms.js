// Forms for the API's commands: the field's label from the catalog, the value typed as the
// API wants it, and a refused command's errors (RFC 9457 `errors`) shown next to each field.
import {Problem} from "./api.js";
import {fieldLabel, t, valueLabel} from "./i18n.js";
import {h} from "./dom.js";
import {siteDateTime} from "./format.js";

// A field: {name, type: text|number|money|bool|select|datetime|date, options, optional, value}
function input(field) {
  const id = `f-${field.name}-${Math.random().toString(36).slice(2, 8)}`;
  let control;
  if (field.type === "select") {
    control = h("select", {id, name: field.name},
      field.optional ? h("option", {value: ""}, "") : null,
      field.options.map((option) => h("option", {value: option, selected: option === field.value}, valueLabel(option))));
  } else if (field.type === "bool") {
    control = h("input", {id, name: field.name, type: "checkbox", checked: field.value === true});
  } else {
    const type = {number: "number", money: "text", datetime: "datetime-local", date: "date"}[field.type] || "text";
    control = h("input", {id, name: field.name, type, value: field.value ?? "",
      inputmode: field.type === "money" ? "decimal" : null, step: field.type === "number" ? "any" : null});
  }
  return h("div", {class: "field", "data-field": field.name},
    h("label", {for: id}, fieldLabel(field.name), field.optional ? h("span", {class: "muted"}, ` (${t("optional")})`) : null),
    control, h("div", {class: "field-error", role: "alert"}));
}

function value(form, field, zone) {
  const control = form.elements.namedItem(field.name);
  if (field.type === "bool") return control.checked;
  const raw = control.value.trim();
  if (raw === "") return undefined;
  if (field.type === "number") return Number(raw);
  if (field.type === "datetime") return siteDateTime(raw, zone);
  return raw;  // money stays decimal text: the API reads it as a Decimal
}

// The body the fields make, nested by dotted names ("phone_consent.phone").
function body(form, fields, zone) {
  const result = {};
  for (const field of fields) {
    const v = value(form, field, zone);
    if (v === undefined) continue;
    const path = field.name.split(".");
    let node = result;
    for (const part of path.slice(0, -1)) node = node[part] ??= {};
    node[path.at(-1)] = v;
  }
  return result;
}

function showErrors(form, problem) {
  const general = form.querySelector(".form-error");
  general.textContent = "";
  for (const slot of form.querySelectorAll(".field-error")) slot.textContent = "";
  for (const slot of form.querySelectorAll(".field")) slot.classList.remove("invalid");
  const unplaced = [];
  for (const error of problem.errors) {
    const field = error.field && [...form.querySelectorAll(".field")].find(
      (el) => error.field === el.dataset.field || error.field.startsWith(`${el.dataset.field}.`));
    if (field) {
      field.classList.add("invalid");
      field.querySelector(".field-error").textContent = t(error.message);
    } else unplaced.push(error.field ? `${fieldLabel(error.field)}: ${t(error.message)}` : t(error.message));
  }
  general.textContent = unplaced.length ? unplaced.join("; ") : (problem.errors.length ? "" : `${t("Refused")}: ${t(problem.message)}`);
}

// A command form: `send(body)` posts it; `done(answer)` runs after it is accepted.
export function commandForm({title, fields, submit, send, done, zone}) {
  const form = h("form", {class: "command", novalidate: true},
    title ? h("h3", {}, t(title)) : null,
    h("div", {class: "fields"}, fields.map(input)),
    h("div", {class: "form-error", role: "alert"}),
    h("button", {type: "submit"}, t(submit)),
    h("span", {class: "form-ok muted", role: "status"}));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector(".form-ok").textContent = "";
    try {
      const answer = await send(body(form, fields, zone));
      showErrors(form, {errors: [], message: ""});
      form.querySelector(".form-error").textContent = "";
      form.querySelector(".form-ok").textContent = t("Saved");
      if (done) await done(answer, form);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      showErrors(form, error);
    }
  });
  return form;
}
