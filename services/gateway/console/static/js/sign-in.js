// Sign-in: the demo users' password form (local runs) or the group's identity provider.
import {loadCatalog, locale, t} from "./i18n.js";

const $ = (id) => document.getElementById(id);

async function start() {
  await loadCatalog(locale);
  for (const element of document.querySelectorAll("[data-msg]")) element.textContent = t(element.dataset.msg);
  const options = await (await fetch("/console/sign-in/options")).json();
  $("demo").hidden = !options.demo;
  $("oidc").hidden = !options.oidc;
  $("demo").addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch("/console/session", {
      method: "POST", headers: {"Content-Type": "application/json"}, credentials: "same-origin",
      body: JSON.stringify({login: $("login").value.trim(), password: $("password").value}),
    });
    if (response.ok) window.location.assign("/console");
    else $("failed").textContent = t("Unknown user or wrong password");
  });
}

start();
