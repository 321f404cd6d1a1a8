// Live boards: one server-sent-event stream per screen; `render[board](rows)` runs with
// each board's rows whenever they change. Returns the function that closes the stream.
export function follow(siteId, render) {
  const names = Object.keys(render);
  if (!names.length) return () => {};
  const source = new EventSource(`/console/live/${siteId}?boards=${names.join(",")}`);
  for (const name of names) {
    source.addEventListener(name, (event) => render[name](JSON.parse(event.data)));
  }
  return () => source.close();
}
