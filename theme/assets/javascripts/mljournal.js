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
