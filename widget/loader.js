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
  var consent = opts.vouchConsent !== "required", held = null, loading = {}, started = {};
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
    if (CODE.test(code) && landedAt != location.href) { landedAt = location.href; landing = {}; }
  }

  /* Funnel beacon: events wait in the page and leave in batches (sendBeacon) every 5 s and when
     the page is hidden. No cookie, nothing personal: a random id
     per batch and per tab (sessionStorage). Nothing is sent under GPC or before consent. */
  var events = [], timer, landing, landedAt, sid;
  function rid() { return Array.from(crypto.getRandomValues(new Uint8Array(12)), function (b) { return (b | 256).toString(16).slice(1); }).join(""); }
  function session() {
    try { sid = sid || sessionStorage.getItem("vouch:session") || rid(); sessionStorage.setItem("vouch:session", sid); } catch (e) { sid = sid || rid(); }
    return sid;
  }
  function track(campaign, type, channel) {
    if (navigator.globalPrivacyControl === true || !campaign) return;
    events.push([campaign, { type: type, channel: channel, at: Date.now() }]);
    timer = timer || setTimeout(flush, 5e3);
  }
  function flush() {
    clearTimeout(timer);
    timer = 0;
    if (!consent || !navigator.sendBeacon) return;
    var by = {};
    events.splice(0).forEach(function (e) { (by[e[0]] = by[e[0]] || []).push(e[1]); });
    // The server fills in core's MAX_BATCH_EVENTS, as it fills in the bundles' URLs.
    for (var c in by) for (var i = 0; i < by[c].length; i += __MAX_EVENTS__)
      // A string goes as text/plain;charset=UTF-8, which needs no preflight.
      navigator.sendBeacon(base + "/v1/events", JSON.stringify({ campaign: c, batch: rid(), session: session(),
        events: by[c].slice(i, i + __MAX_EVENTS__) }));
  }
  d.addEventListener("visibilitychange", function () { d.visibilityState == "hidden" && flush(); });
  w.addEventListener("pagehide", flush);
  var seen = w.IntersectionObserver && new IntersectionObserver(function (es) {
    es.forEach(function (e) { e.isIntersecting && (seen.unobserve(e.target), track(e.target.getAttribute("data-vouch-campaign"), "impression")); });
  });
  // Each host is seen once (scan takes a host once), its form started once, and a friend's link
  // lands once per campaign. A share is a click on a share control of the referral panel: its
  // channel is the control's last class, or `qr` for opening the QR code's <details>.
  function watch(h, c, view) {
    seen && seen.observe(h);
    h.addEventListener("click", function (e) {
      var t = e.composedPath()[0], s = t.closest && t.closest(".share,.copy,summary");
      s && !t.closest("details[open]") && track(c, "share", s.tagName == "SUMMARY" ? "qr" : s.classList[s.classList.length - 1]);
    });
    view == "referral" || view == "offer" || h.addEventListener("focusin", function () { track(c, "form_start"); }, { once: true });
    if (landing && !landing[c]) { landing[c] = 1; track(c, "link_landing"); }
  }

  function load(name) {
    var b = BUNDLES[name], wasm;
    // The wasm downloads beside the module that instantiates it, not after it, and compiles as it
    // streams in (a server that mislabels it gets a plain fetch, which the module copes with).
    return loading[name] || (wasm = compile(base + b[1]), loading[name] = import(base + b[0]).then(function (m) {
      return m.default({ module_or_path: wasm });
    }).then(function () { started[name] = 1; }));
  }
  function compile(url) {
    var W = w.WebAssembly;
    return W && W.compileStreaming ? W.compileStreaming(fetch(url)).catch(function () { return fetch(url); }) : fetch(url);
  }
  // The campaign's config travels beside the wasm, not after it: each host gets a promise of the
  // JSON text (null when the request fails, so the widget asks again itself and shows the error
  // as always). A page that embeds the config (the hosted page) needs no request at all. The
  // query is the widget's own: its language candidates, the server picks one.
  function prefetch(h, sent) {
    var id = h.getAttribute("data-vouch-campaign"), own = h.querySelector('script[type="application/json"]');
    var langs = [h.getAttribute("data-vouch-locale"), navigator.language].filter(Boolean).join(",");
    var url = base + "/v1/campaigns/" + encodeURIComponent(id) + "?locale=" + encodeURIComponent(langs);
    h.vouchCampaign = own ? Promise.resolve(own.textContent) : sent[url] || (sent[url] = fetch(url, { credentials: "omit" })
      .then(function (r) { return r.ok ? r.text() : null; }).catch(function () { return null; }));
  }
  function scan() {
    var a = read(), hosts = d.querySelectorAll(a ? HOSTS : HOSTS + ":not([data-vouch-idle])"), want = {}, sent = {};
    for (var i = 0; i < hosts.length; i++) {
      var h = hosts[i], view = h.getAttribute("data-vouch-view");
      // An offer shows a friend's code, nothing else: no code, no download (until one comes).
      if (view == "offer" && !a) { h.setAttribute("data-vouch-idle", ""); continue; }
      // "given": the page asked first and the visitor agreed (the widget records that consent).
      h.setAttribute("data-vouch-consent", consent ? (opts.vouchConsent === "required" ? "given" : "1") : "0");
      if (a) h.setAttribute("data-vouch-ref", a.code);
      h.setAttribute("data-vouch-api", base);
      watch(h, h.getAttribute("data-vouch-campaign"), view);
      prefetch(h, sent);
      want[BUNDLES.hasOwnProperty(view) ? view : "entry"] = 1;
    }
    // A bundle scans in a task of its own once it has started; hosts added after that are
    // announced with an event. (Announcing them to a bundle still on its way would mount them in
    // the task that starts it, one long task.)
    Object.keys(want).forEach(function (name) {
      var running = started[name];
      load(name).then(function () { running && w.dispatchEvent(new Event("vouch:scan")); },
        function (e) { console.error("Vouch widget failed to load", e); });
    });
  }
  // The bundles of the hosts already in the page start to download and compile before anything
  // else, even while the page is still being parsed: the bundle is the long wait. A host itself
  // is taken (marked, its config asked for) by scan, once the document is whole, since its own
  // children (the config a page of ours embeds) may not be parsed yet. An offer waits for scan,
  // which reads the friend's code from storage first.
  function kick() {
    var hosts = d.querySelectorAll(HOSTS + ":not([data-vouch-idle])");
    for (var i = 0; i < hosts.length; i++) {
      var view = hosts[i].getAttribute("data-vouch-view");
      // scan reports a failure; this only keeps it from being reported twice.
      if (view != "offer") load(BUNDLES.hasOwnProperty(view) ? view : "entry")["catch"](function () {});
    }
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
      if (!consent) { ls(KEY, null); cookie("", 0); events = []; } else flush();
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
  // Commands wait in the queue until the friend's code has been read (below).
  var queued = (w.vouch && w.vouch.q) || [], ready;
  w.vouch = function () { ready ? run(arguments) : queued.push(arguments); };
  w.vouch.scan = scan;
  w.vouch.track = track;

  kick();
  // The downloads are what the page waits for; the rest (storage, the page's commands, the
  // observers) is a task of its own, and the first scan (which asks for the configs) one more,
  // so that none of them makes a long task on a slow phone.
  setTimeout(function () {
    capture();
    for (var i = 0; i < queued.length; i++) run(queued[i]);
    ready = 1;
    if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", scan); else setTimeout(scan);
    new MutationObserver(function () { if (d.querySelector(HOSTS + ":not([data-vouch-idle])")) scan(); })
      .observe(d.documentElement, { childList: true, subtree: true });
  });
})(window, document);
