// mljournal: the search index is fetched when the reader opens search, not on every page.
// Material requests search/search_index.json (megabytes on a large journal) and builds its
// index on every page load; this holds that one request back until the search box gets
// focus (a click, a keyboard shortcut, or a ?q= link). Every other request passes straight
// through, and should Material ever load its index some other way, nothing here is in its way.
(function () {
  var request = XMLHttpRequest.prototype, open = request.open, send = request.send
  var held = new WeakSet(), release, released = new Promise(function (resolve) { release = resolve })
  request.open = function (method, address) {
    if (/(^|\/)search\/search_index\.json$/.test(String(address).split(/[?#]/)[0])) held.add(this)
    return open.apply(this, arguments)
  }
  request.send = function () {
    var xhr = this, body = arguments
    if (!held.has(xhr)) return send.apply(xhr, body)
    released.then(function () { send.apply(xhr, body) })
  }
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-md-component=search-query]")) release()
  })
  document.addEventListener("change", function (event) {
    if (event.target.id === "__search" && event.target.checked) release()
  })
  if (/[?&]q=/.test(location.search)) release()
})()

// mljournal: the conclusion table sorts and filters in place; the view is in the URL
// (?sort=-val_acc&family=mlp&tag=aug&status=done&q=word&group=0), so it can be shared.
// Without this script the table is a plain table, grouped by family, latest first, whose
// controls (in the page, so that nothing moves as it starts) do nothing.
;(function () {
  var table = document.querySelector("table.mj-conclusions")
  if (!table) return
  var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows)
  var models = rows.filter(function (r) { return r.dataset.id })
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells)
  var params = new URLSearchParams(location.search)
  var state = { sort: params.get("sort") || "", family: params.get("family") || "", tag: params.get("tag") || "",
                status: params.get("status") || "", q: params.get("q") || "", group: params.get("group") !== "0" }

  var form = document.querySelector("form.mj-filters")  // in the page, with this page's families, tags and statuses
  if (!form) return
  form.q.value = state.q; form.family.value = state.family; form.tag.value = state.tag
  form.status.value = state.status; form.group.checked = state.group
  form.addEventListener("submit", function (event) { event.preventDefault() })
  form.addEventListener("input", function () {
    state.q = form.q.value.trim(); state.family = form.family.value; state.tag = form.tag.value
    state.status = form.status.value; state.group = form.group.checked
    update(true)
  })

  headers.forEach(function (th) {
    var button = th.dataset.key && th.querySelector("button.mj-sort")
    if (!button) return
    button.addEventListener("click", function () {
      var name = key(th)
      state.sort = state.sort === name ? "-" + name : state.sort === "-" + name ? "" : (th.dataset.goal === "max" || name === "last" ? "-" : "") + name
      update(true)
    })
  })
  function key(th) { return th.dataset.key.replace(/^m:/, "") }
  function column(name) {
    for (var i = 0; i < headers.length; i++) if (headers[i].dataset.key && key(headers[i]) === name) return i
    return -1
  }
  function natural(id) {
    var m = /^(.*?)[-_.]?(\d+)$/.exec(id)
    return m ? [m[1], parseInt(m[2], 10)] : [id, -1]
  }
  function sortValue(row, name, index) {
    if (name === "id") return natural(row.dataset.id)
    if (name === "last" || name === "status") return row.dataset[name] || null
    var cell = row.cells[index], v = cell && cell.dataset.v
    if (v === undefined || v === "") return null
    return headers[index].dataset.key.indexOf("m:") === 0 ? parseFloat(v) : v
  }
  function compare(a, b) {
    if (Array.isArray(a)) return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]
    return a < b ? -1 : a > b ? 1 : 0
  }
  function update(push) {
    var descending = state.sort.charAt(0) === "-", name = state.sort.replace(/^-/, ""), index = column(name)
    var words = state.q.toLowerCase().split(/\s+/).filter(Boolean), shown = 0
    var ordered = models.slice()
    if (index >= 0) {
      ordered.sort(function (a, b) {
        var x = sortValue(a, name, index), y = sortValue(b, name, index)
        if (x === null || y === null) return (x === null) - (y === null) || models.indexOf(a) - models.indexOf(b)  // missing last
        return (descending ? -compare(x, y) : compare(x, y)) || models.indexOf(a) - models.indexOf(b)
      })
    }
    var groups = rows.filter(function (r) { return !r.dataset.id })
    var order = []
    if (state.group) {
      groups.forEach(function (g) {
        order.push(g)
        ordered.forEach(function (r) { if (r.dataset.family === g.dataset.family) order.push(r) })
      })
    } else order = ordered.concat(groups)
    order.forEach(function (r) {
      if (!r.dataset.id) return body.appendChild(r)
      var text = r.textContent.toLowerCase()
      var visible = (!state.family || r.dataset.family === state.family) &&
        (!state.tag || (" " + r.dataset.tags + " ").indexOf(" " + state.tag + " ") >= 0) &&
        (!state.status || r.dataset.status === state.status) &&
        words.every(function (w) { return text.indexOf(w) >= 0 })
      r.hidden = !visible
      if (visible) shown++
      body.appendChild(r)
    })
    groups.forEach(function (g) {
      g.hidden = !state.group || !models.some(function (r) { return !r.hidden && r.dataset.family === g.dataset.family })
    })
    headers.forEach(function (th, i) {
      if (!th.dataset.key) return
      if (i === index) th.setAttribute("aria-sort", descending ? "descending" : "ascending")
      else th.removeAttribute("aria-sort")
    })
    form.querySelector(".mj-shown").textContent = shown === models.length ? "" : shown + " of " + models.length + " models"
    if (push) {
      var query = new URLSearchParams()
      ;["sort", "family", "tag", "status", "q"].forEach(function (k) { if (state[k]) query.set(k, state[k]) })
      if (!state.group) query.set("group", "0")
      var address = location.pathname + (query.toString() ? "?" + query : "") + location.hash
      history.replaceState(null, "", address)
    }
  }
  update(false)

  // The whole hypothesis or conclusion, over the table (no row grows, nothing moves).
  var pop = document.createElement("div")
  if (!("showPopover" in pop)) return  // the link leads to the model page instead
  pop.className = "mj-pop md-typeset"
  pop.setAttribute("popover", "")
  pop.setAttribute("role", "dialog")
  pop.setAttribute("aria-label", "the whole text")
  document.body.appendChild(pop)
  table.addEventListener("click", function (event) {
    var opener = event.target.closest(".mj-whole, .mj-clamp")
    if (!opener || (event.target.closest("a") && !event.target.closest(".mj-whole"))) return
    event.preventDefault()
    var cell = opener.closest("td"), box = cell.getBoundingClientRect()
    pop.innerHTML = cell.querySelector(".mj-clamp").innerHTML
    pop.style.left = Math.max(8, Math.min(box.left, innerWidth - 520)) + "px"
    pop.style.top = Math.max(8, Math.min(box.top, innerHeight - 200)) + "px"
    pop.showPopover()
  })
})()

// mljournal: tick models to compare. A box on each row of the conclusion table and on each
// model page; the ticked models (kept in this browser, per site) are listed in a bar at the
// bottom whose link opens the compare page for them, in the order they were ticked.
;(function () {
  var holder = document.querySelector("[data-compare-url]")
  if (!holder) return
  var compareUrl = new URL(holder.getAttribute("data-compare-url"), location.href)
  var key = "mljournal:compare:" + compareUrl.pathname
  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "[]").filter(function (id) { return typeof id === "string" }) }
    catch (error) { return [] }
  }
  function save(ids) { try { localStorage.setItem(key, JSON.stringify(ids)) } catch (error) { /* private mode */ } }
  var picked = load()
  var bar = document.createElement("div")
  bar.className = "mj-pickbar"
  bar.setAttribute("role", "region")
  bar.setAttribute("aria-label", "Models ticked for comparison")
  bar.hidden = true
  document.body.appendChild(bar)
  var boxes = []
  function box(input) {  // the boxes are in the pages (a table row's, a model page's): nothing moves
    var id = input.value
    input.checked = picked.indexOf(id) >= 0
    input.addEventListener("change", function () {
      picked = load().filter(function (other) { return other !== id })
      if (input.checked) picked.push(id)
      save(picked)
      render()
    })
    boxes.push(input)
    return input
  }
  function render() {
    boxes.forEach(function (input) { input.checked = picked.indexOf(input.value) >= 0 })
    bar.textContent = ""
    bar.hidden = !picked.length
    document.body.classList.toggle("mj-picking", picked.length > 0)  // room below the page for the bar
    if (!picked.length) return
    var list = document.createElement("span")
    list.textContent = picked.length + (picked.length === 1 ? " model ticked: " : " models ticked: ") + picked.join(", ")
    var go = document.createElement("a")
    go.className = "mj-pickbar-go"
    go.href = compareUrl.pathname + "?m=" + picked.map(encodeURIComponent).join(",")
    go.textContent = picked.length === 1 ? "Compare (tick one more)" : "Compare " + picked.length + " models"
    var clear = document.createElement("button")
    clear.type = "button"
    clear.textContent = "Clear"
    clear.addEventListener("click", function () { picked = []; save(picked); render() })
    bar.appendChild(list); bar.appendChild(go); bar.appendChild(clear)
  }
  document.querySelectorAll("input.mj-pick").forEach(box)
  window.addEventListener("storage", function (event) { if (event.key === key) { picked = load(); render() } })
  render()
})()

// mljournal: on a journal searched with Pagefind (`search: pagefind`, or `auto` past 1,000
// entries), Material's search box asks Pagefind instead of lunr: Pagefind's script and the
// index chunks for the words typed are fetched as the reader types, never the whole index.
// Material keeps its box, its overlay and its keyboard shortcuts; its own (empty) index
// never sees the query, which is caught before it reaches Material's listeners.
;(function () {
  var flag = document.querySelector('meta[name="mljournal-search"][content="pagefind"]')
  var input = document.querySelector("[data-md-component=search-query]")
  if (!flag || !input) return
  var list = document.querySelector(".md-search-result__list")
  var meta = document.querySelector(".md-search-result__meta")
  var config = document.getElementById("__config")  // Material's: the site's root, relative to this page
  var base = new URL(((config && JSON.parse(config.textContent).base) || ".") + "/", location.href)
  var loading = null, latest = 0
  function pagefind() {  // the first shard of the index, and the others (pagefind/shards.json) merged into it
    if (!loading) loading = Promise.all([
      import(new URL("pagefind/pagefind.js", base).href),
      fetch(new URL("pagefind/shards.json", base)).then(function (r) { return r.ok ? r.json() : {} }, function () { return {} })
    ]).then(function (loaded) {
      var module = loaded[0], options = { baseUrl: base.pathname, excerptLength: 24 }
      return module.options(options).then(function () {
        return Promise.all(Object.keys(loaded[1].shards || {}).filter(Boolean).map(function (folder) {
          return module.mergeIndex(new URL("pagefind/" + folder + "/", base).pathname, options)
        }))
      }).then(function () { return module })
    })
    return loading
  }
  function el(tag, attributes, children) {
    var node = document.createElement(tag)
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]) })
    ;(children || []).forEach(function (child) { node.append(child) })
    return node
  }
  function excerpt(html) {  // Pagefind marks the words found with <mark>; nothing else is kept
    var p = el("p"), parts = String(html).split(/(<mark>|<\/mark>)/), marked = false
    parts.forEach(function (part) {
      if (part === "<mark>") marked = true
      else if (part === "</mark>") marked = false
      else if (part) p.append(marked ? el("mark", {}, [decode(part)]) : decode(part))
    })
    return p
  }
  function decode(text) { var t = document.createElement("textarea"); t.innerHTML = text; return t.value }
  function show(query) {
    var asked = ++latest
    if (!query.trim()) { list.replaceChildren(); meta.textContent = "Type to start searching"; return }
    pagefind().then(function (module) { return module.debouncedSearch(query, {}, 120) }).then(function (search) {
      if (!search || asked !== latest) return null
      return Promise.all(search.results.slice(0, 10).map(function (r) { return r.data() })).then(function (pages) {
        if (asked !== latest) return
        meta.textContent = search.results.length ? search.results.length + " matching pages" : "No matching pages"
        list.replaceChildren.apply(list, pages.map(function (page) {
          var article = el("article", { "class": "md-search-result__article md-typeset" },
                           [el("div", { "class": "md-search-result__icon md-icon" }), el("h1", {}, [page.meta.title || page.url]),
                            excerpt(page.excerpt)])
          return el("li", { "class": "md-search-result__item" }, [el("a", { href: page.url, "class": "md-search-result__link" }, [article])])
        }))
      })
    }).catch(function (error) { meta.textContent = "Search is not available here (" + error.message + ")" })
  }
  window.addEventListener("input", function (event) {
    if (event.target !== input) return
    event.stopImmediatePropagation()
    show(input.value)
  }, true)
  window.addEventListener("keyup", function (event) {
    if (event.target === input && !/^(Arrow|Enter|Escape|Tab)/.test(event.key)) event.stopImmediatePropagation()
  }, true)
  input.addEventListener("focus", function () { pagefind() })
  if (input.value) show(input.value)
})()
