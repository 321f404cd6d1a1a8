// The API with the console's session cookie: the CSRF token on every change, and
// RFC 9457 problem details turned into an error that names the fields.
let csrfToken = "";

export function useCsrfToken(token) {
  csrfToken = token;
}

export class Problem extends Error {
  constructor(status, body) {
    super(body.detail || body.title || String(status));
    this.status = status;
    this.errors = body.errors || [];  // [{field: "materials.0.cost", message}]
  }
}

export async function request(method, path, body) {
  const headers = {Accept: "application/json"};
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    window.location.assign("/console/sign-in");
    throw new Problem(401, {detail: "signed out"});
  }
  if (!response.ok) throw new Problem(response.status, await response.json().catch(() => ({})));
  return response;
}

export const get = async (path) => (await request("GET", path)).json();
export const post = async (path, body) => {
  const response = await request("POST", path, body);
  return response.status === 204 ? null : response.json();
};

export async function download(path, filename) {
  const blob = await (await request("GET", path)).blob();
  const link = Object.assign(document.createElement("a"), {href: URL.createObjectURL(blob), download: filename});
  document.body.append(link);
  link.click();
  link.remove();
}
