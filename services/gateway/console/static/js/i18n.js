// Message catalogs (gettext .po on the server, served as JSON): zh-CN first, English second.
// A msgid is the English text; a message a catalog lacks is shown as its msgid.
export const LOCALES = ["zh-CN", "en"];
let messages = {};
export let locale = localStorage.getItem("concierge.locale") || "zh-CN";

export async function loadCatalog(wanted) {
  locale = LOCALES.includes(wanted) ? wanted : LOCALES[0];
  localStorage.setItem("concierge.locale", locale);
  document.documentElement.lang = locale;
  messages = await (await fetch(`/console/i18n/${locale}.json`)).json();
}

export const t = (msgid) => messages[msgid] || msgid;

// Field names are never shown raw: "visitor_name" is the msgid "field:visitor_name".
export const fieldLabel = (name) => messages[`field:${name}`] || englishField(name);
const englishField = (name) => {
  const text = name.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
};
// Values of an enumeration (a status, a category): "value:checked_in".
// The same word can mean two things ("registered": a complaint's status, a kind of mail):
// `kind` names the enumeration, tried first ("value:complaint.registered").
export const valueLabel = (value, kind) =>
  (kind && messages[`value:${kind}.${value}`]) || messages[`value:${value}`] || englishField(String(value));
