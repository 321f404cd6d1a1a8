// Mail room: intake, and pickup signed by the recipient or a named proxy (with the
// recipient's consent by phone).
import {post} from "../api.js";
import {h, panel, table, widePanel} from "../dom.js";
import {commandForm} from "../forms.js";
import {dateTime} from "../format.js";
import {t, valueLabel} from "../i18n.js";
import {follow} from "../live.js";

const KINDS = ["letter", "parcel", "newspaper", "fax", "registered", "express"];

export default function render({site, can, root}) {
  const base = `/sites/${site.id}/mail`;
  const zone = site.timezone;
  const waiting = h("div", {id: "awaiting-pickup"});
  const pickup = h("div", {id: "pickup"}, h("p", {class: "muted"}, t("Choose an item to record its pickup")));
  let selected = null;

  function pickupForm(item) {
    pickup.replaceChildren(h("p", {}, `${item.recipient_unit} · ${valueLabel(item.kind)} · ${item.tracking_number || ""}`),
      commandForm({submit: "Record pickup", zone,
        fields: [{name: "signed_by"}, {name: "on_behalf_of", optional: true},
          {name: "phone_consent.phone", optional: true}, {name: "phone_consent.given_at", type: "datetime", optional: true}],
        send: (body) => post(`${base}/items/${item.item_id}/pickup`, body),
        done: () => pickup.replaceChildren()}));
  }

  const panels = [widePanel("Mail awaiting pickup", waiting), panel("Pickup", pickup)];
  if (can("POST /mail/items")) {
    panels.push(panel("Mail intake", commandForm({submit: "Register item", zone,
      fields: [{name: "kind", type: "select", options: KINDS}, {name: "carrier", optional: true},
        {name: "tracking_number", optional: true}, {name: "recipient_unit", optional: true},
        {name: "recipient_company", optional: true}, {name: "recipient_person", optional: true},
        {name: "urgent", type: "bool"}, {name: "pages", type: "number", optional: true},
        {name: "addressed_to", optional: true}],
      send: (body) => post(`${base}/items`, body)})));
  }
  root.append(h("div", {class: "grid"}, ...panels));
  return follow(site.id, {awaiting_pickup: (units) => {
    const items = units.flatMap((unit) => unit.items);
    const view = table(items, [["recipient_unit"], ["kind", valueLabel], ["recipient_company"], ["urgent", (v) => (v ? "!" : "")],
      ["received_at", (v) => dateTime(v, zone)]], "No mail is waiting");
    for (const tr of view.querySelectorAll("tbody tr")) {
      tr.classList.add("pick");
      tr.addEventListener("click", () => { selected = items.find((i) => i.item_id === tr.dataset.id); pickupForm(selected); });
    }
    waiting.replaceChildren(view);
  }});
}
