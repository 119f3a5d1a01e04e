/* Vouch loader: finds widget hosts, loads the bundle each needs from its own origin, keeps a
   friend's referral code (?vouch_ref=CODE) for the attribution window, runs vouch('…') commands. */
(function (w, d) {
  "use strict";
  if (w.__vouchLoader) return;
  w.__vouchLoader = 1;
  var script = d.currentScript, opts = (script && script.dataset) || {};
  var base = new URL(script ? script.src : "/", location.href).origin;
  var KEY = "vouch_ref", HOSTS = "[data-vouch-campaign]:not([data-vouch-api])", CODE = /^[2-9A-HJKMNP-Z]{7,8}$/;
  var days = +opts.vouchAttributionDays || 30;
  var consent = opts.vouchConsent !== "required", held = null, loading = {};
  // One bundle per kind of host: the form, the referral panel, a friend's offer.
  var BUNDLES = { entry: ["__ENTRY_JS__", "__ENTRY_WASM__"], referral: ["__REFERRAL_JS__", "__REFERRAL_WASM__"],
    offer: ["__OFFER_JS__", "__OFFER_WASM__"] };

  function json(s) { try { return JSON.parse(s); } catch (e) { return null; } }
  function parse(s) { var a = json(s); return a && a.exp > Date.now() ? a : null; }
  function ls(k, v) { try { return v === undefined ? localStorage.getItem(k) : v === null ? localStorage.removeItem(k) : localStorage.setItem(k, v); } catch (e) { return null; } }
  function cookie(v, age) { d.cookie = KEY + "=" + v + "; max-age=" + age + "; path=/; SameSite=Lax" + (location.protocol == "https:" ? "; Secure" : ""); }
  // The friend's code: localStorage first, the cookie when storage is blocked, memory before consent.
  function read() {
    var m = d.cookie.match(/(?:^|; )vouch_ref=([^;]+)/);
    return parse(ls(KEY)) || (m && parse(decodeURIComponent(m[1]))) || held;
  }
  function keep(a) {
    held = a;
    if (!consent) return;
    var s = JSON.stringify(a);
    ls(KEY, s);
    cookie(encodeURIComponent(s), Math.round((a.exp - Date.now()) / 1e3));
  }
  function capture() {
    var code = (new URLSearchParams(location.search).get("vouch_ref") || "").trim().toUpperCase();
    var now = read();
    if (CODE.test(code) && !(now && now.code == code)) keep({ code: code, exp: Date.now() + days * 864e5 });
  }

  function load(name) {
    var b = BUNDLES[name], wasm;
    // The wasm downloads beside the module that compiles it, not after it: one round trip less.
    return loading[name] || (wasm = fetch(base + b[1]), loading[name] = import(base + b[0]).then(function (m) {
      return m.default({ module_or_path: wasm });
    }));
  }
  function scan() {
    var a = read(), hosts = d.querySelectorAll(a ? HOSTS : HOSTS + ":not([data-vouch-idle])"), want = {};
    for (var i = 0; i < hosts.length; i++) {
      var h = hosts[i], view = h.getAttribute("data-vouch-view");
      // An offer shows a friend's code, nothing else: no code, no download (until one comes).
      if (view == "offer" && !a) { h.setAttribute("data-vouch-idle", ""); continue; }
      // "given": the page asked first and the visitor agreed (the widget records that consent).
      h.setAttribute("data-vouch-consent", consent ? (opts.vouchConsent === "required" ? "given" : "1") : "0");
      if (a) h.setAttribute("data-vouch-ref", a.code);
      h.setAttribute("data-vouch-api", base);
      want[BUNDLES.hasOwnProperty(view) ? view : "entry"] = 1;
    }
    // A bundle scans on start; hosts added later are announced with an event.
    Object.keys(want).forEach(function (name) {
      var fresh = !loading[name];
      load(name).then(function () { if (!fresh) w.dispatchEvent(new Event("vouch:scan")); },
        function (e) { console.error("Vouch widget failed to load", e); });
    });
  }
  // Single-page shops change route without a load: look at the URL and for hosts again.
  function navigated() { capture(); scan(); }
  ["pushState", "replaceState"].forEach(function (m) {
    var orig = history[m];
    history[m] = function () { var r = orig.apply(this, arguments); setTimeout(navigated); return r; };
  });
  w.addEventListener("popstate", navigated);

  var commands = {
    consent: function (yes) {
      consent = !!yes;
      if (consent && held) keep(held);
      if (!consent) { ls(KEY, null); cookie("", 0); }
    },
    attribution: function (cb) { var a = read(); cb(a ? { code: a.code, expires: new Date(a.exp).toISOString() } : null); },
    // For thank-you pages: reports the purchase with the remembered code; the BFF checks the origin.
    conversion: function (c, cb) {
      var a = read(), mine = json(ls("vouch:referrer:" + c.campaign));
      if (!a) return cb && cb(null);
      fetch(base + "/v1/campaigns/" + encodeURIComponent(c.campaign) + "/conversions", {
        method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
        body: JSON.stringify({ order_id: c.order_id, email: c.email, amount: c.amount, currency: c.currency,
          referral_code: a.code, device_token: mine && mine.progress_token })
      }).then(function (r) { return r.json(); }).then(function (b) { cb && cb(b); }, function () { cb && cb(null); });
    },
    scan: scan
  };
  function run(args) {
    try { commands[args[0]] ? commands[args[0]].apply(null, [].slice.call(args, 1)) : console.warn("vouch: unknown command", args[0]); }
    catch (e) { console.error("vouch:", e); }
  }
  var queued = (w.vouch && w.vouch.q) || [];
  w.vouch = function () { run(arguments); };
  w.vouch.scan = scan;

  capture();
  for (var i = 0; i < queued.length; i++) run(queued[i]);
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", scan); else scan();
  new MutationObserver(function () { if (d.querySelector(HOSTS + ":not([data-vouch-idle])")) scan(); })
    .observe(d.documentElement, { childList: true, subtree: true });
})(window, document);
