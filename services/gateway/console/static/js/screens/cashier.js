// Cashier: take a payment for a unit and show it with its reference and numbered receipt.
import {get, post, Problem} from "../api.js";
import {h, panel, table, widePanel} from "../dom.js";
import {commandForm} from "../forms.js";
import {dateTime, money} from "../format.js";
import {t, valueLabel} from "../i18n.js";

const METHODS = ["cash", "bank_transfer", "card", "wechat_pay", "alipay", "cheque", "other"];

export default async function render({site, root}) {
  const base = `/sites/${site.id}/billing`;
  const zone = site.timezone;
  const receipts = h("div", {id: "receipts"});
  const last = h("div", {id: "last-payment"});

  async function refresh() {
    const rows = (await get(`${base}/receipts`)).reverse();
    receipts.replaceChildren(table(rows, [["number", null, true], ["unit"], ["reference"],
      ["amount", (v) => money(v), true], ["method", valueLabel], ["issued_at", (v) => dateTime(v, zone)],
      ["void_reason"]], "No receipts yet"));
    return rows;
  }

  const form = commandForm({title: "Take a payment", submit: "Record payment", zone,
    fields: [{name: "unit"}, {name: "reference"}, {name: "amount", type: "money"},
      {name: "method", type: "select", options: METHODS}],
    send: ({unit, ...body}) => {
      // The unit is part of the path: without it there is no request to send.
      if (!unit) throw new Problem(422, {errors: [{field: "unit", message: "Field required"}]});
      return post(`${base}/units/${encodeURIComponent(unit)}/payments`, body);
    },
    done: async (posting, element) => {
      const sent = element.elements.namedItem("reference").value.trim();
      const receipt = (await refresh()).find((r) => r.reference === sent);
      last.replaceChildren(h("dl", {},
        h("dt", {}, t("field:reference")), h("dd", {}, sent),
        h("dt", {}, t("field:receipt")), h("dd", {}, receipt ? t("No. %n").replace("%n", receipt.number) : "—"),
        h("dt", {}, t("field:amount")), h("dd", {}, receipt ? money(receipt.amount, posting.currency) : ""),
        h("dt", {}, t("field:balance")), h("dd", {}, money(posting.balance, posting.currency)),
        posting.recorded ? null : h("dd", {class: "late"}, t("This payment was already recorded"))));
    }});
  root.append(h("div", {class: "grid"}, panel("Cashier", form, last), widePanel("Receipts", receipts)));
  await refresh();
}
