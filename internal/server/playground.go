package server

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// The playground is GraphiQL 4.1.2 from jsDelivr, the version, files and
// Subresource Integrity hashes of gqlgen's playground package (v0.17.95). The
// page is ours rather than gqlgen's because gqlgen's hard-codes
// shouldPersistHeaders: true and keeps GraphiQL's state in localStorage: the
// API token would stay in the browser after the tab is closed.
const (
	graphiqlJS     = "https://cdn.jsdelivr.net/npm/graphiql@4.1.2/graphiql.min.js"
	graphiqlJSSRI  = "sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs="
	graphiqlCSS    = "https://cdn.jsdelivr.net/npm/graphiql@4.1.2/graphiql.min.css"
	graphiqlCSSSRI = "sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU="
	reactJS        = "https://cdn.jsdelivr.net/npm/react@18.2.0/umd/react.production.min.js"
	reactJSSRI     = "sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY="
	reactDOMJS     = "https://cdn.jsdelivr.net/npm/react-dom@18.2.0/umd/react-dom.production.min.js"
	reactDOMJSSRI  = "sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc="
)

// playgroundScript starts GraphiQL. Its state lives in memory only (nothing in
// localStorage, headers never persisted), so a token typed into the Headers
// tab is gone with the tab. A token given in the address (--demo prints one)
// is read once and removed from the address bar and from the history entry;
// the query, variables and operation name stay in the address, so that a
// reload keeps them.
const playgroundScript = `
(function () {
  'use strict';
  var memory = new Map();
  var storage = {
    getItem: function (key) { return memory.has(key) ? memory.get(key) : null; },
    setItem: function (key, value) { memory.set(key, String(value)); },
    removeItem: function (key) { memory.delete(key); },
    clear: function () { memory.clear(); },
    key: function (i) { var keys = Array.from(memory.keys()); return i < keys.length ? keys[i] : null; },
    get length() { return memory.size; }
  };
  var parameters = new URLSearchParams(window.location.search);
  var headers = parameters.get('headers');
  parameters.delete('headers');
  function updateURL() {
    var search = parameters.toString();
    history.replaceState(null, '', window.location.pathname + (search ? '?' + search : ''));
  }
  updateURL();
  function keep(name) {
    return function (value) {
      if (value) { parameters.set(name, value); } else { parameters.delete(name); }
      updateURL();
    };
  }
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + '/graphql' });
  ReactDOM.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      storage: storage,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      headers: headers || undefined,
      query: parameters.get('query') || undefined,
      variables: parameters.get('variables') || undefined,
      operationName: parameters.get('operationName') || undefined,
      onEditQuery: keep('query'),
      onEditVariables: keep('variables'),
      onEditOperationName: keep('operationName'),
      inputValueDeprecation: true
    }),
    document.getElementById('graphiql')
  );
})();
`

const playgroundPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Rencontre GraphQL playground</title>
<style>
body { margin: 0; }
#graphiql { height: 100vh; }
.loading { height: 100%; display: flex; align-items: center; justify-content: center; font-size: 4rem; }
</style>
<script src="` + reactJS + `" integrity="` + reactJSSRI + `" crossorigin="anonymous"></script>
<script src="` + reactDOMJS + `" integrity="` + reactDOMJSSRI + `" crossorigin="anonymous"></script>
<link rel="stylesheet" href="` + graphiqlCSS + `" integrity="` + graphiqlCSSSRI + `" crossorigin="anonymous">
</head>
<body>
<div id="graphiql"><div class="loading">Loading…</div></div>
<script src="` + graphiqlJS + `" integrity="` + graphiqlJSSRI + `" crossorigin="anonymous"></script>
<script>` + playgroundScript + `</script>
</body>
</html>
`

// playgroundCSP allows exactly what the page uses: the three scripts by
// their full URL and the inline script by its hash; the stylesheet and inline
// styles (the page's own, and the <style> element that GraphiQL's dialogs
// insert at run time, whose content changes with the scrollbar width and so
// has no fixed hash); the fonts and images the stylesheet embeds as data:
// URLs; requests to this origin only (the API). The page may not be framed,
// nor post forms, nor change its base URL.
var playgroundCSP = strings.Join([]string{
	"default-src 'none'",
	"script-src '" + scriptHash(playgroundScript) + "' " + reactJS + " " + reactDOMJS + " " + graphiqlJS,
	"style-src " + graphiqlCSS + " 'unsafe-inline'",
	"font-src data:",
	"img-src data:",
	"connect-src 'self'",
	"base-uri 'none'",
	"form-action 'none'",
	"frame-ancestors 'none'",
}, "; ")

// scriptHash is the CSP hash source of an inline script's text.
func scriptHash(script string) string {
	sum := sha256.Sum256([]byte(script))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// playground serves the GraphiQL page with its Content-Security-Policy.
func playground(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", playgroundCSP)
	h.Set("X-Frame-Options", "DENY") // for browsers without frame-ancestors
	_, _ = w.Write([]byte(playgroundPage))
}
