// mljournal: the compare page. Models are chosen by the URL (?m=mlp-3,mlp-5,hgb-2; the first
// is the reference); each chosen model's data file (one JSON file per model, written by the
// build) is fetched, and nothing else. The page lines the models up: header, hypothesis and
// conclusion, curves (uPlot: hover, drag to zoom, double-click to reset, log scale, smoothing),
// metrics, parameters, results, code and screenshots. Every string from the data goes in as
// text; the only HTML inserted is what the build rendered for the model pages too.
;(function () {
  "use strict"
  var root = document.getElementById("mj-compare")
  var shellNode = document.getElementById("mj-compare-index")
  if (!root || !shellNode) return
  var shell = JSON.parse(shellNode.textContent)
  // Colour-blind-safe, distinct on white and on Material's dark scheme (Tableau 10 + 2).
  var COLORS = ["#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#9c755f", "#ff9da7",
                "#edc948", "#bab0ac", "#1b9e77", "#7570b3"]
  var state = { smoothing: 0, log: false, onlyDifferences: true }
  var charts = []

  // -- small helpers --------------------------------------------------------------------------
  function el(tag, attributes, children) {
    var node = document.createElement(tag)
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name]
      if (value === null || value === undefined || value === false) return
      if (name === "text") node.textContent = value
      else if (name === "html") node.innerHTML = value  // HTML the build rendered, never raw data
      else node.setAttribute(name, value === true ? "" : value)
    })
    ;(children || []).forEach(function (child) {
      if (child === null || child === undefined) return
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child)
    })
    return node
  }
  function heading(id, text) { return el("h2", { id: id, text: text }) }
  function wrap(table) { return el("div", { "class": "mj-table-wrap" }, [table]) }
  function swatch(index) { return el("span", { "class": "mj-swatch", style: "background:" + color(index), "aria-hidden": "true" }) }
  function color(index) { return COLORS[index % COLORS.length] }
  function faint(hex) {
    var n = parseInt(hex.slice(1), 16)
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + ",0.28)"
  }
  // A value as the model pages show it (rendering/html.py's number()): four significant
  // digits at every magnitude, 0.9612, 0.001848, 12.35, 1.234e-05.
  function fmt(value) {
    if (value === "inf") return "inf"
    if (value === "-inf") return "-inf"
    if (value === null || value === undefined || isNaN(value)) return "–"
    if (value === 0) return "0.0000"
    var size = Math.abs(value)
    if (size < 1e-3 || size >= 1e6) return exponent(value.toExponential(3))
    if (size >= 1) {
      var text = value.toPrecision(4)
      if (text.indexOf("e") >= 0) return exponent(Number(text).toExponential(3).replace(/\.?0+e/, "e"))
      return text.indexOf(".") >= 0 ? text.replace(/\.?0+$/, "") : text
    }
    return value.toPrecision(4)
  }
  function exponent(text) {  // 1.234e-5 -> 1.234e-05, as Python writes it
    return text.replace(/e([+-])(\d)$/, "e$10$2")
  }
  function compareUrl(ids) {  // this page for other models
    return location.pathname + "?m=" + ids.map(encodeURIComponent).join(",")
  }
  function chosenIds() {
    var raw = new URLSearchParams(location.search).getAll("m").join(",")
    var seen = {}, ids = []
    raw.split(",").forEach(function (part) {
      var id = part.trim()
      if (id && !seen[id]) { seen[id] = 1; ids.push(id) }
    })
    return ids
  }

  // -- the page -------------------------------------------------------------------------------
  var ids = chosenIds()
  var known = ids.filter(function (id) { return Object.prototype.hasOwnProperty.call(shell.data, id) })
  var unknown = ids.filter(function (id) { return known.indexOf(id) < 0 })
  var help = root.querySelector(".mj-compare-help")
  var notes = el("div", { "class": "mj-compare-notes", role: "status" })
  root.insertBefore(notes, root.firstChild)
  unknown.forEach(function (id) {
    notes.appendChild(el("p", { "class": "mj-compare-unknown" }, ["No model ", el("code", { text: id }), " in this journal."]))
  })
  if (!known.length) {
    if (ids.length) notes.appendChild(el("p", { text: "None of the models in the address is in this journal." }))
    return  // the help stays: how to choose
  }
  if (help) help.hidden = true
  if (known.length > shell.most) {
    notes.appendChild(el("p", { "class": "mj-compare-many",
      text: known.length + " models chosen: the page reads best with " + shell.most + " or fewer; narrow the list in the address." }))
  }
  var loading = el("p", { "class": "mj-compare-loading", text: "Loading " + known.length + " models…" })
  root.appendChild(loading)
  performance.mark("mj-compare-start")
  Promise.all(known.map(function (id) {
    return fetch(shell.data[id]).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + response.statusText)
      return response.json()
    }).catch(function (error) { return { id: id, failed: String(error.message || error) } })
  })).then(function (models) {
    performance.mark("mj-compare-data")
    loading.remove()
    models.forEach(function (model, index) {
      model.index = index
      ;(model.metrics || []).forEach(function (metric) {  // steps come as differences from the step before
        var step = 0
        metric.steps = metric.step_deltas.map(function (delta) { step += delta; return step })
      })
    })
    var failed = models.filter(function (m) { return m.failed })
    failed.forEach(function (m) {
      notes.appendChild(el("p", { "class": "mj-compare-unknown" }, ["Could not load ", el("code", { text: m.id }), ": " + m.failed]))
    })
    models = models.filter(function (m) { return !m.failed })
    if (!models.length) return
    var page = el("div", { "class": "mj-compare-page" })
    root.appendChild(page)
    soon([header, texts, curves, metricsTable, parameters, results, code, screenshots].map(function (part) {
      return function () { part(page, models) }
    }))
    drain(function () {
      performance.mark("mj-compare-drawn")
      document.documentElement.dataset.mjCompare = "drawn"
    })
  })

  // The page is drawn a part (a table, a chart) at a time, each in a task of its own, so that a
  // phone answers a tap while it draws: drawn in one task, it held a slow phone's main thread
  // for a third of a second. A part may queue parts of its own; they are drawn next.
  var queue = []
  function soon(parts) { queue.unshift.apply(queue, parts) }
  function drain(done) {
    var part = queue.shift()
    if (!part) return done()
    part()
    setTimeout(function () { drain(done) }, 0)
  }

  // A table with a label column and one column per model.
  function grid(models, css) {
    var head = el("tr", {}, [el("th", { scope: "col" }, [el("span", { "class": "mj-visually-hidden", text: "what" })])])
    models.forEach(function (model) {
      head.appendChild(el("th", { scope: "col", "class": "mj-compare-col" }, [swatch(model.index), " ", model.id]))
    })
    var body = el("tbody")
    var table = el("table", { "class": "mj-compare-grid " + (css || "") }, [el("thead", {}, [head]), body])
    return { table: table, row: function (label, cells, css) {
      var tr = el("tr", { "class": css || null }, [el("th", { scope: "row", text: label })])
      cells.forEach(function (cell) { tr.appendChild(cell.nodeName === "TD" ? cell : el("td", {}, [cell])) })
      body.appendChild(tr)
      return tr
    } }
  }

  function header(page, models) {
    page.appendChild(heading("models", "Models"))
    var g = grid(models, "mj-compare-head")
    var everyone = models.map(function (m) { return m.id })
    g.row("Model", models.map(function (model, index) {
      var rest = everyone.filter(function (id) { return id !== model.id })
      var tools = el("span", { "class": "mj-compare-tools" })
      if (index === 0) tools.appendChild(el("span", { "class": "mj-compare-ref", text: "reference" }))
      else tools.appendChild(el("a", { href: compareUrl([model.id].concat(rest)), title: "compare the others with " + model.id, text: "make reference" }))
      if (models.length > 1) tools.appendChild(el("a", { href: compareUrl(rest), "aria-label": "remove " + model.id + " from the comparison", text: "remove" }))
      return el("td", {}, [swatch(model.index), " ", el("a", { "class": "mj-model", href: model.url, text: model.id }), " ", tools])
    }))
    g.row("Status", models.map(function (model) {
      return model.status ? el("span", { "class": "mj-status mj-status--" + statusClass(model.status), text: model.status }) : el("span", { text: "" })
    }))
    g.row("Parent", models.map(function (model) {
      if (!model.parent) return el("span", { text: "–" })
      return model.parent_url ? el("a", { "class": "mj-model", href: model.parent_url, text: model.parent }) : el("span", { text: model.parent })
    }))
    g.row("Dates", models.map(function (model) {
      return el("span", { text: model.first ? (model.first === model.last ? model.first : model.first + " – " + model.last) : "–" })
    }))
    g.row("Tags", models.map(function (model) {
      return el("span", { text: model.tags.length ? model.tags.map(function (t) { return "#" + t }).join(" ") : "–" })
    }))
    page.appendChild(wrap(g.table))
  }
  function statusClass(status) {
    var known = ["planned", "running", "done", "abandoned", "buggy"]
    return known.indexOf(status.toLowerCase()) >= 0 ? status.toLowerCase() : "other"
  }

  function texts(page, models) {
    if (!models.some(function (m) { return m.text.hypothesis || m.text.conclusion })) return
    page.appendChild(heading("texts", "Hypothesis and conclusion"))
    var g = grid(models, "mj-compare-texts")
    ;[["hypothesis", "Hypothesis"], ["conclusion", "Conclusion"]].forEach(function (pair) {
      g.row(pair[1], models.map(function (model) {
        var found = model.text[pair[0]]
        if (!found) return el("td", { "class": "mj-none", text: "–" })
        var cell = el("td", { "class": "mj-text" }, [el("div", { html: found.html }),
          el("p", { "class": "mj-facts" }, [el("a", { href: found.url, text: found.date })])])
        found.corrected.forEach(function (fix) {
          cell.appendChild(el("p", { "class": "mj-corrected" }, ["Corrected by ", el("a", { href: fix.url, text: "the entry" }),
            " on " + fix.date + ": read it before trusting this entry."]))
        })
        return cell
      }))
    })
    page.appendChild(wrap(g.table))
  }

  // -- curves -----------------------------------------------------------------------------------
  function quantities(models, plotted) {
    var order = [], byKey = {}
    models.forEach(function (model) {
      (model.metrics || []).forEach(function (metric) {
        if (plotted && !metric.plot) return  // run bookkeeping and single points: in the table only
        var key = metric.key
        if (!byKey[key]) { byKey[key] = []; order.push(key) }
        if (!byKey[key].some(function (s) { return s.model === model })) byKey[key].push({ model: model, metric: metric })
      })
    })
    order.sort()
    return order.map(function (key) { return { key: key, series: byKey[key] } })
  }

  // TensorBoard's smoothing: an exponential moving average, debiased so the start is not
  // pulled towards zero; gaps stay gaps.
  function smooth(values, weight) {
    if (!weight) return values
    var out = new Array(values.length), last = 0, debias = 0
    for (var i = 0; i < values.length; i++) {
      var v = values[i]
      if (v === null || !isFinite(v)) { out[i] = v; continue }
      last = last * weight + (1 - weight) * v
      debias = debias * weight + (1 - weight)
      out[i] = last / debias
    }
    return out
  }

  function curves(page, models) {
    var shown = quantities(models, true)
    var without = models.filter(function (m) { return !(m.metrics && m.metrics.length) })
    page.appendChild(heading("curves", "Curves"))
    without.forEach(function (m) {
      page.appendChild(el("p", { "class": "mj-facts" }, [el("code", { text: m.id }), m.has_run ? " has no metrics." : " has no run, so no metrics."]))
    })
    if (!shown.length) return
    if (typeof window.uPlot !== "function") {
      page.appendChild(el("p", { text: "The chart library did not load; the numbers are in the Metrics table below." }))
      return
    }
    var controls = el("form", { "class": "mj-compare-controls", "aria-label": "how the curves are drawn" })
    var slider = el("input", { type: "range", min: "0", max: "0.99", step: "0.01", value: String(state.smoothing), name: "smoothing" })
    var shownWeight = el("output", { text: state.smoothing.toFixed(2) })
    var log = el("input", { type: "checkbox", name: "log" })
    controls.appendChild(el("label", {}, ["Smoothing ", slider, " ", shownWeight]))
    controls.appendChild(el("label", {}, [log, " log scale"]))
    controls.appendChild(el("span", { "class": "mj-facts", text: "Drag across a chart to zoom, double-click to reset." }))
    controls.addEventListener("submit", function (event) { event.preventDefault() })
    page.appendChild(controls)
    var holder = el("div", { "class": "mj-compare-charts" })
    page.appendChild(holder)
    soon(shown.map(function (quantity) { return function () { charts.push(chart(holder, quantity)) } }))
    slider.addEventListener("input", function () {
      state.smoothing = Number(slider.value)
      shownWeight.textContent = state.smoothing.toFixed(2)
      charts.forEach(function (c) { c.resmooth() })
    })
    log.addEventListener("change", function () {
      state.log = log.checked
      charts.forEach(function (c) { c.rebuild() })
    })
    var width = holder.clientWidth
    window.addEventListener("resize", function () {
      if (holder.clientWidth === width) return
      width = holder.clientWidth
      charts.forEach(function (c) { c.resize() })
    })
  }

  function chart(holder, quantity) {
    // The models' own name when they share it; else the quantity's, with each model's name.
    var own = quantity.series.map(function (s) { return s.metric.name })
    var title = own.every(function (name) { return name === own[0] }) ? own[0] : quantity.key + " (" +
      quantity.series.map(function (s) { return s.metric.name + " in " + s.model.id }).join(", ") + ")"
    var box = el("figure", { "class": "mj-compare-chart" })
    var plot = el("div", { role: "img", "aria-label": title + ": curves of " + quantity.series.map(function (s) { return s.model.id }).join(", ") + "; the Metrics table has their numbers" })
    var readout = el("div", { "class": "mj-readout", "aria-live": "off" })
    box.appendChild(el("p", { "class": "mj-chart-title", text: title }))
    box.appendChild(plot)
    box.appendChild(readout)
    holder.appendChild(box)
    // One x axis for all: the union of the models' steps; each model's values aligned to it.
    var steps = {}
    quantity.series.forEach(function (s) { s.metric.steps.forEach(function (x) { steps[x] = 1 }) })
    var xs = Object.keys(steps).map(Number).sort(function (a, b) { return a - b })
    var position = new Map(xs.map(function (x, i) { return [x, i] }))
    var raw = quantity.series.map(function (s) {
      var column = new Array(xs.length).fill(null)
      s.metric.steps.forEach(function (x, i) { column[position.get(x)] = s.metric.values[i] })
      return column
    })
    var u = null, skipped = 0, smoothed = []

    function data() {
      var out = [xs]
      skipped = 0
      smoothed = quantity.series.map(function (s) { return smooth(s.metric.values, state.smoothing) })
      raw.forEach(function (column, i) {
        var own = quantity.series[i].metric
        var aligned = new Array(xs.length).fill(null)
        own.steps.forEach(function (x, j) { aligned[position.get(x)] = smoothed[i][j] })
        var rawShown = column
        if (state.log) {
          var positive = function (v) { if (v !== null && v <= 0) { skipped++; return null } return v }
          rawShown = column.map(positive)
          aligned = aligned.map(function (v) { return v !== null && v <= 0 ? null : v })
        }
        out.push(rawShown, aligned)
      })
      return out
    }
    function options() {
      var series = [{ label: "step" }]
      quantity.series.forEach(function (s) {
        var hex = color(s.model.index)
        series.push({ label: s.model.id + " raw", stroke: function () { return state.smoothing ? faint(hex) : hex },
                      width: 1.5, spanGaps: true, points: { show: s.metric.points < 3 } })
        series.push({ label: s.model.id, stroke: hex, width: 2, spanGaps: true, show: state.smoothing > 0, points: { show: false } })
      })
      var ink = getComputedStyle(document.body).color || "#333"
      var axis = { stroke: ink, grid: { stroke: "rgba(128,128,128,0.18)", width: 1 }, ticks: { stroke: "rgba(128,128,128,0.3)" } }
      return {
        width: Math.max(260, holder.clientWidth), height: 240, series: series, legend: { show: false },
        scales: { x: { time: false }, y: { distr: state.log ? 3 : 1 } },
        axes: [Object.assign({ label: "step" }, axis), Object.assign({ size: 60 }, axis)],
        cursor: { sync: { key: "mj-compare" }, drag: { x: true, y: false } },
        hooks: { setCursor: [show] },
      }
    }
    function build() {
      if (u) u.destroy()
      u = new window.uPlot(options(), data(), plot)
      show(u)
    }
    // Each model's own point nearest the cursor's step: its value there, not an interpolation.
    function nearest(steps, x) {
      var low = 0, high = steps.length - 1
      if (high < 0) return -1
      while (low < high) {
        var middle = (low + high) >> 1
        if (steps[middle] < x) low = middle + 1
        else high = middle
      }
      if (low > 0 && Math.abs(steps[low - 1] - x) <= Math.abs(steps[low] - x)) low -= 1
      return low
    }
    function show(plotted) {
      var index = plotted.cursor.idx
      var x = index === null || index === undefined ? null : xs[index]
      readout.textContent = ""
      readout.appendChild(el("span", { "class": "mj-readout-step", text: x === null ? "last values" : "step " + x }))
      quantity.series.forEach(function (s, i) {
        var own = s.metric, at = x === null ? own.steps.length - 1 : nearest(own.steps, x)
        if (x === null && own.last) { at = own.steps.indexOf(own.last[0]); if (at < 0) at = own.steps.length - 1 }
        var value = at >= 0 ? own.values[at] : null
        var text = value === null || value === undefined ? "–" : fmt(value)
        if (state.smoothing && at >= 0 && value !== null) text += " (smoothed " + fmt(smoothed[i][at]) + ")"
        var item = el("span", { "class": "mj-readout-value", "data-model": s.model.id, "data-step": at >= 0 ? String(own.steps[at]) : "" },
          [swatch(s.model.index), " " + s.model.id + " ", el("strong", { text: text })])
        if (at >= 0 && x !== null && own.steps[at] !== x) item.appendChild(el("small", { text: " at step " + own.steps[at] }))
        readout.appendChild(item)
      })
      if (skipped) readout.appendChild(el("small", { text: " log scale: " + skipped + " values ≤ 0 not drawn" }))
    }
    build()
    return {
      resmooth: function () {
        quantity.series.forEach(function (s, i) { u.setSeries(2 + 2 * i, { show: state.smoothing > 0 }) })
        u.setData(data(), false)
        u.redraw(false, false)
        show(u)
      },
      rebuild: build,
      resize: function () { u.setSize({ width: Math.max(260, holder.clientWidth), height: 240 }) },
      uplot: function () { return u },
    }
  }

  // -- tables -----------------------------------------------------------------------------------
  function metricsTable(page, models) {
    var shown = quantities(models)
    if (!shown.length) return
    page.appendChild(heading("metrics", "Metrics"))
    var g = grid(models, "mj-compare-metrics")
    shown.forEach(function (quantity) {
      ;["last", "best"].forEach(function (which) {
        var goal = quantity.series[0].metric.goal
        var found = models.map(function (model) {
          var s = quantity.series.filter(function (item) { return item.model === model })[0]
          return s ? s.metric : null
        })
        var values = found.map(function (m) { return m && m[which] ? Number(m[which][1]) : NaN })
        // As on the conclusion table, a model marked buggy is never the best.
        var finite = values.filter(function (v, i) { return isFinite(v) && !models[i].buggy })
        var top = which === "best" && goal && finite.length > 1 ? (goal === "min" ? Math.min.apply(null, finite) : Math.max.apply(null, finite)) : null
        g.row(quantity.key + " " + which, found.map(function (metric, i) {
          if (!metric || !metric[which]) return el("td", { "class": "mj-num mj-none", text: "–" })
          var crowned = top !== null && values[i] === top && !models[i].buggy
          var cell = el("td", { "class": "mj-num" + (crowned ? " mj-best" : "") + (models[i].buggy ? " mj-untrusted" : "") },
            [el(crowned ? "strong" : "span", { text: fmt(metric[which][1]) }), " ",
             el("small", { text: "step " + metric[which][0] })])
          var notes = []
          if (metric.name !== quantity.key) notes.push("as " + metric.name)
          if (models[i].buggy) notes.push("from a model marked buggy")
          if (notes.length) cell.title = notes.join(", ")
          return cell
        }))
      })
    })
    page.appendChild(wrap(g.table))
    page.appendChild(el("p", { "class": "mj-facts", text: "Best: the lowest or highest value, by what each metric's name says is better (metric_goals sets it); the best of the models is marked, never one marked buggy." }))
  }

  function parameters(page, models) {
    var names = {}
    models.forEach(function (m) { Object.keys(m.params || {}).forEach(function (n) { names[n] = 1 }) })
    var all = Object.keys(names).sort()
    if (!all.length) return
    page.appendChild(heading("parameters", "Parameters"))
    var reference = models[0].params || {}
    var toggle = el("input", { type: "checkbox", name: "only-differences" })
    toggle.checked = state.onlyDifferences
    var count = el("span", { "class": "mj-facts" })
    page.appendChild(el("p", { "class": "mj-compare-controls" }, [el("label", {}, [toggle, " only differences"]), " ", count]))
    var g = grid(models, "mj-compare-params")
    var differing = 0
    all.forEach(function (name) {
      var values = models.map(function (m) { return Object.prototype.hasOwnProperty.call(m.params || {}, name) ? String(m.params[name]) : null })
      var same = values.every(function (v) { return v === values[0] })
      if (!same) differing++
      var row = g.row(name, values.map(function (value, i) {
        var differs = i > 0 && value !== (Object.prototype.hasOwnProperty.call(reference, name) ? String(reference[name]) : null)
        return el("td", { "class": differs ? "mj-differs" : null, title: differs ? "differs from " + models[0].id : null },
          [value === null ? el("span", { "class": "mj-none", text: "not set" }) : el("code", { text: value })])
      }), same ? "mj-same" : "mj-different")
      row.dataset.same = same ? "1" : "0"
    })
    var table = g.table
    function apply() {
      state.onlyDifferences = toggle.checked
      table.classList.toggle("mj-only-differences", toggle.checked)
      count.textContent = differing + " of " + all.length + " parameters differ" + (toggle.checked && differing < all.length ? "; the same ones are hidden" : "")
    }
    toggle.addEventListener("change", apply)
    apply()
    page.appendChild(wrap(table))
  }

  function results(page, models) {
    if (!models.some(function (m) { return m.tables })) return
    page.appendChild(heading("results", "Results"))
    var row = el("div", { "class": "mj-compare-side" })
    models.forEach(function (model) {
      row.appendChild(el("section", { "class": "mj-compare-cell", "aria-label": model.id }, [
        el("p", { "class": "mj-table-title" }, [swatch(model.index), " ", model.id]),
        model.tables ? el("div", { html: model.tables }) : el("p", { "class": "mj-none", text: "No result tables." })]))
    })
    page.appendChild(row)
  }

  // Lines of the reference's excerpt against another's: the longest common subsequence, as
  // a unified diff with two lines of context. Excerpts are short: a quadratic table is fine,
  // and past a bound the two texts are shown whole instead.
  function diffLines(before, after) {
    var a = before.split("\n"), b = after.split("\n")
    if (a.length * b.length > 4000000) return null
    var n = a.length, m = b.length, table = []
    for (var i = 0; i <= n; i++) table.push(new Uint32Array(m + 1))
    for (i = n - 1; i >= 0; i--) for (var j = m - 1; j >= 0; j--)
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1])
    var out = []
    i = 0; j = 0
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) { out.push([" ", a[i]]); i++; j++ }
      else if (i < n && (j === m || table[i + 1][j] >= table[i][j + 1])) { out.push(["-", a[i]]); i++ }
      else { out.push(["+", b[j]]); j++ }
    }
    var keep = out.map(function () { return false })
    out.forEach(function (line, k) {
      if (line[0] === " ") return
      for (var c = Math.max(0, k - 2); c <= Math.min(out.length - 1, k + 2); c++) keep[c] = true
    })
    var shown = [], gap = false
    out.forEach(function (line, k) {
      if (!keep[k]) { gap = true; return }
      if (gap && shown.length) shown.push(["@", "…"])
      gap = false
      shown.push(line)
    })
    return shown
  }

  function code(page, models) {
    var names = [], seen = {}
    models.forEach(function (m) { (m.excerpts || []).forEach(function (x) { if (!seen[x.name]) { seen[x.name] = 1; names.push(x.name) } }) })
    if (!names.length) return
    names.sort()
    page.appendChild(heading("code", "Code"))
    var reference = models[0]
    function excerpt(model, name) { return (model.excerpts || []).filter(function (x) { return x.name === name })[0] }
    names.forEach(function (name) {
      page.appendChild(el("p", { "class": "mj-table-title" }, [el("code", { text: name })]))
      var row = el("div", { "class": "mj-compare-side" })
      var theirs = excerpt(reference, name)
      models.forEach(function (model, index) {
        var ours = excerpt(model, name)
        var cell = el("section", { "class": "mj-compare-cell", "aria-label": model.id + ": " + name },
          [el("p", { "class": "mj-table-title" }, [swatch(model.index), " ", model.id,
            ours && ours.origin ? el("small", {}, [" from ", el("code", { text: ours.origin })]) : null])])
        if (!ours) cell.appendChild(el("p", { "class": "mj-none", text: "No excerpt of this name." }))
        else if (index === 0 || !theirs) {
          if (index > 0) cell.appendChild(el("p", { "class": "mj-facts", text: reference.id + " has no excerpt of this name." }))
          cell.appendChild(el("pre", { "class": "mj-code" }, [el("code", { text: ours.text })]))
        } else if (ours.text === theirs.text) {
          cell.appendChild(el("p", { "class": "mj-facts", text: "Same as in " + reference.id + "." }))
        } else {
          var lines = diffLines(theirs.text, ours.text)
          if (!lines) cell.appendChild(el("pre", { "class": "mj-code" }, [el("code", { text: ours.text })]))
          else {
            var block = el("code")
            lines.forEach(function (line, k) {
              var css = { "+": "mj-add", "-": "mj-del", "@": "mj-hunk" }[line[0]]
              var text = (line[0] === "@" ? "" : line[0]) + line[1]
              block.appendChild(css ? el("span", { "class": css, text: text }) : document.createTextNode(text))
              if (k < lines.length - 1) block.appendChild(document.createTextNode("\n"))
            })
            cell.appendChild(el("p", { "class": "mj-facts", text: "Changed from " + reference.id + ":" }))
            cell.appendChild(el("pre", { "class": "mj-diff" }, [block]))
          }
        }
        row.appendChild(cell)
      })
      page.appendChild(row)
    })
  }

  function screenshots(page, models) {
    var names = [], seen = {}
    models.forEach(function (m) { (m.screenshots || []).forEach(function (s) { if (!seen[s.name]) { seen[s.name] = 1; names.push(s.name) } }) })
    if (!names.length) return
    page.appendChild(heading("screenshots", "Screenshots"))
    var g = grid(models, "mj-compare-shots")
    names.forEach(function (name) {
      g.row(name, models.map(function (model) {
        var shot = (model.screenshots || []).filter(function (s) { return s.name === name })[0]
        if (!shot) return el("td", { "class": "mj-none", text: "–" })
        return el("a", { "class": "mj-shot", href: shot.url }, [el("img", { src: shot.thumb, alt: model.id + ": " + name,
          width: shot.width, height: shot.height, loading: "lazy", decoding: "async" })])
      }))
    })
    page.appendChild(wrap(g.table))
  }

  window.mljournalCompare = { charts: charts, state: state, fmt: fmt }  // for tests and benchmarks
})()
