// storyline's Similar Posts widget.
//
//   <script src="https://STORYLINE/widget.js" data-url="ARTICLE_URL" async></script>
//
// Renders the article's Similar Posts right after the script tag, inside a
// shadow root so the host page's CSS neither leaks in nor is touched. The
// list comes from /fragments/similar as HTML that the server has already
// escaped; nothing from the host page is inserted as markup. Optional:
// data-k (how many, 1 to 20), data-title (the heading).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var origin = new URL(script.src, document.baseURI).origin;
  var articleUrl = script.getAttribute("data-url") || document.location.href;
  var k = script.getAttribute("data-k") || "5";
  var heading = script.getAttribute("data-title") || "Similar Posts";
  var host = document.createElement("div");
  host.className = "storyline-similar-widget";
  script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var query = "url=" + encodeURIComponent(articleUrl) + "&k=" + encodeURIComponent(k) +
    "&title=" + encodeURIComponent(heading);
  fetch(origin + "/fragments/similar?" + query, { credentials: "omit" })
    .then(function (r) { return r.ok ? r.text() : ""; })
    .then(function (html) {
      if (!html) { return; }
      var style = document.createElement("style");
      style.textContent =
        ":host{display:block;font:inherit}" +
        ".storyline-similar{font-family:system-ui,sans-serif;border-top:1px solid #ddd;margin:1.5rem 0;padding-top:.5rem}" +
        ".storyline-similar h2{font-size:1.1rem;margin:.25rem 0 .5rem}" +
        ".storyline-similar ol{margin:0;padding-left:1.2rem}" +
        ".storyline-similar li{margin:.35rem 0}" +
        ".storyline-similar .why{display:block;color:#666;font-size:.85rem}";
      var template = document.createElement("template");
      template.innerHTML = html;
      root.appendChild(style);
      root.appendChild(template.content);
    })
    .catch(function () { /* the host page goes on without the list */ });
})();
