/* Vouch loader: paste <div data-vouch-campaign="ID"></div><script async src="https://BFF/v1/loader.js"></script>.
   It only finds widget hosts and pulls the widget module from the same origin as this script. */
(function (w, d) {
  "use strict";
  if (w.__vouchLoader) return;
  w.__vouchLoader = 1;
  var script = d.currentScript;
  var base = new URL(script ? script.src : "/", location.href).origin;
  var loading;
  // Commands queued before the loader arrived (vouch('…')) stay queued for the widget.
  w.vouch = w.vouch || function () { (w.vouch.q = w.vouch.q || []).push(arguments); };

  function load() {
    return loading || (loading = import(base + "__WIDGET_JS__").then(function (m) {
      return m.default({ module_or_path: base + "__WIDGET_WASM__" });
    }));
  }

  function scan() {
    var hosts = d.querySelectorAll("[data-vouch-campaign]:not([data-vouch-api])");
    if (!hosts.length) return;
    for (var i = 0; i < hosts.length; i++) hosts[i].setAttribute("data-vouch-api", base);
    // The widget scans on start; later hosts are announced with an event.
    var fresh = !loading;
    load().then(function () { if (!fresh) w.dispatchEvent(new Event("vouch:scan")); },
      function (e) { console.error("Vouch widget failed to load", e); });
  }

  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", scan); else scan();
  w.vouch.scan = scan;
})(window, document);
