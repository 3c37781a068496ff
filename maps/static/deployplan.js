/* deployplan map runtime: builds the layers of a briefing or plan map from one JSON block.
 *
 * Python (maps/) writes every layer once into the JSON script element #dp-data;
 * this file turns it into Leaflet layers for the main map and for the side-by-side panes, so
 * the shared layers are stored once. Every string in the data was HTML-escaped in Python, so it
 * may go into innerHTML as it is. Coordinates are [lat, lon] (Leaflet's order).
 */
(function () {
  "use strict";
  /* Okabe-Ito colours (safe for colour-blind readers): coverage blue, gaps reddish purple,
   * occupied territory vermillion, points orange; legs a dark dashed grey. */
  var C = {
    line: "#000000", occupied: "#D55E00", coverage: "#0072B2", gap: "#CC79A7",
    leg: "#444444", point: "#E69F00", oblast: "#7a7a7a", land: "#f3f1ea",
    border: "#9d9b92", abroad: "#e4e2da"
  };
  /* Drawing order, bottom to top: every kind in a pane of its own, so that turning a layer off
   * and on again puts it back at its place (the basemaps below everything a plan draws; the
   * line above coverage and gaps; points and their labels above units and hubs). */
  var PANES = [
    ["dp-countries", 210], ["dp-oblasts", 220], ["dp-names", 390], ["dp-occupied", 405],
    ["dp-coverage", 410], ["dp-gaps", 420], ["dp-legs", 430], ["dp-line", 440],
    ["dp-hubs", 610], ["dp-units", 620], ["dp-points", 630], ["dp-labels", 640]
  ];
  /* Below this map width (or height), panels start collapsed to toggles and the minimap hides. */
  var COMPACT_W = 820, COMPACT_H = 520;
  var cache = null;
  var ICON_RULER = "<svg width='18' height='18' viewBox='0 0 18 18'><path d='M1 12 12 1l5 5L6 17z' " +
    "fill='none' stroke='#333' stroke-width='1.6'/><path d='M5 8l2 2M8 5l2 2M11 2l2 2' stroke='#333'/></svg>";
  var ICON_FULL = "<svg width='16' height='16' viewBox='0 0 16 16' fill='none' stroke='#333' " +
    "stroke-width='2'><path d='M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5'/></svg>";

  function data() {
    if (!cache) cache = JSON.parse(document.getElementById("dp-data").textContent);
    return cache;
  }

  /* [lat0, lon0, dlat, dlon, ...] in 1e-5 degree -> [[lat, lon], ...] */
  function chain(a) {
    var out = [], lat = 0, lon = 0;
    for (var i = 0; i < a.length; i += 2) {
      lat += a[i];
      lon += a[i + 1];
      out.push([lat / 1e5, lon / 1e5]);
    }
    return out;
  }
  function lines(ls) { return ls.map(chain); }
  function polys(ps) { return ps.map(function (p) { return p.map(chain); }); }

  /* One Intl.NumberFormat per number of digits, built once: toLocaleString builds one per call. */
  var formats = {};
  function num(v, digits) {
    if (v === null || v === undefined || v !== v) return "\u2013";
    var f = formats[digits] || (formats[digits] = new Intl.NumberFormat("en-US",
      {minimumFractionDigits: digits, maximumFractionDigits: digits}));
    return f.format(v);
  }

  function row(label, value) {
    return "<tr><th>" + label + "</th><td>" + value + "</td></tr>";
  }

  function unitPopup(u) {
    var h = "<div class='dp-pop'><b>" + u.label + "</b> <span class='dp-id'>" + u.id + "</span><table>";
    h += row("Deployment", u.dep);
    h += row("Unit type", u.type + " (" + u.ech + ")");
    h += row("Troops", u.troops);
    if (u.km_along !== null) h += row("Along the line", "km " + num(u.km_along, 1) + " (part " + u.part + ")");
    h += row("To the line", num(u.d_line, 1) + " km");
    h += row("To nearest unit", num(u.d_unit, 1) + " km");
    if (u.point) h += row("To " + u.point, num(u.d_point, 1) + " km, bearing " + num(u.bearing, 0) + "\u00b0");
    h += row("Oblast", u.oblast || "\u2013");
    h += row("Coverage radius", num(u.radius, 0) + " km");
    h += row("Logistics", "via " + u.hub + ": " + num(u.leg_km, 0) + " road km, " + num(u.leg_h, 1) + " h");
    if (u.resp) {
      var how = u.notice_h === null || u.notice_h === undefined ? "" :
        " (" + num(u.notice_h, 1) + " h notice + road at " + num(u.road_kmh, 0) + " km/h)";
      h += row("Response to " + u.resp + "'s sector", num(u.resp_h, 1) + " h" + how);
    }
    return h + "</table></div>";
  }

  function icon(sidc, planKey) {
    var s = data().symbols[sidc];
    return L.divIcon({
      className: "dp-unit",
      html: "<span class='dp-sym' data-plan='" + planKey + "' data-w='" + s[1] + "' style=" +
        "'transform-origin:" + s[3] + "px " + s[4] + "px'>" + s[0] + "</span>",
      iconSize: [s[1], s[2]],
      iconAnchor: [s[3], s[4]],
      popupAnchor: [0, -s[4]]
    });
  }

  function addUnits(group, plan) {
    var cols = plan.cols;
    plan.units.forEach(function (r) {
      var u = {};
      cols.forEach(function (c, i) { u[c] = r[i]; });
      L.marker([u.lat, u.lon], {icon: icon(u.sidc, plan.key), riseOnHover: true, pane: "dp-units",
        title: u.label + " " + u.id})
        .bindTooltip(u.label + " \u00b7 " + u.id, {direction: "top"})
        .bindPopup(unitPopup(u), {maxWidth: 360})
        .addTo(group);
    });
  }

  function addCoverage(group, plan) {
    if (!plan.coverage.length) return;
    L.polygon(polys(plan.coverage), {color: C.coverage, weight: 1, fillColor: C.coverage, fillOpacity: 0.13,
      pane: "dp-coverage"})
      .bindTooltip("coverage: within " + plan.radius + " of a unit")
      .addTo(group);
  }

  function addGaps(group, plan) {
    plan.gaps.forEach(function (g) {
      L.polyline(lines(g.g), {color: C.gap, weight: 8, opacity: 0.9, lineCap: "butt", pane: "dp-gaps"})
        .bindTooltip("gap of " + num(g.km, 1) + " km (line km " + num(g.a, 0) + "\u2013" + num(g.b, 0) +
          ")" + (g.o ? ", " + g.o : ""), {sticky: true})
        .addTo(group);
    });
  }

  function addLegs(group, plan) {
    var trunks = {}, style = {color: C.leg, weight: 1.5, opacity: 0.85, dashArray: "5 4", pane: "dp-legs"};
    plan.legs.forEach(function (l) {
      if (l.t && !trunks[l.t]) {
        trunks[l.t] = true;
        L.polyline(lines(data().trunks[l.t]), style)
          .bindTooltip("supply trunk: " + l.t, {sticky: true}).addTo(group);
      }
      L.polyline(lines(l.g), style)
        .bindTooltip("supply leg of " + l.id + (l.t ? ": " + l.t + " \u2192 unit" : "") + ", " +
          num(l.km, 0) + " road km, " + num(l.h, 1) + " h", {sticky: true})
        .addTo(group);
    });
  }

  /* The countries around Ukraine: a muted basemap in the lowest pane, names near Ukraine,
   * nothing to hover or click. */
  function addCountries(group, labels) {
    data().base.countries.forEach(function (c) {
      L.polygon(polys(c.g), {color: C.border, weight: 0.8, fillColor: C.abroad, fillOpacity: 1,
        interactive: false, pane: "dp-countries"}).addTo(group);
      if (labels && c.l) {
        L.marker(c.l, {icon: L.divIcon({className: "dp-country", html: "<span>" + c.n + "</span>",
          iconSize: [0, 0]}), interactive: false, keyboard: false, pane: "dp-names"}).addTo(group);
      }
    });
  }

  /* A text label at a mark, placed by declutter() (data-* say how big the mark is). */
  function label(group, latlng, text, kind, r) {
    var m = L.marker(latlng, {icon: L.divIcon({className: "dp-lab-anchor", iconSize: [0, 0],
      html: "<span class='dp-lab dp-lab-" + kind + "' data-r='" + r + "'>" + text + "</span>"}),
      interactive: false, keyboard: false, pane: "dp-labels"});
    return m.addTo(group);
  }

  var base = {
    countries: function (group) { addCountries(group, true); },
    oblasts: function (group) {
      var online = data().online;
      data().base.oblasts.forEach(function (o) {
        L.polygon(polys(o.g), {color: C.oblast, weight: 0.8, fillColor: C.land, fillOpacity: online ? 0 : 1,
          pane: "dp-oblasts"})
          .bindTooltip(o.n + (o.c ? " (" + o.c + ")" : ""), {sticky: true, className: "dp-oblast-tip"})
          .addTo(group);
      });
    },
    occupied: function (group) {
      var occ = data().base.occupied;
      if (occ.length) {
        L.polygon(polys(occ), {color: C.occupied, weight: 0, fillColor: C.occupied, fillOpacity: 0.22,
          interactive: false, pane: "dp-occupied"}).addTo(group);
      }
    },
    line: function (group) {
      data().base.line.forEach(function (p) {
        L.polyline(lines(p.g), {color: C.line, weight: p.main ? 3 : 2, pane: "dp-line", className: "dp-line"})
          .bindTooltip(p.n + (p.d ? ", " + p.d : "") + ": " + num(p.km, 0) + " km", {sticky: true})
          .addTo(group);
      });
    },
    points: function (group) {
      data().base.points.forEach(function (p) {
        L.circleMarker(p.g, {radius: 7, color: "#000", weight: 1.5, fillColor: C.point, fillOpacity: 1,
          pane: "dp-points", className: "dp-point"})
          .bindPopup("<b>" + p.n + "</b><br>expected concentration point" + (p.o ? "<br>" + p.o : ""))
          .addTo(group);
        label(group, p.g, p.n, "point", 8);
      });
    },
    hubs: function (group) {
      data().base.hubs.forEach(function (h) {
        L.marker(h.g, {icon: L.divIcon({className: "dp-hub-icon", iconSize: [0, 0],
          html: "<span class='dp-hub dp-hub-" + h.t + "'></span>"}), pane: "dp-hubs",
          title: h.n + ", " + h.t + " hub"})
          .bindTooltip(h.n + " \u00b7 " + h.t + " hub" + (h.c ? " (" + h.c + ")" : ""))
          .addTo(group);
        label(group, h.g, h.n, "hub", 7);
      });
    }
  };

  var planKinds = {units: addUnits, coverage: addCoverage, gaps: addGaps, legs: addLegs};

  /* Fill a Leaflet layer group: a base kind ("oblasts", "line" ...), one kind of a plan
   * ("units" ...), or a whole plan ("plan": coverage, gaps, legs and units). */
  function fill(group, kind, planIndex) {
    if (base[kind]) return base[kind](group);
    if (kind === "plan") group.dpPlan = planIndex;
    var plan = data().plans[planIndex];
    var kinds = kind === "plan" ? ["coverage", "gaps", "legs", "units"] : [kind];
    kinds.forEach(function (k) { planKinds[k](group, plan); });
  }

  /* Keyboard: the controls come first in the tab order (before the map's features), and the
   * map's shapes are not tab stops (Chromium makes every SVG shape with a tooltip one); units
   * and hubs are (Enter opens a unit's popup). */
  function keyboard(map) {
    var box = map.getContainer(), ctl = box.querySelector(".leaflet-control-container");
    if (ctl && box.firstChild !== ctl) box.insertBefore(ctl, box.firstChild);
    function quiet(layer) {
      if (layer._path) layer._path.setAttribute("tabindex", "-1");
    }
    map.eachLayer(quiet);
    map.on("layeradd", function (e) { quiet(e.layer); });
  }

  function makePanes(map) {
    PANES.forEach(function (p) {
      if (!map.getPane(p[0])) map.createPane(p[0]).style.zIndex = String(p[1]);
    });
    map.getPane("dp-names").style.pointerEvents = "none";
    map.getPane("dp-labels").style.pointerEvents = "none";
  }

  /* ---- labels that keep out of each other's way -------------------------------------------- */

  function overlap(a, b) {
    var x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    var y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return x > 0 && y > 0 ? x * y : 0;
  }

  /* Where a label may go around its mark (offsets of its box from the mark's centre). */
  var SPOTS = ["e", "w", "n", "s", "ne", "se", "nw", "sw"];
  function spot(where, w, h, r) {
    var g = r + 3;
    switch (where) {
      case "e": return [g, -h / 2];
      case "w": return [-g - w, -h / 2];
      case "n": return [-w / 2, -g - h];
      case "s": return [-w / 2, g];
      case "ne": return [g * 0.7, -g * 0.7 - h];
      case "se": return [g * 0.7, g * 0.7];
      case "nw": return [-g * 0.7 - w, -g * 0.7 - h];
      default: return [-g * 0.7 - w, g * 0.7];
    }
  }

  /* Unit symbols shrink where their option's units stand closer on screen than a symbol is
   * wide: each option's symbols are scaled so that its two nearest units overlap by at most a
   * quarter of a symbol's width, never below half size (then, zoomed out far, the closest may
   * still touch); zoomed in, they are full size. Positions never move. */
  var SYMBOL_MIN_SCALE = 0.5;
  function scaleUnits(root) {
    var byPlan = {};
    root.querySelectorAll(".dp-sym").forEach(function (el) {
      el.style.transform = "";
      var b = el.parentNode.getBoundingClientRect();
      if (!b.width) return;  // an option turned off
      var key = el.getAttribute("data-plan");
      (byPlan[key] = byPlan[key] || []).push([el, b.left, b.top]);
    });
    Object.keys(byPlan).forEach(function (key) {
      var units = byPlan[key], least = Infinity, w = 0;
      for (var i = 0; i < units.length; i++) {
        w = Math.max(w, Number(units[i][0].getAttribute("data-w")));
        for (var j = i + 1; j < units.length; j++) {
          var dx = units[i][1] - units[j][1], dy = units[i][2] - units[j][2];
          least = Math.min(least, Math.sqrt(dx * dx + dy * dy));
        }
      }
      var k = Math.max(SYMBOL_MIN_SCALE, Math.min(1, least / (0.75 * w)));
      if (k < 1) {
        units.forEach(function (u) { u[0].style.transform = "scale(" + k.toFixed(3) + ")"; });
      }
    });
  }

  /* The boxes of the visible controls (panels, layer control, buttons): labels keep clear. */
  function controlBoxes(root) {
    var boxes = [];
    root.querySelectorAll(".leaflet-control").forEach(function (el) {
      var b = el.getBoundingClientRect();
      if (b.width && b.height && getComputedStyle(el).visibility !== "hidden") boxes.push(b);
    });
    return boxes;
  }

  /* Put each point label, then each hub label, where it covers no symbol, mark, control or
   * label already placed; a point label always shows (where it covers least), a hub label
   * that finds no free place is hidden. A hub that sits under a point is moved aside with a
   * leader line. Unit symbols are scaled first (scaleUnits). */
  function declutter(map) {
    var root = map.getContainer();
    scaleUnits(root);
    var marks = controlBoxes(root);
    root.querySelectorAll(".dp-point, .dp-sym svg").forEach(function (el) {
      var b = el.getBoundingClientRect();
      if (b.width) marks.push(b);
    });
    var points = [].slice.call(root.querySelectorAll(".dp-point")).map(function (el) {
      return el.getBoundingClientRect();
    });
    root.querySelectorAll(".dp-hub").forEach(function (el) {
      el.style.transform = "";
      var leader = el.parentNode.querySelector(".dp-leader");
      if (leader) leader.remove();
      var b = el.getBoundingClientRect();
      var cx = (b.left + b.right) / 2, cy = (b.top + b.bottom) / 2;
      points.forEach(function (p) {
        var px = (p.left + p.right) / 2, py = (p.top + p.bottom) / 2;
        var dx = cx - px, dy = cy - py, d = Math.sqrt(dx * dx + dy * dy);
        if (d < 15) {
          if (d < 1) { dx = -0.7; dy = 0.7; d = 1; }
          var k = 17 / d, sx = px + dx * k - cx, sy = py + dy * k - cy;
          el.style.transform = "translate(" + sx.toFixed(1) + "px," + sy.toFixed(1) + "px)";
          var line = document.createElement("i");
          line.className = "dp-leader";
          var len = Math.sqrt(sx * sx + sy * sy);
          line.style.width = len.toFixed(1) + "px";
          line.style.transform = "rotate(" + Math.atan2(sy, sx) + "rad)";
          el.parentNode.insertBefore(line, el);
        }
      });
      b = el.getBoundingClientRect();
      if (b.width) marks.push(b);
    });
    var placed = [], frame = root.getBoundingClientRect();
    ["point", "hub"].forEach(function (kind) {
      root.querySelectorAll(".dp-lab-" + kind).forEach(function (el) {
        el.style.display = "";
        el.style.left = "0px";
        el.style.top = "0px";
        var at = el.getBoundingClientRect(), w = at.width, h = at.height;
        if (!w) return;
        var r = Number(el.getAttribute("data-r"));
        var best = null, bestCost = Infinity;
        for (var i = 0; i < SPOTS.length; i++) {
          var o = spot(SPOTS[i], w, h, r);
          var box = {left: at.left + o[0], top: at.top + o[1], right: at.left + o[0] + w,
            bottom: at.top + o[1] + h};
          // what lies outside the map is covered too: a label keeps inside the window
          var cost = w * h - overlap(box, frame);
          marks.concat(placed).forEach(function (m) { cost += overlap(box, m); });
          if (cost < bestCost) { bestCost = cost; best = [o, box]; }
          if (cost === 0) break;
        }
        if (kind === "hub" && bestCost > 0) {
          el.style.display = "none";
          return;
        }
        el.style.left = best[0][0].toFixed(1) + "px";
        el.style.top = best[0][1].toFixed(1) + "px";
        placed.push(best[1]);
      });
    });
  }

  function safeFit(map) {
    var b = data().base.bounds, size = map.getSize();
    if (size.x > 0 && size.y > 0) map.fitBounds(b, {animate: false});
    if (!isFinite(map.getZoom()) || isNaN(map.getCenter().lat)) {
      map.setView(L.latLngBounds(b).getCenter(), 5, {animate: false});
    }
  }

  function watchLabels(map, main) {
    var pending = null;
    function later() {
      if (pending) return;
      pending = setTimeout(function () { pending = null; declutter(map); }, 0);
    }
    map.on("zoomend viewreset resize overlayadd overlayremove baselayerchange", later);
    later();
    if (main) api.declutter = function () { declutter(map); };
  }

  function control(map, position, className, build) {
    var Ctl = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", className);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        build(div);
        return div;
      }
    });
    return new Ctl({position: position}).addTo(map);
  }

  /* Geodesic distance on the WGS84 ellipsoid (Vincenty's inverse formula), in metres. */
  function vincenty(a, b) {
    var f = 1 / 298.257223563, A = 6378137, B = A * (1 - f), r = Math.PI / 180;
    var Lng = (b.lng - a.lng) * r, U1 = Math.atan((1 - f) * Math.tan(a.lat * r));
    var U2 = Math.atan((1 - f) * Math.tan(b.lat * r));
    var sU1 = Math.sin(U1), cU1 = Math.cos(U1), sU2 = Math.sin(U2), cU2 = Math.cos(U2);
    var lam = Lng, prev, sS, cS, sig, sA, c2A, c2M, Cc, i = 0;
    do {
      var sL = Math.sin(lam), cL = Math.cos(lam);
      sS = Math.sqrt(Math.pow(cU2 * sL, 2) + Math.pow(cU1 * sU2 - sU1 * cU2 * cL, 2));
      if (sS === 0) return 0;
      cS = sU1 * sU2 + cU1 * cU2 * cL;
      sig = Math.atan2(sS, cS);
      sA = cU1 * cU2 * sL / sS;
      c2A = 1 - sA * sA;
      c2M = c2A ? cS - 2 * sU1 * sU2 / c2A : 0;
      Cc = f / 16 * c2A * (4 + f * (4 - 3 * c2A));
      prev = lam;
      lam = Lng + (1 - Cc) * f * sA * (sig + Cc * sS * (c2M + Cc * cS * (-1 + 2 * c2M * c2M)));
    } while (Math.abs(lam - prev) > 1e-12 && ++i < 200);
    var u2 = c2A * (A * A - B * B) / (B * B);
    var kA = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
    var kB = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
    var dS = kB * sS * (c2M + kB / 4 * (cS * (-1 + 2 * c2M * c2M) -
      kB / 6 * c2M * (-3 + 4 * sS * sS) * (-3 + 4 * c2M * c2M)));
    return B * kA * (sig - dS);
  }

  function measure(map) {
    var on = false, pts = [], layer = L.layerGroup().addTo(map), out;
    function draw() {
      layer.clearLayers();
      var m = 0;
      for (var i = 1; i < pts.length; i++) m += vincenty(pts[i - 1], pts[i]);
      if (pts.length) L.polyline(pts, {color: "#000", weight: 2, dashArray: "6 4"}).addTo(layer);
      pts.forEach(function (p) { L.circleMarker(p, {radius: 3, color: "#000"}).addTo(layer); });
      out.textContent = on ? (pts.length > 1 ? num(m / 1000, 1) + " km" : "click the map") : "";
    }
    function click(e) { pts.push(e.latlng); draw(); }
    control(map, "topleft", "leaflet-bar dp-ctl dp-measure", function (div) {
      var btn = L.DomUtil.create("a", "", div);
      btn.href = "#";
      btn.title = "Measure a geodesic distance (WGS84): click points on the map; click here to end";
      btn.innerHTML = ICON_RULER;
      out = L.DomUtil.create("span", "dp-measure-out", div);
      L.DomEvent.on(btn, "click", function (e) {
        L.DomEvent.preventDefault(e);
        on = !on;
        pts = [];
        map[on ? "on" : "off"]("click", click);
        L.DomUtil[on ? "addClass" : "removeClass"](div, "dp-on");
        draw();
      });
    });
  }

  function fullscreen(map) {
    control(map, "topleft", "leaflet-bar dp-ctl dp-full", function (div) {
      var btn = L.DomUtil.create("a", "", div);
      btn.href = "#";
      btn.title = "Full screen";
      btn.innerHTML = ICON_FULL;
      L.DomEvent.on(btn, "click", function (e) {
        L.DomEvent.preventDefault(e);
        var el = map.getContainer();
        if (document.fullscreenElement) document.exitFullscreen();
        else if (el.requestFullscreen) el.requestFullscreen();
      });
    });
    map.getContainer().addEventListener("fullscreenchange", function () { map.invalidateSize(); });
  }

  /* The minimap is drawn once its box has a size (it is hidden on small screens). */
  function minimap(map) {
    var built = false;
    var ctl = control(map, "bottomright", "leaflet-bar dp-minimap", function () {});
    function build() {
      var div = ctl.getContainer();
      if (built || !div.offsetWidth || !div.offsetHeight) return;
      built = true;
      var mini = L.map(div, {attributionControl: false, zoomControl: false, dragging: false,
        scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false,
        touchZoom: false});
      makePanes(mini);
      addCountries(L.featureGroup().addTo(mini), false);
      var g = L.featureGroup().addTo(mini);
      data().base.oblasts.forEach(function (o) {
        L.polygon(polys(o.g), {color: C.oblast, weight: 0.5, fillColor: C.land, fillOpacity: 1,
          interactive: false, pane: "dp-oblasts"}).addTo(g);
      });
      data().base.line.forEach(function (p) {
        L.polyline(lines(p.g), {color: C.line, weight: 1, interactive: false, pane: "dp-line"}).addTo(g);
      });
      mini.fitBounds(g.getBounds());
      var box = L.rectangle(map.getBounds(), {color: C.coverage, weight: 1.5, fillOpacity: 0.1,
        interactive: false, pane: "dp-line"}).addTo(mini);
      map.on("move", function () { box.setBounds(map.getBounds()); });
    }
    return build;
  }

  function panel(map, position, id) {
    var el = document.getElementById(id);
    if (el) control(map, position, "dp-panel " + id + "-ctl", function (div) { div.appendChild(el); });
    return el;
  }

  function visibleControls(map) {
    return [].slice.call(map.getContainer().querySelectorAll(".leaflet-control")).filter(function (el) {
      var b = el.getBoundingClientRect();
      return b.width > 0 && b.height > 0 && getComputedStyle(el).visibility !== "hidden";
    });
  }

  function anyOverlap(map) {
    var boxes = visibleControls(map).map(function (el) { return el.getBoundingClientRect(); });
    for (var i = 0; i < boxes.length; i++) {
      for (var j = i + 1; j < boxes.length; j++) {
        if (overlap(boxes[i], boxes[j]) > 0) return true;
      }
    }
    return false;
  }

  /* Responsive layout. Wide maps show the panels open, each corner's column held within the
   * map's height (a panel that does not fit scrolls, or starts closed); small maps (phones,
   * portrait tablets, half a screen) start with every panel closed to its toggle, and opening
   * one closes the others. If open panels would still collide, they close. */
  function layout(map, st) {
    var el = map.getContainer(), size = map.getSize();
    if (!size.x || !size.y) return;
    var compact = size.x < COMPACT_W || size.y < COMPACT_H;
    var corners = map._controlCorners;
    function fit() {
      var tl = corners.topleft.offsetHeight, br = corners.bottomright.offsetHeight;
      corners.topright.style.maxHeight = Math.max(60, size.y - br - 10) + "px";
      corners.bottomleft.style.maxHeight = Math.max(60, size.y - tl - 10) + "px";
    }
    if (compact !== st.compact) {
      st.compact = compact;
      el.classList.toggle("dp-compact", compact);
      if (st.layers) st.layers[compact ? "collapse" : "expand"]();
      // Which panels start open: the legend on a laptop or projector (1200 x 600 and up), the
      // sources on a large screen (1500 x 850 and up); the others start at their toggles.
      st.panels.forEach(function (d) {
        var big = d.closest("#dp-provenance") ? [1500, 850] : [1200, 600];
        d.open = !compact && size.x >= big[0] && size.y >= big[1];
      });
      fit();
      // ... and only where their column holds them whole: else the sources close first.
      st.panels.slice().reverse().forEach(function (d) {
        var corner = d.closest(".leaflet-top, .leaflet-bottom");
        if (d.open && natural(corner) > parseFloat(corner.style.maxHeight)) d.open = false;
      });
    }
    fit();
    if (anyOverlap(map)) {
      st.panels.forEach(function (d) { d.open = false; });
      if (st.layers && compact) st.layers.collapse();
      fit();
    }
    if (st.minimap) st.minimap();
  }

  function natural(corner) {
    var h = 0;
    [].forEach.call(corner.children, function (c) { h += c.scrollHeight + 10; });
    return h;
  }

  /* The start view: the line's bounds, clear of the open panels where there is room. */
  function startView(map, st) {
    var size = map.getSize(), corners = map._controlCorners;
    var left = Math.max(corners.topleft.offsetWidth, corners.bottomleft.offsetWidth);
    var right = Math.max(corners.topright.offsetWidth, corners.bottomright.offsetWidth);
    var room = size.x - left - right;
    if (st.compact) {  // small screens: the toggles are small, the line gets the whole map
      left = 10;
      right = 10;
    } else if (room < size.x / 2) {  // never leave the line less than half the width
      var k = left + right > 0 ? (size.x / 2) / (left + right) : 0;
      left *= k;
      right *= k;
    }
    map.fitBounds(data().base.bounds, {  // not animated: a snapshot sees the final view
      paddingTopLeft: [left, 0], paddingBottomRight: [right, 0], animate: false
    });
    if (!isFinite(map.getZoom()) || !map.getCenter() || isNaN(map.getCenter().lat)) {
      map.setView(L.latLngBounds(data().base.bounds).getCenter(), 5, {animate: false});
    }
  }

  /* Options are base layers of the layer control (radio buttons: one at a time). */
  function labelLists(map, layers, options) {
    if (!layers) return;
    var box = layers.getContainer();
    var lists = [[".leaflet-control-layers-base", "Option (one at a time)", "dp-options-head"],
      [".leaflet-control-layers-overlays", "Layers", "dp-layers-head"]];
    lists.forEach(function (l) {
      var list = box.querySelector(l[0]);
      if (!list || (l[0].indexOf("base") >= 0 && !options.length)) return;
      var head = document.createElement("div");
      head.className = "dp-ctl-head";
      head.id = l[2] + "-" + L.Util.stamp(map);
      head.textContent = l[1];
      list.parentNode.insertBefore(head, list);
      list.setAttribute("role", l[0].indexOf("base") >= 0 ? "radiogroup" : "group");
      list.setAttribute("aria-labelledby", head.id);
    });
    box.setAttribute("aria-label", "Layers");
  }

  /* The controls every map gets; measure, full screen and minimap are ours offline (the
   * folium plugins come from CDNs online). Legend and provenance move into the map. */
  function controls(map, own, layers, options) {
    options = options || [];
    var st = {compact: null, layers: layers, panels: [], minimap: null, map: map, options: options};
    keyboard(map);
    if (own) {
      measure(map);
      fullscreen(map);
      st.minimap = minimap(map);
    }
    var legend = panel(map, "bottomleft", "dp-legend");
    var sources = panel(map, "topright", "dp-provenance");
    [legend, sources].forEach(function (p) {
      var d = p && p.querySelector("details");
      if (d) st.panels.push(d);
    });
    labelLists(map, layers, options);
    // In compact mode a panel opened closes the others (a drawer at a time).
    st.panels.forEach(function (d) {
      d.addEventListener("toggle", function () {
        if (!d.open || !st.compact) return;
        st.panels.forEach(function (o) { if (o !== d) o.open = false; });
        if (layers) layers.collapse();
      });
    });
    if (layers) {
      var box = layers.getContainer();
      var expand = layers.expand;
      layers.expand = function () {
        expand.call(layers);
        if (st.compact) st.panels.forEach(function (o) { o.open = false; });
        return layers;
      };
      map.on("click", function () { if (st.compact) layers.collapse(); });
      box.addEventListener("keydown", function (e) {
        if (e.key === "Escape" && st.compact) { layers.collapse(); box.querySelector("a").focus(); }
      });
    }
    layout(map, st);
    startView(map, st);
    watchLabels(map, true);
    var resizing = null;
    map.on("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(function () { layout(map, st); }, 50);
    });
    window.addEventListener("beforeprint", function () { map.invalidateSize(); startView(map, st); });
    api.main = map;
    api.state = st;
    return map;
  }

  /* Show option i (an index into data().plans) alone: swap the base layer of the control. */
  function showOption(i) {
    var st = api.state, map = api.main, target = null;
    st.options.forEach(function (g) {
      if (g.dpPlan === i) target = g;
    });
    if (!target) return false;
    st.options.forEach(function (g) { if (g !== target && map.hasLayer(g)) map.removeLayer(g); });
    if (!map.hasLayer(target)) map.addLayer(target);
    return true;
  }

  /* Slide mode, for pictures: no header, sections or controls but the legend and scale; the
   * map fills the window; option i shown alone. */
  function slide(i) {
    var map = api.main, st = api.state;
    document.body.classList.add("dp-slide");
    map.invalidateSize({animate: false});
    if (i !== null && i !== undefined) showOption(i);
    st.panels.forEach(function (d) { d.open = d.closest("#dp-legend") !== null; });
    startView(map, st);
    declutter(map);
    return map.getZoom();
  }

  /* Two synced maps, each showing one plan chosen from a select. */
  function panes(ids) {
    var d = data(), maps = [], syncing = false;
    ids.forEach(function (id, side) {
      var box = document.getElementById(id), sel = box.querySelector("select");
      var map = L.map(box.querySelector(".dp-pane-map"), {zoomSnap: 0.25});
      makePanes(map);
      keyboard(map);
      if (d.tiles) L.tileLayer(d.tiles.url, {attribution: d.tiles.attribution}).addTo(map);
      ["countries", "oblasts", "occupied", "line", "points"].forEach(function (k) {
        fill(L.featureGroup().addTo(map), k);
      });
      var group = L.featureGroup().addTo(map);
      function show() {
        group.clearLayers();
        fill(group, "plan", Number(sel.value));
      }
      sel.addEventListener("change", show);
      sel.value = String(Math.min(side, d.plans.length - 1));
      show();
      safeFit(map);
      watchLabels(map, false);
      maps.push(map);
    });
    api.paneMaps = maps;
    maps.forEach(function (map, i) {
      map.on("move", function () {
        if (syncing) return;
        syncing = true;
        maps.forEach(function (other, j) {
          if (j !== i) other.setView(map.getCenter(), map.getZoom(), {animate: false});
        });
        syncing = false;
      });
    });
  }

  /* An offline page's map, made here rather than by folium (maps/page.py): the same map
   * options, panes, groups ([name, kind, plan, shown, overlay]), scale and layer control. */
  function build(id, cfg) {
    var map = L.map(id, {center: [48.5, 33.0], zoom: 6, zoomControl: true, preferCanvas: false,
      zoomSnap: 0.25, zoomDelta: 0.5});
    L.control.scale().addTo(map);
    setup(map);
    var bases = {}, overlays = {}, options = [];
    cfg.groups.forEach(function (g) {
      var group = L.featureGroup();
      fill(group, g[1], g[2]);
      if (g[3]) group.addTo(map);
      if (g[4]) overlays[g[0]] = group;
      else { bases[g[0]] = group; options.push(group); }
    });
    var layers = L.control.layers(bases, overlays, {position: "topright", collapsed: false,
      autoZIndex: true}).addTo(map);
    window.dpMap = map;
    return controls(map, cfg.own, layers, options);
  }

  /* Before any layer is added: the panes of the drawing order. */
  function setup(map) {
    makePanes(map);
    return map;
  }

  /* Tag an option's layer group with the index of its plan (for showOption). */
  function option(group, i) {
    group.dpPlan = i;
    return group;
  }

  var api = {data: data, fill: fill, setup: setup, option: option, controls: controls, panes: panes,
    build: build,
    paneMaps: [], showOption: showOption, slide: slide, declutter: function () {}, layout: layout};
  window.deployplan = api;
})();
