// The edge's way of putting the trace meta tags into a page, run locally by
// workerd: a worker that proxies its upstream and, on an HTML response,
// prepends the tags to <head> with HTMLRewriter (lol-html), as teams on
// Cloudflare do. The tags are those tracemeta renders: sentry-trace naming a
// new span of the incoming trace, and the incoming sentry- baggage members.
//
// MODE "rewrite" rewrites; any other MODE passes the upstream's response
// through untouched (the worker's own cost, without the rewriter).
export default {
  async fetch(request, env) {
    const response = await env.UPSTREAM.fetch(request);
    if (env.MODE !== "rewrite") {
      return response;
    }
    const type = response.headers.get("content-type") || "";
    if (!type.startsWith("text/html")) {
      return response;
    }
    const tags = metaTags(request.headers);
    return new HTMLRewriter()
      .on("head", {
        element(head) {
          head.prepend(tags, { html: true });
        },
      })
      .transform(response);
  },
};

const traceHeader = /^([0-9a-f]{32})-([0-9a-f]{16})(?:-([01]))?$/;

function metaTags(headers) {
  const incoming = traceHeader.exec((headers.get("sentry-trace") || "").trim());
  const traceId = incoming ? incoming[1] : randomHex(16);
  const sampled = incoming && incoming[3] !== undefined ? "-" + incoming[3] : "";
  const baggage = (headers.get("baggage") || "")
    .split(",")
    .map((member) => member.trim())
    .filter((member) => member.startsWith("sentry-"))
    .join(",");
  return (
    `<meta name="sentry-trace" content="${traceId}-${randomHex(8)}${sampled}">` +
    `<meta name="baggage" content="${escapeAttribute(baggage)}">`
  );
}

function randomHex(bytes) {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  let s = "";
  for (const x of b) {
    s += x.toString(16).padStart(2, "0");
  }
  return s;
}

function escapeAttribute(s) {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
