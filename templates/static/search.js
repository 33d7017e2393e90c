/* Starts Pagefind UI on the search page. External file: the site's CSP allows no inline script.
   The site root comes from <meta name="site-root"> (a relative URL), so results link correctly
   whatever sub-path the site is served from. ?q=… (from the header form) pre-fills the search. */
(function () {
  "use strict";
  var mount = document.getElementById("search");
  if (!mount) {
    return;
  }
  var status = document.getElementById("search-status");
  if (typeof window.PagefindUI !== "function") {
    // pagefind/ is missing (site built without search): say so instead of showing nothing
    if (status) {
      status.hidden = false;
    }
    return;
  }
  var meta = document.querySelector('meta[name="site-root"]');
  var root = new URL(meta ? meta.content : "./", window.location.href);
  var ui = new window.PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    baseUrl: root.pathname,
    bundlePath: root.pathname + "pagefind/",
    // the standfirst is indexed as metadata; shown, it would repeat as a grey "Standfirst: …" tag
    processResult: function (result) {
      if (result.meta) {
        delete result.meta.standfirst;
      }
      return result;
    }
  });
  // Pagefind's input is labelled only by its title attribute; name it by the visible heading
  var input = mount.querySelector(".pagefind-ui__search-input");
  if (input && document.getElementById("search-title")) {
    input.setAttribute("aria-labelledby", "search-title");
  }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query && query.trim()) {
    ui.triggerSearch(query.trim());
  }
})();
