/* deployplan map runtime: builds the layers of a briefing or plan map from one JSON block.
 *
 * Python (maps/) writes every layer once into the JSON script element #dp-data;
 * this file turns it into Leaflet layers for the main map and for the side-by-side panes, so
 * the shared layers are stored once. Every string in the data was HTML-escaped in Python, so it
 * may go into innerHTML as it is. Coordinates are [lat, lon] (Leaflet's order).
 */
(function () {
  "use strict";
  var C = {
    line: "#000000", occupied: "#D55E00", coverage: "#0072B2", gap: "#D55E00",
    leg: "#CC79A7", point: "#E69F00", oblast: "#7a7a7a", land: "#f3f1ea",
    border: "#9d9b92", abroad: "#e4e2da"
  };
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
      html: "<span class='dp-sym' data-plan='" + planKey + "'>" + s[0] + "</span>",
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
      L.marker([u.lat, u.lon], {icon: icon(u.sidc, plan.key), riseOnHover: true})
        .bindTooltip(u.label + " \u00b7 " + u.id, {direction: "top"})
        .bindPopup(unitPopup(u), {maxWidth: 360})
        .addTo(group);
    });
  }

  function addCoverage(group, plan) {
    if (!plan.coverage.length) return;
    L.polygon(polys(plan.coverage), {color: C.coverage, weight: 1, fillColor: C.coverage, fillOpacity: 0.13})
      .bindTooltip("coverage: within " + plan.radius + " of a unit")
      .addTo(group);
  }

  function addGaps(group, plan) {
    plan.gaps.forEach(function (g) {
      L.polyline(lines(g.g), {color: C.gap, weight: 7, opacity: 0.75, lineCap: "butt"})
        .bindTooltip("gap of " + num(g.km, 1) + " km (line km " + num(g.a, 0) + "\u2013" + num(g.b, 0) +
          ")" + (g.o ? ", " + g.o : ""), {sticky: true})
        .addTo(group);
    });
  }

  function addLegs(group, plan) {
    var trunks = {}, style = {color: C.leg, weight: 1.5, opacity: 0.9, dashArray: "5 4"};
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

  /* The countries around Ukraine: a muted basemap under everything else (also after the
   * layer control adds them back), names near Ukraine, nothing to hover or click. */
  function addCountries(group, labels) {
    data().base.countries.forEach(function (c) {
      L.polygon(polys(c.g), {color: C.border, weight: 0.8, fillColor: C.abroad, fillOpacity: 1,
        interactive: false}).addTo(group);
      if (labels && c.l) {
        L.marker(c.l, {icon: L.divIcon({className: "dp-country", html: "<span>" + c.n + "</span>",
          iconSize: [0, 0]}), interactive: false, keyboard: false, zIndexOffset: -1000}).addTo(group);
      }
    });
    group.on("add", function () { group.bringToBack(); }).bringToBack();
  }

  var base = {
    countries: function (group) { addCountries(group, true); },
    oblasts: function (group) {
      var online = data().online;
      data().base.oblasts.forEach(function (o) {
        L.polygon(polys(o.g), {color: C.oblast, weight: 0.8, fillColor: C.land, fillOpacity: online ? 0 : 1})
          .bindTooltip(o.n + (o.c ? " (" + o.c + ")" : ""), {sticky: true, className: "dp-oblast-tip"})
          .addTo(group);
      });
    },
    occupied: function (group) {
      var occ = data().base.occupied;
      if (occ.length) {
        L.polygon(polys(occ), {color: C.occupied, weight: 0, fillColor: C.occupied, fillOpacity: 0.22,
          interactive: false}).addTo(group);
      }
    },
    line: function (group) {
      data().base.line.forEach(function (p) {
        L.polyline(lines(p.g), {color: C.line, weight: p.main ? 3 : 2})
          .bindTooltip(p.n + (p.d ? ", " + p.d : "") + ": " + num(p.km, 0) + " km", {sticky: true})
          .addTo(group);
      });
    },
    points: function (group) {
      data().base.points.forEach(function (p) {
        L.circleMarker(p.g, {radius: 7, color: "#000", weight: 1.5, fillColor: C.point, fillOpacity: 1})
          .bindTooltip(p.n, {permanent: true, direction: "right", offset: [8, 0], className: "dp-label"})
          .bindPopup("<b>" + p.n + "</b><br>expected concentration point" + (p.o ? "<br>" + p.o : ""))
          .addTo(group);
      });
    },
    hubs: function (group) {
      data().base.hubs.forEach(function (h) {
        L.marker(h.g, {icon: L.divIcon({className: "dp-hub dp-hub-" + h.t, iconSize: [12, 12]})})
          .bindTooltip(h.n + " \u00b7 " + h.t + " hub" + (h.c ? " (" + h.c + ")" : ""))
          .addTo(group);
      });
    }
  };

  var planKinds = {units: addUnits, coverage: addCoverage, gaps: addGaps, legs: addLegs};

  /* Fill a Leaflet layer group: a base kind ("oblasts", "line" ...), one kind of a plan
   * ("units" ...), or a whole plan ("plan": coverage, gaps, legs and units). */
  function fill(group, kind, planIndex) {
    if (base[kind]) return base[kind](group);
    var plan = data().plans[planIndex];
    var kinds = kind === "plan" ? ["coverage", "gaps", "legs", "units"] : [kind];
    kinds.forEach(function (k) { planKinds[k](group, plan); });
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

  function minimap(map) {
    control(map, "bottomright", "leaflet-bar dp-minimap", function (div) {
      setTimeout(function () {
        var mini = L.map(div, {attributionControl: false, zoomControl: false, dragging: false,
          scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false,
          touchZoom: false});
        addCountries(L.featureGroup().addTo(mini), false);
        var g = L.featureGroup().addTo(mini);
        data().base.oblasts.forEach(function (o) {
          L.polygon(polys(o.g), {color: C.oblast, weight: 0.5, fillColor: C.land, fillOpacity: 1,
            interactive: false}).addTo(g);
        });
        data().base.line.forEach(function (p) {
          L.polyline(lines(p.g), {color: C.line, weight: 1, interactive: false}).addTo(g);
        });
        mini.fitBounds(g.getBounds());
        var box = L.rectangle(map.getBounds(), {color: C.coverage, weight: 1.5, fillOpacity: 0.1,
          interactive: false}).addTo(mini);
        map.on("move", function () { box.setBounds(map.getBounds()); });
      }, 0);
    });
  }

  function panel(map, position, id) {
    var el = document.getElementById(id);
    if (el) control(map, position, "dp-panel", function (div) { div.appendChild(el); });
    return el;
  }

  /* The controls every map gets; measure, full screen and minimap are ours offline (the
   * folium plugins come from CDNs online). Legend and provenance move into the map. */
  function controls(map, own) {
    if (own) {
      measure(map);
      fullscreen(map);
      minimap(map);
    }
    var legend = panel(map, "bottomleft", "dp-legend");
    var sources = panel(map, "bottomright", "dp-provenance");
    var layers = map.getContainer().querySelector(".leaflet-control-layers-expanded");
    var right = Math.max(layers ? layers.offsetWidth : 0, sources ? sources.offsetWidth : 0);
    map.fitBounds(data().base.bounds, {  // not animated: a snapshot sees the final view
      paddingTopLeft: [legend ? legend.offsetWidth + 20 : 0, 0],
      paddingBottomRight: [right + 20, 0],
      animate: false
    });
  }

  /* Two synced maps, each showing one plan chosen from a select. */
  function panes(ids) {
    var d = data(), maps = [], syncing = false;
    ids.forEach(function (id, side) {
      var box = document.getElementById(id), sel = box.querySelector("select");
      var map = L.map(box.querySelector(".dp-pane-map"), {zoomSnap: 0.25});
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
      map.fitBounds(d.base.bounds);
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

  var api = {data: data, fill: fill, controls: controls, panes: panes, paneMaps: []};
  window.deployplan = api;
})();
